"""N+1 bewaking: lijstvelden draaien een vast aantal SQL-statements, los van paginagrootte en aantal rijen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLObjectType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    get_nullable_type,
    parse,
    validate,
    visit,
)

from tests.hulp import NIJMEGEN, WIJCHEN, nieuw_bsn, registreer_casus
from tests.hulp_signalen import ESCALEER, aanbieder, behandel, naar_stap_2, signaal_in_stap_1, stap_3

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
    # policy version, page, count, gemeente, persoonsgegevens, audit: SQLite last hash + insert + pseudonym
    # index plus BEGIN IMMEDIATE; PostgreSQL one auditketen_toevoegen (lock, last hash, both inserts)
    assert groot == {"sqlite": 9, "postgresql": 6}[api.engine.dialect.name], api.sql.statements


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
    # policy version, month versions, stored tables (none of this version), that month's facts with its version,
    # storing the protected month tables (remove older versions, headers, cells), aanbieders, gemeenten,
    # audit: SQLite BEGIN IMMEDIATE + last hash + insert; PostgreSQL one auditketen_toevoegen
    assert veel == {"sqlite": 12, "postgresql": 10}[api.engine.dialect.name], api.sql.statements
    warm, _ = await tel()
    # Months whose version did not change: the answer comes from the process (a new process reads the stored
    # tables instead of the facts: tests/test_statistiek_opslag.py).
    assert warm == veel - 5, api.sql.statements


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
    # policy version, page, datalekken, meldingen, objecten, count, gemeenten, audit: SQLite last hash + insert
    # + BEGIN IMMEDIATE; PostgreSQL one auditketen_toevoegen (lock, last hash, inserts in one statement)
    assert groot == {"sqlite": 10, "postgresql": 8}[api.engine.dialect.name], api.sql.statements


# --- Elk lijstveld: een vast aantal statements, ook als het aantal rijen groeit (issue 11).
#
# Each test below builds 2 rows (with their nested relations), counts the statements of one request,
# builds 10 more and counts again: the counts must be equal and equal to the pinned number per
# database, so an extra round trip (or one per row) fails here. DEKKING at the bottom maps every list
# or connection field of schema.graphql to the test and query that cover it;
# test_elk_lijstveld_heeft_een_query_count_test fails for a new list field without one.
# Where a request writes audit, PostgreSQL runs 2–3 statements fewer than SQLite: one call of
# auditketen_toevoegen (migration 0008) instead of the lock, the last hash and the inserts.


async def _groeit_niet(
    api: Any,
    rol: str,
    gemeente: str | None,
    query: str,
    maak: Callable[[int], Awaitable[Any]],
    rijen: Callable[[dict[str, Any]], int],
    verwacht: dict[str, int],
    variabelen: dict[str, Any] | None = None,
) -> None:
    """Build 2 rows, count; build 10 more, count again: equal, and exactly ``verwacht`` for this database."""

    async def tel() -> tuple[int, int]:
        api.sql.reset()
        antwoord = await api.als(rol, gemeente, query, variabelen)
        assert "errors" not in antwoord, antwoord
        return api.sql.aantal, rijen(antwoord["data"])

    await maak(2)
    klein, rijen_klein = await tel()
    statements_klein = api.sql.statements
    await maak(10)
    groot, rijen_groot = await tel()
    assert rijen_groot > rijen_klein, (rijen_klein, rijen_groot)
    assert klein == groot, (statements_klein, api.sql.statements)
    assert groot == verwacht[api.engine.dialect.name], api.sql.statements


def _knopen(data: dict[str, Any], veld: str) -> list[dict[str, Any]]:
    return [e["node"] for e in data[veld]["edges"]]


GEMEENTEN = "{ gemeenten { id code naam } ik { sub gemeente { naam } } }"


async def test_gemeenten_vast_aantal_statements(api):
    # The seven gemeenten are fixed (migration data): no rows to add, so only the pinned count.
    api.sql.reset()
    antwoord = await api.als("consulent", NIJMEGEN, GEMEENTEN)
    assert "errors" not in antwoord, antwoord
    assert len(antwoord["data"]["gemeenten"]) == 7
    # policy version, all gemeenten, ik.gemeente; SQLite adds BEGIN IMMEDIATE (no audit: no lock on PG)
    assert api.sql.aantal == {"sqlite": 4, "postgresql": 3}[api.engine.dialect.name], api.sql.statements


AANBIEDERS_ALLES = """query { aanbieders(first: 50) { totalCount edges { node { naam
  bibobOnderzoeken { organisatie gestartOp beeindigdOp loopt }
  contracten { naam percelen aanbieder { naam } deelnemendeGemeenten { naam }
    budgetplafonds { jaar bedrag } } } } } }"""
CONTRACTEN_ALLES = """query { contracten(first: 50) { totalCount edges { node { naam percelen soort
  aanbieder { naam bibobOnderzoeken { organisatie } } deelnemendeGemeenten { naam }
  budgetplafonds { jaar bedrag } } } } }"""
BIBOB = "mutation($i: BibobInput!) { meldBibobOnderzoek(input: $i) { id } }"
CONTRACT = "mutation($i: RegistreerContractInput!) { registreerContract(input: $i) { id } }"


def _contract_invoer(aid: str, n: int, jaar: int = 2026) -> dict[str, Any]:
    return {
        "aanbiederId": aid,
        "soort": "RAAMCONTRACT",
        "naam": f"Contract {n}",
        "percelen": ["Begeleiding", "Dagbesteding"],
        "ingangsdatum": f"{jaar - 1}-01-01",
        "einddatum": None,
        "deelnemendeGemeenten": [NIJMEGEN, WIJCHEN],
        "contractmanager": "CM",
        "budgetplafonds": [{"jaar": jaar, "bedrag": "1000.00"}, {"jaar": jaar + 1, "bedrag": "2000.00"}],
    }


def _aanbieders_met_contracten(api: Any, jaar: int = 2026) -> Callable[[int], Awaitable[list[str]]]:
    """n aanbieders, each with one contract (two gemeenten, two plafonds) and a running Bibob-onderzoek."""
    nummer = iter(range(100))

    async def maak(n: int) -> list[str]:
        ids = []
        for _ in range(n):
            aid = await aanbieder(api)
            r = await api.als("contractmanager", None, CONTRACT, {"i": _contract_invoer(aid, next(nummer), jaar)})
            assert "errors" not in r, r
            r = await api.als("contractmanager", None, BIBOB, {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART"}})
            assert "errors" not in r, r
            ids.append(aid)
        return ids

    return maak


async def test_aanbieders_met_contracten_en_bibob_groeit_niet_met_de_rijen(api):
    maak = _aanbieders_met_contracten(api)
    await _groeit_niet(
        api, "contractmanager", None, AANBIEDERS_ALLES, maak,
        lambda d: sum(len(a["contracten"]) + len(a["bibobOnderzoeken"]) for a in _knopen(d, "aanbieders")),
        {"sqlite": 12, "postgresql": 10},
    )  # fmt: skip


async def test_contracten_met_gemeenten_en_plafonds_groeit_niet_met_de_rijen(api):
    maak = _aanbieders_met_contracten(api)
    await _groeit_niet(
        api, "contractmanager", None, CONTRACTEN_ALLES, maak,
        lambda d: sum(len(c["deelnemendeGemeenten"]) + len(c["budgetplafonds"]) for c in _knopen(d, "contracten")),
        {"sqlite": 11, "postgresql": 9},
    )  # fmt: skip


CASUSSEN_ALLES = """query { casussen(first: 50) { totalCount edges { node { id status leefdomeinen urgentie
  gemeente { naam } inwoner { bsn naam geboortedatum } hulpvraag } } } }"""


async def test_casussen_met_leefdomeinen_en_inwoner_groeit_niet_met_de_rijen(api):
    async def maak(n: int) -> None:
        for _ in range(n):
            await registreer_casus(api, NIJMEGEN)

    await _groeit_niet(
        api, "consulent", NIJMEGEN, CASUSSEN_ALLES, maak, lambda d: len(_knopen(d, "casussen")),
        {"sqlite": 9, "postgresql": 6},
    )  # fmt: skip


def _signalen_met_melding(api: Any) -> Callable[[int], Awaitable[None]]:
    """n signalen with a casus, escalated to stap 3 (a melding with two betrokkenen), in behandeling with
    terugkoppeling; and n signalen that stay in stap 1."""

    async def maak(n: int) -> None:
        for _ in range(n):
            casus = await registreer_casus(api, NIJMEGEN)
            s = await signaal_in_stap_1(api, NIJMEGEN, casusId=casus["id"])
            await naar_stap_2(api, s["id"])
            r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
            assert "errors" not in r, r
            mid = r["data"]["escaleerSignaal"]["melding"]["id"]
            r = await behandel(api, "rmz_medewerker", mid, "IN_BEHANDELING", terugkoppeling="Wij pakken het op")
            assert "errors" not in r, r
            await signaal_in_stap_1(api, NIJMEGEN)

    return maak


SIGNALEN_ALLES = """query { signalen(first: 50) { totalCount edges { node { id stap termijnVerstreken
  gemeente { naam } aanbieder { naam } casus { id leefdomeinen inwoner { naam } }
  stappen { stap titel toelichting afspraken door }
  melding { id status stappen { stap } terugkoppeling handelingen { naarStatus }
    signaal { id } aanbieder { naam } gemeente { naam } } } } } }"""


async def test_signalen_met_stappen_casus_en_melding_groeit_niet_met_de_rijen(api):
    await _groeit_niet(
        api, "kwaliteitsmedewerker", NIJMEGEN, SIGNALEN_ALLES, _signalen_met_melding(api),
        lambda d: sum(len(s["stappen"]) for s in _knopen(d, "signalen")),
        {"sqlite": 17, "postgresql": 14},  # +2: reading a melding's full free text is audited (with pseudonyms)
    )  # fmt: skip


MELDINGEN_ALLES = """query { meldingen(first: 50) { totalCount edges { node { id status termijnVerstreken samenvatting
  stappen { stap toelichting } betrokkenen { soort naam bsn } pseudoniem terugkoppeling
  handelingen { vanStatus naarStatus gegevens op door } gemeente { naam } aanbieder { naam } } } } }"""


async def test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen(api):
    await _groeit_niet(
        api, "rmz_medewerker", None, MELDINGEN_ALLES, _signalen_met_melding(api),
        lambda d: sum(len(m["betrokkenen"]) + len(m["handelingen"]) for m in _knopen(d, "meldingen")),
        {"sqlite": 15, "postgresql": 12},  # +2: reading a melding's full free text is audited (with pseudonyms)
    )  # fmt: skip


AUDITLOG_ALLES = """query { auditLog(first: 100) { totalCount edges { node { id tijdstip operatie objectType
  categorieen betrokkenen hash vorigeHash } } } }"""


async def test_auditlog_groeit_niet_met_de_rijen(api):
    async def maak(n: int) -> None:
        for _ in range(n):
            await registreer_casus(api, NIJMEGEN)

    await _groeit_niet(
        api, "privacy_officer", NIJMEGEN, AUDITLOG_ALLES, maak, lambda d: len(_knopen(d, "auditLog")),
        {"sqlite": 6, "postgresql": 4},
    )  # fmt: skip


JAAR = datetime.now(UTC).year - 1  # a whole past year, as in test_zorgkosten_uitnutting
ZORGKOSTEN_ALLES = """query($j: Int!) { zorgkosten(jaar: $j) { product maand bedrag
  aanbieder { naam bibobOnderzoeken { organisatie } } gemeente { naam } } }"""
UITNUTTING_ALLES = """query($j: Int!) { contractUitnutting(jaar: $j) { jaar plafond gerealiseerd peilmaand prognose
  uitnuttingProcent afwijking { soort procent } gemeente { naam }
  contract { naam percelen aanbieder { naam } deelnemendeGemeenten { naam } budgetplafonds { jaar bedrag } } } }"""
LEVER = "mutation($i: LeverZorgkostenAanInput!) { leverZorgkostenAan(input: $i) { aantalRegels } }"


def _contracten_met_kosten(api: Any) -> Callable[[int], Awaitable[None]]:
    """n aanbieders with a contract; per aanbieder two months of kosten in Nijmegen and one in Wijchen."""
    maak_aanbieders = _aanbieders_met_contracten(api, JAAR)

    async def maak(n: int) -> None:
        for aid in await maak_aanbieders(n):
            for gemeente, maanden in ((NIJMEGEN, (1, 2)), (WIJCHEN, (1,))):
                regels = [
                    {"aanbiederId": aid, "product": "Begeleiding", "maand": f"{JAAR}-{m:02d}", "bedrag": "100.00"}
                    for m in maanden
                ]
                r = await api.als("backoffice", gemeente, LEVER, {"i": {"regels": regels}})
                assert "errors" not in r, r

    return maak


async def test_zorgkosten_met_aanbieder_en_gemeente_groeit_niet_met_de_rijen(api):
    await _groeit_niet(
        api, "contractmanager", None, ZORGKOSTEN_ALLES, _contracten_met_kosten(api),
        lambda d: len(d["zorgkosten"]), {"sqlite": 8, "postgresql": 6}, {"j": JAAR},
    )  # fmt: skip


async def test_contractuitnutting_met_contract_en_gemeente_groeit_niet_met_de_rijen(api):
    await _groeit_niet(
        api, "contractmanager", None, UITNUTTING_ALLES, _contracten_met_kosten(api),
        lambda d: len(d["contractUitnutting"]), {"sqlite": 12, "postgresql": 10}, {"j": JAAR},
    )  # fmt: skip


BELEID_ALLES = """{ beleidsregels { rol resource actie bereik doel }
  beleidswijzigingen { id soort reden door op regel { rol resource actie bereik doel } } }"""
WIJZIG = """mutation($i: WijzigBeleidInput!) { wijzigBeleid(input: $i) { id } }"""


async def test_beleidsregels_en_beleidswijzigingen_groeien_niet_met_de_rijen(api):
    regel = {"rol": "consulent", "resource": "zorgkosten", "actie": "lezen", "bereik": "eigen_gemeente",
             "doel": "uitvoering"}  # fmt: skip

    async def maak(n: int) -> None:
        for i in range(n):
            soort = "VERWIJDEREN" if i % 2 == 0 else "TOEVOEGEN"
            r = await api.als("beheerder", None, WIJZIG, {"i": {"soort": soort, "regel": regel, "reden": "Overleg"}})
            assert "errors" not in r, r

    await _groeit_niet(
        api, "beheerder", None, BELEID_ALLES, maak, lambda d: len(d["beleidswijzigingen"]),
        {"sqlite": 4, "postgresql": 3},
    )  # fmt: skip


INZAGE_ALLES = """query($bsn: String!) { inzageverzoek(bsn: $bsn) { kenmerk bsn
  verwerkingen { tijdstip doel operatie organisatie objectType verwerkingsactiviteit } } }"""
CASUS = "query($id: ID!) { casus(id: $id) { inwoner { naam } } }"


async def test_inzageverzoek_met_verwerkingen_groeit_niet_met_de_rijen(api):
    bsn = nieuw_bsn()
    casus = await registreer_casus(api, NIJMEGEN, bsn=bsn)

    async def maak(n: int) -> None:
        for _ in range(n):
            r = await api.als("consulent", NIJMEGEN, CASUS, {"id": casus["id"]})
            assert "errors" not in r, r

    await _groeit_niet(
        api, "privacy_officer", NIJMEGEN, INZAGE_ALLES, maak, lambda d: len(d["inzageverzoek"]["verwerkingen"]),
        {"sqlite": 7, "postgresql": 4}, {"bsn": bsn},
    )  # fmt: skip


PRIVACYMELDINGEN_ALLES = """query { privacymeldingen(first: 50) { totalCount edges { node { id soort vanOrganisatie op
  objecten { objectType objectId } } } } }"""


async def test_privacymeldingen_met_objecten_groeien_niet_met_de_rijen(api):
    async def maak(n: int) -> None:
        # A person known in Nijmegen and Wijchen: Nijmegen's inzageverzoek informs Wijchen's privacy officer.
        for _ in range(n):
            bsn = nieuw_bsn()
            await registreer_casus(api, NIJMEGEN, bsn=bsn)
            await registreer_casus(api, WIJCHEN, bsn=bsn)
            r = await api.als("privacy_officer", NIJMEGEN, INZAGE_ALLES, {"bsn": bsn})
            assert "errors" not in r, r

    await _groeit_niet(
        api, "privacy_officer", WIJCHEN, PRIVACYMELDINGEN_ALLES, maak,
        lambda d: sum(len(m["objecten"]) for m in _knopen(d, "privacymeldingen")),
        {"sqlite": 6, "postgresql": 4},
    )  # fmt: skip


DATALEKKEN_ALLES = """query { datalekken(first: 50) { totalCount edges { node { id apStatus categorieen
  betrokkenGemeenten { naam } meldingen { organisatie gemeldOp gemeente { naam } } objecten { objectType objectId }
} } } }"""


async def test_datalekken_met_meldingen_en_objecten_groeien_niet_met_de_rijen(api):
    from tests.test_datalekken import REGISTREER, _invoer

    async def maak(n: int) -> None:
        for _ in range(n):
            ids = [(await registreer_casus(api, NIJMEGEN))["id"] for _ in range(2)]
            r = await api.als("privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC), casusIds=ids)})
            assert "errors" not in r, r

    await _groeit_niet(
        api, "privacy_officer", NIJMEGEN, DATALEKKEN_ALLES, maak,
        lambda d: sum(len(x["meldingen"]) + len(x["objecten"]) for x in _knopen(d, "datalekken")),
        {"sqlite": 10, "postgresql": 8},
    )  # fmt: skip


ARCHIEF_ALLES = """mutation($i: RaadpleegArchiefInput!) { raadpleegArchief(input: $i) { reden
  stappen { stap toelichting } betrokkenen { soort naam bsn } handelingen { vanStatus naarStatus gegevens }
  melding { id } } }"""


async def _gearchiveerde_melding(api: Any, betrokkenen: int) -> str:
    s = await signaal_in_stap_1(api, NIJMEGEN)
    await naar_stap_2(api, s["id"])
    namen = [{"soort": "MEDEWERKER", "naam": f"Medewerker {i}"} for i in range(betrokkenen)]
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"], betrokkenen=namen)})
    assert "errors" not in r, r
    mid = str(r["data"]["escaleerSignaal"]["melding"]["id"])
    for status, velden in (
        ("IN_BEHANDELING", {"terugkoppeling": "In behandeling"}),
        ("CONTRACTMANAGER_GEINFORMEERD", {"toelichting": "Contractmanager geïnformeerd"}),
        ("AFGEROND", {"uitkomst": "afspraken_nagekomen", "terugkoppeling": "Afgerond"}),
    ):
        r = await behandel(api, "rmz_medewerker", mid, status, **velden)
        assert "errors" not in r, r
    return mid


async def test_archiefinzage_met_stappen_betrokkenen_en_handelingen_groeit_niet_met_de_rijen(api):
    # One object per request: the rows that grow are its betrokkenen (2 against 12).
    uitkomst = []
    for aantal in (2, 12):
        mid = await _gearchiveerde_melding(api, aantal)
        api.sql.reset()
        r = await api.als(
            "rmz_medewerker", None, ARCHIEF_ALLES, {"i": {"meldingId": mid, "reden": "Klacht van de cliënt"}}
        )
        assert "errors" not in r, r
        assert len(r["data"]["raadpleegArchief"]["betrokkenen"]) == aantal
        uitkomst.append(api.sql.aantal)
    assert uitkomst[0] == uitkomst[1], api.sql.statements
    assert uitkomst[1] == {"sqlite": 9, "postgresql": 6}[api.engine.dialect.name], api.sql.statements


# --- Dekking: elk lijstveld van schema.graphql heeft een query-count test hierboven.

DEKKING: dict[str, tuple[Callable[..., Any], str]] = {
    "Query.gemeenten": (test_gemeenten_vast_aantal_statements, GEMEENTEN),
    "Query.aanbieders": (test_aanbieders_met_contracten_en_bibob_groeit_niet_met_de_rijen, AANBIEDERS_ALLES),
    "Aanbieder.bibobOnderzoeken": (test_aanbieders_met_contracten_en_bibob_groeit_niet_met_de_rijen, AANBIEDERS_ALLES),
    "Aanbieder.contracten": (test_aanbieders_met_contracten_en_bibob_groeit_niet_met_de_rijen, AANBIEDERS_ALLES),
    "Query.contracten": (test_contracten_met_gemeenten_en_plafonds_groeit_niet_met_de_rijen, CONTRACTEN_ALLES),
    "Contract.percelen": (test_contracten_met_gemeenten_en_plafonds_groeit_niet_met_de_rijen, CONTRACTEN_ALLES),
    "Contract.deelnemendeGemeenten": (
        test_contracten_met_gemeenten_en_plafonds_groeit_niet_met_de_rijen, CONTRACTEN_ALLES,
    ),
    "Contract.budgetplafonds": (test_contracten_met_gemeenten_en_plafonds_groeit_niet_met_de_rijen, CONTRACTEN_ALLES),
    "Query.casussen": (test_casussen_met_leefdomeinen_en_inwoner_groeit_niet_met_de_rijen, CASUSSEN_ALLES),
    "Casus.leefdomeinen": (test_casussen_met_leefdomeinen_en_inwoner_groeit_niet_met_de_rijen, CASUSSEN_ALLES),
    "Query.signalen": (test_signalen_met_stappen_casus_en_melding_groeit_niet_met_de_rijen, SIGNALEN_ALLES),
    "Signaal.stappen": (test_signalen_met_stappen_casus_en_melding_groeit_niet_met_de_rijen, SIGNALEN_ALLES),
    "Query.meldingen": (test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, MELDINGEN_ALLES),
    "Melding.stappen": (test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, MELDINGEN_ALLES),
    "Melding.betrokkenen": (test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, MELDINGEN_ALLES),
    "Melding.pseudoniem": (test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, MELDINGEN_ALLES),
    "Melding.terugkoppeling": (
        test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, MELDINGEN_ALLES,
    ),
    "Melding.handelingen": (test_meldingen_met_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, MELDINGEN_ALLES),
    "Query.auditLog": (test_auditlog_groeit_niet_met_de_rijen, AUDITLOG_ALLES),
    "AuditRegel.categorieen": (test_auditlog_groeit_niet_met_de_rijen, AUDITLOG_ALLES),
    "AuditRegel.betrokkenen": (test_auditlog_groeit_niet_met_de_rijen, AUDITLOG_ALLES),
    "Query.signaalStatistiek": (test_statistiek_met_aanbieder_en_gemeente_vast_aantal_statements, STATISTIEK_GENEST),
    "Query.zorgkosten": (test_zorgkosten_met_aanbieder_en_gemeente_groeit_niet_met_de_rijen, ZORGKOSTEN_ALLES),
    "Query.contractUitnutting": (
        test_contractuitnutting_met_contract_en_gemeente_groeit_niet_met_de_rijen, UITNUTTING_ALLES,
    ),
    "Query.beleidsregels": (test_beleidsregels_en_beleidswijzigingen_groeien_niet_met_de_rijen, BELEID_ALLES),
    "Query.beleidswijzigingen": (test_beleidsregels_en_beleidswijzigingen_groeien_niet_met_de_rijen, BELEID_ALLES),
    "Inzagerapport.verwerkingen": (test_inzageverzoek_met_verwerkingen_groeit_niet_met_de_rijen, INZAGE_ALLES),
    "Query.privacymeldingen": (test_privacymeldingen_met_objecten_groeien_niet_met_de_rijen, PRIVACYMELDINGEN_ALLES),
    "Privacymelding.objecten": (test_privacymeldingen_met_objecten_groeien_niet_met_de_rijen, PRIVACYMELDINGEN_ALLES),
    "Query.datalekken": (test_datalekken_met_meldingen_en_objecten_groeien_niet_met_de_rijen, DATALEKKEN_ALLES),
    "Datalek.categorieen": (test_datalekken_met_meldingen_en_objecten_groeien_niet_met_de_rijen, DATALEKKEN_ALLES),
    "Datalek.meldingen": (test_datalekken_met_meldingen_en_objecten_groeien_niet_met_de_rijen, DATALEKKEN_ALLES),
    "Datalek.objecten": (test_datalekken_met_meldingen_en_objecten_groeien_niet_met_de_rijen, DATALEKKEN_ALLES),
    "Datalek.betrokkenGemeenten": (
        test_datalekken_met_meldingen_en_objecten_groeien_niet_met_de_rijen, DATALEKKEN_ALLES,
    ),
    "Archiefinzage.stappen": (
        test_archiefinzage_met_stappen_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, ARCHIEF_ALLES,
    ),
    "Archiefinzage.betrokkenen": (
        test_archiefinzage_met_stappen_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, ARCHIEF_ALLES,
    ),
    "Archiefinzage.handelingen": (
        test_archiefinzage_met_stappen_betrokkenen_en_handelingen_groeit_niet_met_de_rijen, ARCHIEF_ALLES,
    ),
}  # fmt: skip

SCHEMA = Path(__file__).resolve().parent.parent / "schema.graphql"


def _lijstvelden(schema: Any) -> set[str]:
    """Every field returning a list or a connection; a connection's own edges belong to the field returning it."""
    uit = set()
    for naam, t in schema.type_map.items():
        if naam.startswith("__") or not isinstance(t, GraphQLObjectType) or naam.endswith("Connection"):
            continue
        for veld, definitie in t.fields.items():
            soort = get_nullable_type(definitie.type)
            if isinstance(soort, GraphQLList) or get_named_type(soort).name.endswith("Connection"):
                uit.add(f"{naam}.{veld}")
    return uit


