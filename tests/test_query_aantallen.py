"""N+1 bewaking: lijstvelden draaien een vast aantal SQL-statements, los van de paginagrootte."""

from __future__ import annotations

from tests.hulp import NIJMEGEN, registreer_casus

CASUSSEN_GENEST = """
query($first: Int) { casussen(first: $first) {
  totalCount edges { node { id status gemeente { code naam } inwoner { bsn naam geboortedatum } hulpvraag } } } }
"""

AANBIEDERS_GENEST = """
query($first: Int) { aanbieders(first: $first) { totalCount edges { node { naam
  contracten { naam aanbieder { naam } deelnemendeGemeenten { naam } budgetplafonds { jaar bedrag } } } } } }
"""

CONTRACTEN_GENEST = """
query($first: Int) { contracten(first: $first) { totalCount edges { node { naam
  aanbieder { naam } deelnemendeGemeenten { naam } budgetplafonds { jaar bedrag } } } } }
"""


async def _tel(api, rol, gemeente, query, first) -> int:
    api.sql.reset()
    antwoord = await api.als(rol, gemeente, query, {"first": first})
    assert "errors" not in antwoord, antwoord
    return api.sql.aantal


async def test_casussen_met_gemeente_en_inwoner_vast_aantal_statements(api):
    for _ in range(12):
        await registreer_casus(api, NIJMEGEN)
    klein = await _tel(api, "consulent", NIJMEGEN, CASUSSEN_GENEST, 2)
    groot = await _tel(api, "consulent", NIJMEGEN, CASUSSEN_GENEST, 50)
    assert klein == groot
    # BEGIN, policy version, page, count, gemeente, persoonsgegevens,
    # audit: last hash + insert + pseudonym index (+ advisory lock on PG)
    verwacht = 10 if api.engine.dialect.name == "postgresql" else 9
    assert groot <= verwacht, api.sql.statements


async def test_aanbieders_met_geneste_contracten_vast_aantal_statements(api):
    nummers = iter(range(10))

    async def aanbieder_met_contracten(n: int) -> None:
        i = next(nummers)
        a = await api.als(
            "beheerder",
            None,
            """mutation($i: RegistreerAanbiederInput!) {
            registreerAanbieder(input: $i) { id } }""",
            {"i": {"naam": f"A{i}", "kvk": f"9100000{i}", "agb": f"9800000{i}"}},
        )
        aid = a["data"]["registreerAanbieder"]["id"]
        for j in range(n):
            r = await api.als(
                "beheerder",
                None,
                """mutation($i: RegistreerContractInput!) {
                registreerContract(input: $i) { id } }""",
                {
                    "i": {
                        "aanbiederId": aid,
                        "soort": "RAAMCONTRACT",
                        "naam": f"C{i}-{j}",
                        "percelen": ["P"],
                        "ingangsdatum": "2026-01-01",
                        "einddatum": "2027-12-31",
                        "deelnemendeGemeenten": ["0268", "0296"],
                        "contractmanager": "CM",
                        "budgetplafonds": [{"jaar": 2026, "bedrag": "1000.00"}],
                    }
                },
            )
            assert "errors" not in r, r

    for n in (1, 2, 3, 1, 2, 3):
        await aanbieder_met_contracten(n)
    klein = await _tel(api, "contractmanager", None, AANBIEDERS_GENEST, 1)
    groot = await _tel(api, "contractmanager", None, AANBIEDERS_GENEST, 6)
    assert klein == groot, api.sql.statements
    klein = await _tel(api, "consulent", "0268", CONTRACTEN_GENEST, 1)
    groot = await _tel(api, "consulent", "0268", CONTRACTEN_GENEST, 12)
    assert klein == groot, api.sql.statements


RMZ_INBOX = """
query($first: Int) { meldingen(first: $first) { totalCount edges { node { id status route categorie termijn
  termijnVerstreken samenvatting stappen { stap toelichting } aanbieder { naam kvk } gemeente { naam }
  betrokkenen { soort naam } pseudoniem terugkoppeling } } } }
"""


async def test_rmz_inbox_vast_aantal_statements(api):
    from tests.hulp_signalen import melding_bij_rmz

    for gemeente in (NIJMEGEN, "0296", "1945", NIJMEGEN, "0296", "1945"):
        await melding_bij_rmz(api, gemeente)
    klein = await _tel(api, "rmz_medewerker", None, RMZ_INBOX, 1)
    groot = await _tel(api, "rmz_medewerker", None, RMZ_INBOX, 6)
    assert klein == groot, api.sql.statements


STATISTIEK_GENEST = """query($van: Date, $tot: Date) { signaalStatistiek(groepeerOp: [AANBIEDER, GEMEENTE, MAAND],
  van: $van, tot: $tot) { aanbieder { naam kvk } gemeente { naam } maand aantal onderdrukt } }"""


async def test_statistiek_met_aanbieder_en_gemeente_vast_aantal_statements(api, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from domein.verzoek import Verzoek
    from tests.hulp_signalen import aanbieder, signaal_in_stap_1

    deze = datetime.now(UTC).date().replace(day=1)
    maand = (deze - timedelta(days=1)).replace(day=1)
    tot = deze - timedelta(days=1)

    async def tel() -> int:
        api.sql.reset()
        r = await api.als(
            "contractmanager", None, STATISTIEK_GENEST, {"van": maand.isoformat(), "tot": tot.isoformat()}
        )
        assert "errors" not in r, r
        return api.sql.aantal, len(r["data"]["signaalStatistiek"])

    ids = [await aanbieder(api) for _ in range(4)]
    monkeypatch.setattr(Verzoek, "nu", lambda self: datetime(maand.year, maand.month, 3, 10, tzinfo=UTC))
    await signaal_in_stap_1(api, NIJMEGEN, aanbieder_id=ids[0])
    monkeypatch.undo()
    weinig, cellen_weinig = await tel()
    monkeypatch.setattr(Verzoek, "nu", lambda self: datetime(maand.year, maand.month, 3, 10, tzinfo=UTC))
    for aid in ids:
        for g in ("0296", "0209"):
            await signaal_in_stap_1(api, g, aanbieder_id=aid)
    monkeypatch.undo()
    veel, cellen_veel = await tel()
    assert cellen_veel > cellen_weinig
    assert veel == weinig, api.sql.statements
    # BEGIN, policy version, month versions, that month's facts, aanbieders, gemeenten,
    # audit: last hash + insert (+ lock on PG)
    assert veel <= (9 if api.engine.dialect.name == "postgresql" else 8), api.sql.statements
    warm, _ = await tel()
    assert warm == veel - 1, "a month whose version did not change is read from the cache"


async def test_datalekken_met_meldingen_en_gemeenten_vast_aantal_statements(api):
    from datetime import UTC, datetime

    from tests.test_datalekken import REGISTREER, _invoer

    for _ in range(6):
        casus = await registreer_casus(api, NIJMEGEN)
        await api.als(
            "privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC), casusIds=[casus["id"]])}
        )
    lijst = """query($first: Int) { datalekken(first: $first) { totalCount edges { node { id apStatus
      betrokkenGemeenten { naam } meldingen { organisatie gemeente { naam } } objecten { objectId } } } } }"""
    klein = await _tel(api, "privacy_officer", NIJMEGEN, lijst, 2)
    groot = await _tel(api, "privacy_officer", NIJMEGEN, lijst, 6)
    assert klein == groot, api.sql.statements
    # BEGIN, policy version, page, datalekken, meldingen, objecten, count, gemeenten, audit (+ lock on PG)
    assert groot <= (11 if api.engine.dialect.name == "postgresql" else 10), api.sql.statements
