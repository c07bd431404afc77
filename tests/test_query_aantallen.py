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
    # BEGIN, page, count, gemeente, persoonsgegevens, audit: last hash + insert (+ advisory lock on PG)
    verwacht = 8 if api.engine.dialect.name == "postgresql" else 7
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