def _gevraagde_velden(schema: Any, query: str) -> set[str]:
    document = parse(query)
    assert not validate(schema, document), validate(schema, document)
    type_info = TypeInfo(schema)
    gevraagd: set[str] = set()

    class Verzamel(Visitor):
        def enter_field(self, node: Any, *_: Any) -> None:
            ouder = type_info.get_parent_type()
            if ouder is not None:
                gevraagd.add(f"{ouder.name}.{node.name.value}")

    visit(document, TypeInfoVisitor(type_info, Verzamel()))
    return gevraagd


def test_elk_lijstveld_heeft_een_query_count_test():
    schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
    lijstvelden = _lijstvelden(schema)
    assert "Query.casussen" in lijstvelden and "Signaal.stappen" in lijstvelden  # the walk itself works
    ontbrekend = sorted(lijstvelden - DEKKING.keys())
    assert not ontbrekend, f"Lijstvelden zonder query-count test (voeg er een toe aan DEKKING): {ontbrekend}"
    assert not DEKKING.keys() - lijstvelden, "DEKKING noemt velden die geen lijstveld (meer) zijn"
    for veld, (test, query) in DEKKING.items():
        assert globals().get(test.__name__) is test and test.__name__.startswith("test_"), veld
        assert veld in _gevraagde_velden(schema, query), f"{test.__name__} vraagt {veld} niet op"
