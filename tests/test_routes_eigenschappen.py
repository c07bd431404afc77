"""Eigenschapstest (hypothesis): willekeurige reeksen overgangen door willekeurige rollen, via de echte app.

Invariants (issue 3, seed 000): no sequence reaches the RMZ without documented steps 1 and 2; no
role ever performs a transition its policy does not allow (nor in another gemeente); every accepted
transition has exactly one audit record.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from api.app import maak_app
from api.auth import TokenVerifier
from api.limieten import Limieten
from beleid.beslisser import CasbinBeslisser
from domein.actor import Actor
from domein.audit import Pseudonimiseerder
from domein.opslag.db import maak_engine
from domein.opslag.tabellen import auditregel, melding, signaal, signaal_stap
from domein.route import standaard_routes
from domein.toegang import Actie
from tests.conftest import DATABASES, SLEUTEL, _pg_beheer, _pg_url
from tests.hulp_signalen import AANBIEDER, ESCALEER, REGISTREER, stap_1

ROLLEN = [
    ("consulent", "0268"),
    ("consulent", "0296"),
    ("kwaliteitsmedewerker", "0268"),
    ("kwaliteitsmedewerker", "0296"),
    ("backoffice", "0268"),
    ("rmz_medewerker", None),
    ("contractmanager", None),
    ("beheerder", None),
    ("privacy_officer", None),
]
# Weighted towards the roles that may act in Nijmegen, so that sequences do reach the RMZ often.
GEWOGEN = [("consulent", "0268")] * 4 + [("kwaliteitsmedewerker", "0268")] * 6 + ROLLEN
ROB = standaard_routes()["rob-signaal"]

VOLLEDIG = st.sampled_from([True, True, True, False])
actie = st.one_of(
    st.tuples(st.just("registreer"), st.sampled_from(GEWOGEN), st.just(0), VOLLEDIG),
    st.tuples(
        st.sampled_from(["stap_1", "stap_2", "stap_3", "2", "2", "3", "3", "opgelost"]),
        st.sampled_from(GEWOGEN),
        st.integers(min_value=0, max_value=2),
        VOLLEDIG,
    ),
)


def _invoer(naar: str, signaal_id: str, volledig: bool) -> dict[str, Any]:
    basis: dict[str, Any] = {
        "signaalId": signaal_id,
        "naarStap": naar,
        "toelichting": "herhaald",
        "herhaling": True,
        "afgesprokenOp": "2026-11-16",
        "betrokkenen": [{"soort": "MEDEWERKER", "naam": "M"}],
    }
    if volledig:
        basis["afspraken"] = "verbeterafspraken"
    return basis


async def _scenario(url: str, sleutel: Any, acties: list[tuple[str, tuple[str, str | None], int, bool]]) -> None:
    engine = maak_engine(url)
    beslisser = CasbinBeslisser()
    app = maak_app(
        engine, TokenVerifier(public_key_pem=sleutel.public_key_pem), Pseudonimiseerder(SLEUTEL), Limieten(), beslisser
    )
    geaccepteerd: list[tuple[str, str, str, str | None]] = []  # (signaal, naar, rol, gemeente)
    signalen: list[str] = []
    doorlopen: dict[str, set[str]] = {}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:

            async def als(rol: str, gemeente: str | None, q: str, v: dict[str, Any]) -> dict[str, Any]:
                token = sleutel.maak_token(rol=rol, gemeente=gemeente, sub=f"p-{rol}-{gemeente}")
                r = await client.post(
                    "/graphql", json={"query": q, "variables": v}, headers={"Authorization": f"Bearer {token}"}
                )
                return dict(r.json())

            a = await als("beheerder", None, AANBIEDER, {"i": {"naam": "A", "kvk": "95000001", "agb": "96000001"}})
            aid = a["data"]["registreerAanbieder"]["id"]
            for soort, (rol, gemeente), doel, volledig in acties:
                if soort == "registreer":
                    invoer = stap_1(aid) if volledig else {**stap_1(aid), "afspraken": None}
                    r = await als(rol, gemeente, REGISTREER, {"i": invoer})
                    if "errors" not in r:
                        signalen.append(r["data"]["registreerSignaal"]["id"])
                        doorlopen[signalen[-1]] = {"stap_1"}
                        geaccepteerd.append((signalen[-1], "stap_1", rol, gemeente))
                    continue
                if not signalen:
                    continue
                sid = signalen[doel % len(signalen)]
                r = await als(rol, gemeente, ESCALEER, {"i": _invoer(soort, sid, volledig)})
                if "errors" not in r:
                    naar = f"stap_{soort}" if soort.isdigit() else soort
                    # a step already passed is supplemented, not entered again
                    soort_actie = f"{naar} aangevuld" if naar in doorlopen.setdefault(sid, set()) else naar
                    doorlopen[sid].add(naar)
                    geaccepteerd.append((sid, soort_actie, rol, gemeente))
        await _controleer(engine, beslisser, geaccepteerd)
    finally:
        await engine.dispose()


def _intern(globaal: str) -> str:
    import base64

    return base64.urlsafe_b64decode(globaal + "=" * (-len(globaal) % 4)).decode().split(":", 1)[1]


async def _controleer(engine: Any, beslisser: CasbinBeslisser, geaccepteerd: list[Any]) -> None:
    async with engine.connect() as conn:
        gemeente_van = dict((await conn.execute(sa.select(signaal.c.id, signaal.c.gemeente_code))).all())
        for sid, naar, rol, gemeente in geaccepteerd:
            actor = Actor.uit_claims("x", rol, gemeente)
            stap = naar.removesuffix(" aangevuld")
            assert beslisser.beslis(actor, ROB.resource(stap), Actie.SCHRIJVEN).toegestaan, (rol, naar)
            assert gemeente_van[_intern(sid)] == gemeente, "transition in another gemeente"
        event(f"geaccepteerde overgangen: {min(len(geaccepteerd), 3)}{'+' if len(geaccepteerd) >= 3 else ''}")
        event(f"meldingen bij het RMZ: {bool(await conn.scalar(sa.select(sa.func.count()).select_from(melding)))}")
        # Every melding at the RMZ rests on fully documented steps 1 and 2.
        for (signaal_id,) in (
            await conn.execute(sa.select(melding.c.signaal_id).where(melding.c.soort == "rmz"))
        ).all():
            stappen: dict[str, dict[str, Any]] = {}
            for r in (
                await conn.execute(
                    sa.select(signaal_stap.c.toestand, signaal_stap.c.gegevens)
                    .where(signaal_stap.c.signaal_id == signaal_id)
                    .order_by(signaal_stap.c.id)
                )
            ).all():
                stappen[r.toestand] = {**stappen.get(r.toestand, {}), **r.gegevens}  # supplements add up
            for code in ("stap_1", "stap_2"):
                assert code in stappen and all(stappen[code].get(v) for v in ROB.toestanden[code].voor_volledig)
        # Exactly one audit record per accepted transition.
        for sid, naar, _rol, _g in set(geaccepteerd):
            verwacht = sum(1 for g in geaccepteerd if g[0] == sid and g[1] == naar)
            aantal = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(auditregel)
                .where(
                    auditregel.c.object_type == "signaal",
                    auditregel.c.object_id == _intern(sid),
                    auditregel.c.verwerkingsactiviteit == f"rob-signaal: {naar}",
                    auditregel.c.uitkomst == "geslaagd",
                )
            )
            assert aantal == verwacht, (sid, naar, aantal, verwacht)


def _verse_db(backend: str, sjablonen: dict[str, str]) -> tuple[str, Any]:
    if backend == "sqlite":
        map_ = Path(tempfile.mkdtemp())
        shutil.copy(sjablonen["sqlite"], map_ / "p.db")
        return f"sqlite+aiosqlite:///{map_ / 'p.db'}", lambda: shutil.rmtree(map_)
    naam = f"regiekamer_p_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_beheer(f'CREATE DATABASE "{naam}" TEMPLATE "{sjablonen["postgresql"]}"'))
    return _pg_url(naam), lambda: asyncio.run(_pg_beheer(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))


@pytest.mark.parametrize("backend", DATABASES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(acties=st.lists(actie, min_size=1, max_size=12))
# Always include the whole ladder and the shortcut attempts, besides what hypothesis generates.
@example(
    acties=[
        ("registreer", ("consulent", "0268"), 0, True),
        ("2", ("kwaliteitsmedewerker", "0268"), 0, True),
        ("3", ("kwaliteitsmedewerker", "0268"), 0, True),
    ]
)
@example(
    acties=[
        ("registreer", ("consulent", "0268"), 0, False),
        ("3", ("kwaliteitsmedewerker", "0268"), 0, True),
        ("2", ("kwaliteitsmedewerker", "0268"), 0, False),
        ("3", ("kwaliteitsmedewerker", "0268"), 0, True),
        ("2", ("kwaliteitsmedewerker", "0268"), 0, True),
        ("stap_1", ("consulent", "0268"), 0, True),
        ("3", ("kwaliteitsmedewerker", "0296"), 0, True),
        ("3", ("kwaliteitsmedewerker", "0268"), 0, True),
    ]
)
def test_geen_reeks_overgangen_omzeilt_ladder_beleid_of_audit(backend, sjablonen, demosleutel, acties):
    url, opruimen = _verse_db(backend, sjablonen)
    try:
        asyncio.run(_scenario(url, demosleutel, acties))
    finally:
        opruimen()
