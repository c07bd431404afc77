"""De koppelgids (docs/koppelen.md) werkt echt: een server met OIDC-uitgevers, een token via client credentials
bij een lokale Keycloak-achtige IdP, en de httpx-client uit de gids die pagineert en foutcodes geeft.

The server is a real ``regiekamer serve`` process (no --demo), configured only by environment variables
as in production; the client code is the Python block of the guide itself, executed unchanged.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hulp import casus_invoer
from tests.hulp_oidc import CLIENT_GEHEIM, KEYCLOAK_CLIENT, LokaleIdps, keycloak_token, lokale_idps, uitgevers_config
from tests.hulp_server import Server, schone_omgeving, vrije_poort

GIDS = Path(__file__).resolve().parent.parent / "docs" / "koppelen.md"
README = GIDS.parent.parent / "README.md"
REGIEKAMER = Path(sys.executable).parent / "regiekamer"
REGISTREER = "mutation($input: RegistreerCasusInput!) { registreerCasus(input: $input) { id } }"


def _client_uit_de_gids() -> dict[str, Any]:
    """The first Python block of section 3 of the guide: the functions a backoffice copies."""
    blokken = re.findall(r"```python\n(.*?)\n```", GIDS.read_text(encoding="utf-8"), re.S)
    naamruimte: dict[str, Any] = {}
    exec(compile(blokken[0], str(GIDS), "exec"), naamruimte)  # noqa: S102 - our own documentation, under test
    return naamruimte


@pytest.fixture
def idps() -> Iterator[LokaleIdps]:
    with lokale_idps() as server:
        yield server


@pytest.fixture
def server(idps: LokaleIdps, db_url: str, tmp_path: Path) -> Iterator[Server]:
    poort = vrije_poort()
    omgeving = schone_omgeving(
        DATABASE_URL=db_url,
        REGIEKAMER_DATA_MAP=str(tmp_path / "data"),
        REGIEKAMER_OIDC_ISSUERS=json.dumps(uitgevers_config(idps)),
    )
    logbestand = tmp_path / "server.log"
    with logbestand.open("wb") as log:
        proces = subprocess.Popen(
            [str(REGIEKAMER), "serve", "--port", str(poort)],
            cwd=tmp_path, env=omgeving, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    s = Server(proces, poort, logbestand)
    try:
        s.wacht_op_health()
        yield s
        s.stop()
    except BaseException:
        s.doden()
        print(s.uitvoer)
        raise
    assert "Traceback" not in s.uitvoer, s.uitvoer


def test_backoffice_haalt_token_met_client_credentials_en_pagineert_door_de_casussen(
    idps: LokaleIdps, server: Server
) -> None:
    gids = _client_uit_de_gids()
    token_url = f"{idps.keycloak_issuer('nijmegen')}/protocol/openid-connect/token"
    with httpx.Client(base_url=server.url, timeout=30) as client:
        consulent = keycloak_token(idps, sub="consulent-1", realm_access={"roles": ["regiekamer-consulent"]})
        for _ in range(3):
            gids["graphql"](client, consulent, REGISTREER, {"input": casus_invoer()})

        token = gids["vraag_token"](token_url, KEYCLOAK_CLIENT, CLIENT_GEHEIM)
        casussen = list(gids["alle_casussen"](client, token, per_pagina=2))
        assert len(casussen) == 3 and len({c["id"] for c in casussen}) == 3
        assert {c["status"] for c in casussen} == {"GEREGISTREERD"}

        # The error codes the guide tells a backoffice to handle.
        fout = gids["RegiekamerFout"]
        with pytest.raises(fout) as e:
            gids["graphql"](client, token, "{ ik { bestaatNiet } }")
        assert e.value.code == "BAD_USER_INPUT" and "heeft geen veld 'bestaatNiet'" in e.value.bericht
        with pytest.raises(fout) as e:
            gids["graphql"](client, token, REGISTREER, {"input": casus_invoer()})
        assert e.value.code == "FORBIDDEN"  # toegang.md: backoffice reads casussen, does not register them
        with pytest.raises(fout) as e:
            gids["graphql"](client, keycloak_token(idps, iss="https://sso.elders.example/realms/x"), "{ ik { sub } }")
        assert e.value.code == "UNAUTHENTICATED"

    # The short example at the end of the README, with this IdP and this server in place of the examples.
    sectie = README.read_text(encoding="utf-8").split("## Koppelen (backoffice)", 1)[1]
    voorbeeld = re.findall(r"```python\n(.*?)\n```", sectie, re.S)[0]
    voorbeeld = voorbeeld.replace(
        "https://sso.nijmegen.nl/realms/nijmegen/protocol/openid-connect/token", token_url
    ).replace("https://regiekamer.example.nl", server.url)
    uitvoer = io.StringIO()
    with contextlib.redirect_stdout(uitvoer):
        exec(compile(voorbeeld, str(README), "exec"), {"GEHEIM": CLIENT_GEHEIM})  # noqa: S102
    assert sorted(r.split()[0] for r in uitvoer.getvalue().splitlines()) == sorted(c["id"] for c in casussen)


def test_verkeerd_clientgeheim_geeft_geen_token(idps: LokaleIdps) -> None:
    gids = _client_uit_de_gids()
    token_url = f"{idps.keycloak_issuer('nijmegen')}/protocol/openid-connect/token"
    with pytest.raises(httpx.HTTPStatusError):
        gids["vraag_token"](token_url, KEYCLOAK_CLIENT, "fout")
