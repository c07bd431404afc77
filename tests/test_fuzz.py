"""Schemafuzzing: door hypothesis-graphql gemaakte queries en mutaties geven voor geen enkele rol INTERNAL.

Every generated operation is sent with a token of every role. The answer must be HTTP 200 or 4xx with
a JSON body, and no error may carry code INTERNAL: bad input is the client's, and the server says so
with a code. Examples are generated up front (derandomized, so a run is repeatable) and then sent;
REGIEKAMER_FUZZ_VOORBEELDEN sets how many queries and how many mutations (default 60 each).
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC
from pathlib import Path
from typing import Any

import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.conftest import Api
from tests.hulp import NIJMEGEN

VOORBEELDEN = int(os.environ.get("REGIEKAMER_FUZZ_VOORBEELDEN", "60"))
SCHEMA = (Path(__file__).parent.parent / "schema.graphql").read_text()
ROLLEN: list[tuple[str, str | None]] = [
    ("consulent", NIJMEGEN),
    ("kwaliteitsmedewerker", NIJMEGEN),
    ("backoffice", NIJMEGEN),
    ("privacy_officer", NIJMEGEN),
    ("privacy_officer", None),
    ("rmz_medewerker", None),
    ("contractmanager", None),
    ("beheerder", None),
]

# Custom scalars, from plausible to absurd: the year 1, 9999, a far-off timezone, huge and negative amounts.
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "Date": st.one_of(st.dates(), st.text(max_size=12)).map(lambda d: nodes.String(str(d))),
    "DateTime": st.one_of(st.datetimes(timezones=st.just(UTC)), st.datetimes(), st.text(max_size=12)).map(
        lambda d: nodes.String(d.isoformat() if hasattr(d, "isoformat") else d)
    ),
    "Decimal": st.one_of(st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=8)).map(
        lambda d: nodes.String(str(d))
    ),
    "JSON": st.just(nodes.Null),
}


def _verzamel(strategie: st.SearchStrategy[Any], aantal: int) -> list[str]:
    """Genereert ``aantal`` documenten zonder I/O (hypothesis draait hier synchroon)."""
    verzameld: list[str] = []

    @settings(
        max_examples=aantal,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategie)
    def verzamel(document: str) -> None:
        verzameld.append(document)

    verzamel()
    return verzameld


async def _stuur_als_elke_rol(api: Api, documenten: list[str]) -> list[str]:
    problemen: list[str] = []
    for document in documenten:
        for rol, gemeente in ROLLEN:
            kop = {"Authorization": f"Bearer {api.token(rol, gemeente)}"}
            antwoord = await asyncio.wait_for(api.client.post("/graphql", json={"query": document}, headers=kop), 20)
            if not (antwoord.status_code == 200 or 400 <= antwoord.status_code < 500):
                problemen.append(f"HTTP {antwoord.status_code} als {rol}: {document}\n{antwoord.text[:300]}")
                continue
            if not antwoord.headers.get("content-type", "").startswith("application/json"):
                problemen.append(f"geen JSON als {rol}: {document}")
                continue
            codes = [e.get("extensions", {}).get("code") for e in antwoord.json().get("errors", [])]
            if "INTERNAL" in codes or None in codes:
                problemen.append(f"{codes} als {rol}: {document}\n{antwoord.text[:300]}")
    return problemen


@pytest.mark.parametrize("soort", ["query", "mutation"])
async def test_gefuzzde_operaties_geven_voor_geen_rol_internal(api: Api, soort: str) -> None:
    maker = hypothesis_graphql.queries if soort == "query" else hypothesis_graphql.mutations
    documenten = _verzamel(maker(SCHEMA, custom_scalars=SCALARS), VOORBEELDEN)
    assert len(documenten) == VOORBEELDEN
    problemen = await _stuur_als_elke_rol(api, documenten)
    assert not problemen, "\n\n".join(problemen[:5])
