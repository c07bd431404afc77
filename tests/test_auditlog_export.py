"""Export van het auditlog als JSON-regels in de vorm van VNG Verwerkingenlogging, gestreamd."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from domein import auditlog
from domein.actor import Actor, Rol
from domein.toegang import Bereik, Besluit
from tests.hulp import NIJMEGEN, WIJCHEN, registreer_casus

VNG_VELDEN = {
    "actieId", "actieNaam", "handelingNaam", "verwerkingId", "verwerkingNaam", "verwerkingsactiviteitId",
    "vertrouwelijkheid", "bewaartermijn", "uitvoerder", "systeem", "gebruiker", "gegevensbron", "tijdstip",
    "tijdstipRegistratie", "verwerkteObjecten",
}  # fmt: skip


async def _export(api, rol, gemeente, **params):
    return await api.client.get(
        "/auditlog/export", params=params, headers={"Authorization": f"Bearer {api.token(rol, gemeente)}"}
    )


async def test_export_geeft_de_eigen_organisatie_in_vng_vorm_met_de_hashketen(api):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    await registreer_casus(api, WIJCHEN)
    vandaag = datetime.now(UTC).date()
    antwoord = await _export(api, "privacy_officer", NIJMEGEN, van=str(vandaag), tot=str(vandaag + timedelta(days=1)))
    assert antwoord.status_code == 200 and antwoord.headers["content-type"].startswith("application/x-ndjson")
    regels = [json.loads(r) for r in antwoord.text.splitlines()]
    # 3 registrations, 3 read-backs, and the export itself (recorded before the first line went out)
    assert len(regels) == 7
    assert all(VNG_VELDEN <= set(r) for r in regels)
    assert {r["verantwoordelijke"] for r in regels} == {NIJMEGEN}
    assert regels[-1]["actieNaam"] == "auditlog exporteren"
    personen = [o for r in regels for o in r["verwerkteObjecten"] if o["objecttype"] == "persoon"]
    assert personen and all(o["soortObjectId"] == "pseudoniem" and len(o["objectId"]) == 64 for o in personen)
    assert [r["volgnummer"] for r in regels] == sorted(r["volgnummer"] for r in regels)


async def test_export_loopt_in_blokken_zonder_iets_over_te_slaan(api):
    for _ in range(5):
        await registreer_casus(api, NIJMEGEN)
    actor = Actor("po", Rol.PRIVACY_OFFICER, NIJMEGEN)
    opdracht = auditlog.Exportopdracht(actor, Besluit(True, Bereik.EIGEN_ORGANISATIE, "verantwoording"), None, None)
    in_blokken = [r["volgnummer"] async for r in auditlog.exporteer(api.engine, opdracht, blok=2)]
    in_een_keer = [r["volgnummer"] async for r in auditlog.exporteer(api.engine, opdracht, blok=1000)]
    assert in_blokken == in_een_keer and len(in_een_keer) == 10


async def test_export_alleen_voor_de_privacy_officer_met_nette_fouten(api):
    assert (await api.client.get("/auditlog/export")).status_code == 401
    geweigerd = await _export(api, "consulent", NIJMEGEN)
    assert geweigerd.status_code == 403 and geweigerd.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    fout = await _export(api, "privacy_officer", NIJMEGEN, van="gisteren")
    assert fout.status_code == 400 and fout.json()["errors"][0]["extensions"]["veld"] == "van"
    omgekeerd = await _export(api, "privacy_officer", NIJMEGEN, van="2026-02-01", tot="2026-01-01")
    assert omgekeerd.status_code == 400
    ander = await _export(api, "privacy_officer", WIJCHEN, van="2000-01-01")
    assert [json.loads(r)["actieNaam"] for r in ander.text.splitlines()] == ["auditlog exporteren"]


async def test_export_van_een_periode_neemt_alles_daarbinnen_en_niets_daarbuiten(api):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    actor = Actor("po", Rol.PRIVACY_OFFICER, NIJMEGEN)
    besluit = Besluit(True, Bereik.EIGEN_ORGANISATIE, "verantwoording")
    nu = datetime.now(UTC)

    async def nummers(van, tot):
        opdracht = auditlog.Exportopdracht(actor, besluit, van, tot)
        return [r["volgnummer"] async for r in auditlog.exporteer(api.engine, opdracht, blok=2)]

    alles = await nummers(None, None)
    assert await nummers(nu - timedelta(days=1), nu + timedelta(days=1)) == alles and len(alles) == 6
    assert await nummers(nu + timedelta(days=1), None) == []
    assert await nummers(None, nu - timedelta(days=1)) == []


async def test_export_over_ketens_die_tegelijk_groeien_mist_niets_aan_de_randen_van_de_periode(engine, monkeypatch):
    """Each verantwoordelijke has its own chain, appended in parallel: a later volgnummer can carry an
    earlier time than a record of another chain. A period is then no volgnummer range; the export
    must still give every record in it, each chain in its own order."""
    from domein import audit
    from domein.audit import AuditRegel, Operatie, Uitkomst

    basis = datetime(2026, 3, 2, 10, tzinfo=UTC)
    klok = iter([basis + timedelta(seconds=s) for s in (2, 1.5, 3, 2.5)])

    class Klok(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return next(klok)

    monkeypatch.setattr(audit, "datetime", Klok)
    actor = Actor("rmz", Rol.RMZ_MEDEWERKER, None)
    for verantwoordelijke in (NIJMEGEN, WIJCHEN, NIJMEGEN, WIJCHEN):  # volgnummers 1..4, times 2, 1.5, 3, 2.5
        regel = AuditRegel(
            actor, "kwaliteit_handhaving", "melding raadplegen", Operatie.LEZEN, "melding", "m",
            verantwoordelijke, Uitkomst.GESLAAGD,
        )  # fmt: skip
        async with engine.begin() as conn:
            await audit.schrijf(conn, [regel], "verzoek")
    po = Actor("po", Rol.PRIVACY_OFFICER, None)
    besluit = Besluit(True, Bereik.REGIO, "verantwoording")

    async def tijden(van, tot):
        opdracht = auditlog.Exportopdracht(po, besluit, van, tot)
        return [r["tijdstip"] async for r in auditlog.exporteer(engine, opdracht, blok=1)]

    def t(s: float) -> str:
        return (basis + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    assert await tijden(basis + timedelta(seconds=1.2), None) == [t(1.5), t(2), t(2.5), t(3)]
    assert await tijden(None, basis + timedelta(seconds=2.7)) == [t(1.5), t(2), t(2.5)]
    assert await tijden(basis + timedelta(seconds=1.7), basis + timedelta(seconds=2.7)) == [t(2), t(2.5)]
    async with engine.connect() as conn:
        assert (await audit.verifieer(conn)).ketens == 2
