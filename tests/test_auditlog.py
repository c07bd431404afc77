"""Het auditlog (toegang.md regels 7 en 8): alles vastgelegd, in dezelfde transactie, onherschrijfbaar."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from domein import audit
from domein.opslag.tabellen import auditregel, casus, casus_persoonsgegevens
from tests.conftest import codes
from tests.hulp import (
    CASUSSEN,
    NIJMEGEN,
    REGISTREER_CASUS,
    WIJCHEN,
    casus_invoer,
    registreer_casus,
    schakel_triggers,
)


async def _regels(engine) -> list[dict]:
    async with engine.connect() as conn:
        return [
            dict(r) for r in (await conn.execute(sa.select(auditregel).order_by(auditregel.c.volgnummer))).mappings()
        ]


async def test_registratie_legt_auditregel_vast_zonder_bsn_of_naam(api):
    casus = await registreer_casus(api, NIJMEGEN, naam="Geheime Naam")
    regels = await _regels(api.engine)
    registratie = [r for r in regels if r["operatie"] == "registreren"]
    assert len(registratie) == 1
    r = registratie[0]
    assert (r["rol"], r["organisatie"], r["verantwoordelijke"], r["doel"]) == (
        "consulent",
        NIJMEGEN,
        NIJMEGEN,
        "uitvoering",
    )
    assert r["uitkomst"] == "geslaagd" and r["object_type"] == "casus"
    assert r["categorieen"] == ["persoonsgegevens.identificatie", "persoonsgegevens.zorgbehoefte"]
    tekst = json.dumps(regels, default=str)
    assert casus["inwoner"]["bsn"] not in tekst and "Geheime Naam" not in tekst
    assert len(r["betrokkenen"]) == 1 and len(r["betrokkenen"][0]) == 64


async def test_elke_lezing_van_persoonsgegevens_wordt_per_casus_vastgelegd(api):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    voor = len(await _regels(api.engine))
    await api.als("consulent", NIJMEGEN, CASUSSEN)
    nieuw = (await _regels(api.engine))[voor:]
    assert len(nieuw) == 3
    assert {r["operatie"] for r in nieuw} == {"lezen"}
    assert all(r["categorieen"] == ["persoonsgegevens.identificatie", "persoonsgegevens.zorgbehoefte"] for r in nieuw)
    assert len({r["object_id"] for r in nieuw}) == 3


async def test_alleen_tellen_leest_geen_persoonsgegevens_en_schrijft_geen_lezing(api):
    await registreer_casus(api, NIJMEGEN)
    voor = len(await _regels(api.engine))
    antwoord = await api.als("consulent", NIJMEGEN, "{ casussen { totalCount } }")
    assert antwoord["data"]["casussen"]["totalCount"] == 1
    assert len(await _regels(api.engine)) == voor


async def test_geweigerde_poging_wordt_vastgelegd_ook_als_de_mutatie_terugdraait(api):
    antwoord = await api.als("contractmanager", None, REGISTREER_CASUS, {"input": casus_invoer()})
    assert codes(antwoord) == ["FORBIDDEN"]
    regels = await _regels(api.engine)
    assert [(r["rol"], r["uitkomst"], r["object_type"]) for r in regels] == [
        ("contractmanager", "geweigerd", "Mutation.registreerCasus")
    ]


async def test_poging_op_casus_van_andere_gemeente_komt_bij_die_gemeente_in_het_log(api):
    vreemd = await registreer_casus(api, WIJCHEN)
    await api.als("consulent", NIJMEGEN, "query($id: ID!) { casus(id: $id) { id } }", {"id": vreemd["id"]})
    laatste = (await _regels(api.engine))[-1]
    assert (laatste["uitkomst"], laatste["verantwoordelijke"], laatste["organisatie"]) == (
        "niet_gevonden",
        WIJCHEN,
        NIJMEGEN,
    )


async def test_database_weigert_update_en_delete_op_auditlog(api):
    await registreer_casus(api, NIJMEGEN)
    voor = await _regels(api.engine)
    for sql in ("UPDATE auditregel SET uitkomst = 'vervalst'", "DELETE FROM auditregel"):
        with pytest.raises(DBAPIError):
            async with api.engine.begin() as conn:
                await conn.execute(sa.text(sql))
    assert await _regels(api.engine) == voor


async def test_postgresql_weigert_ook_truncate_op_auditlog(api):
    if api.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE bestaat alleen op PostgreSQL")
    await registreer_casus(api, NIJMEGEN)
    with pytest.raises(DBAPIError):
        async with api.engine.begin() as conn:
            await conn.execute(sa.text("TRUNCATE auditregel"))


async def test_verify_vindt_de_eerste_gewijzigde_regel(api):
    for _ in range(4):
        await registreer_casus(api, NIJMEGEN)
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact
    regels = await _regels(api.engine)
    await schakel_triggers(api.engine, aan=False)
    async with api.engine.begin() as conn:
        await conn.execute(
            auditregel.update().where(auditregel.c.volgnummer == regels[2]["volgnummer"]).values(sub="iemand-anders")
        )
    async with api.engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.eerste_breuk == regels[2]["volgnummer"] and uitslag.aantal == 2


async def test_verify_vindt_een_verwijderde_regel(api):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    regels = await _regels(api.engine)
    await schakel_triggers(api.engine, aan=False)
    async with api.engine.begin() as conn:
        await conn.execute(auditregel.delete().where(auditregel.c.volgnummer == regels[1]["volgnummer"]))
    async with api.engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.eerste_breuk == regels[2]["volgnummer"]


async def test_mislukte_auditschrijving_draait_de_registratie_terug(api, monkeypatch):
    async def kapot(*_a, **_k):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(audit, "schrijf", kapot)
    antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": casus_invoer()})
    assert codes(antwoord) == ["INTERNAL"] and antwoord["data"] is None
    assert "schijf vol" not in json.dumps(antwoord)
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(casus)) == 0
        assert await conn.scalar(sa.select(sa.func.count()).select_from(casus_persoonsgegevens)) == 0


async def test_mislukte_auditschrijving_bij_lezen_geeft_geen_persoonsgegevens_vrij(api, monkeypatch):
    geregistreerd = await registreer_casus(api, NIJMEGEN)

    async def kapot(*_a, **_k):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(audit, "schrijf", kapot)
    antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN)
    assert codes(antwoord) == ["INTERNAL"] and antwoord["data"] is None
    assert geregistreerd["inwoner"]["bsn"] not in json.dumps(antwoord)


async def test_gelijktijdige_registraties_houden_een_keten(api):
    await asyncio.gather(*(registreer_casus(api, g) for g in [NIJMEGEN, WIJCHEN] * 6))
    regels = await _regels(api.engine)
    # per registration: the registration itself and the read-back of the inwoner in the answer
    assert len(regels) == 24
    assert len({r["vorige_hash"] for r in regels}) == 24
    async with api.engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.intact and uitslag.aantal == 24


async def test_privacy_officer_ziet_alleen_regels_over_eigen_organisatie(api):
    await registreer_casus(api, NIJMEGEN)
    await registreer_casus(api, WIJCHEN)
    q = "{ auditLog(first: 50) { totalCount edges { node { verantwoordelijke operatie betrokkenen } } } }"
    antwoord = await api.als("privacy_officer", WIJCHEN, q)
    knopen = [e["node"] for e in antwoord["data"]["auditLog"]["edges"]]
    assert knopen and {k["verantwoordelijke"] for k in knopen} == {WIJCHEN}
    assert antwoord["data"]["auditLog"]["totalCount"] == 2  # registration + read-back in the answer
    for rol, gemeente in (("consulent", NIJMEGEN), ("contractmanager", None), ("beheerder", None)):
        assert codes(await api.als(rol, gemeente, q)) == ["FORBIDDEN"]


async def test_auditlog_filtert_op_operatie_en_objecttype(api):
    c = await registreer_casus(api, NIJMEGEN)
    await api.als("consulent", NIJMEGEN, CASUSSEN)
    q = """query($f: AuditFilter) { auditLog(filter: $f) { totalCount edges { node { operatie objectType } } } }"""
    antwoord = await api.als("privacy_officer", NIJMEGEN, q, {"f": {"operatie": "lezen", "objectType": "casus"}})
    assert antwoord["data"]["auditLog"]["totalCount"] == 2  # read-back after registering, and the list
    import base64

    intern_id = base64.urlsafe_b64decode(c["id"] + "==").decode().split(":")[1]
    antwoord = await api.als("privacy_officer", NIJMEGEN, q, {"f": {"objectId": intern_id}})
    assert antwoord["data"]["auditLog"]["totalCount"] == 3


async def test_tijd_loopt_in_de_keten_nooit_terug_ook_niet_als_de_klok_terugspringt(api, monkeypatch):
    """Along a chain time never runs backwards, so the export (in (tijdstip, volgnummer) order) keeps each
    chain in its own order."""
    from datetime import UTC, datetime, timedelta

    await registreer_casus(api, NIJMEGEN)

    class Terug(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime.now(tz or UTC) - timedelta(hours=1)

    monkeypatch.setattr(audit, "datetime", Terug)
    await registreer_casus(api, NIJMEGEN)
    regels = await _regels(api.engine)
    tijden = [r["tijdstip"] for r in regels]
    assert tijden == sorted(tijden) and len(regels) == 4
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact
