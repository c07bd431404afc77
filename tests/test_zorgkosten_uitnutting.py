"""Zorgkosten en contractuitnutting (seed 001 art. 2, seed 004): aanlevering alles-of-niets, bereik per rol,
rekenwerk tegen handmatig uitgerekende voorbeelden, en de CSV-import op de opdrachtregel."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.relay import lees_globale_id
from domein.opslag.tabellen import auditregel, zorgkosten
from domein.uitnutting import Afwijkingssoort, afwijking, looptijd_maanden, prognose
from domein.zorgkosten import lees_bedrag
from tests.conftest import codes
from tests.hulp_signalen import aanbieder

NIJMEGEN, WIJCHEN, HEUMEN = "0268", "0296", "0252"
JAAR = datetime.now(UTC).year - 1  # a whole past year: no month lies in the future
LEVER = """mutation($i: LeverZorgkostenAanInput!) { leverZorgkostenAan(input: $i) { gemeente aantalRegels totaal } }"""
ZORGKOSTEN = """query($j: Int!) { zorgkosten(jaar: $j) { aanbieder { id } gemeente { code } product maand bedrag } }"""
UITNUTTING = """query($j: Int!, $a: Boolean) { contractUitnutting(jaar: $j, alleenAfwijkingen: $a) {
  contract { id naam } gemeente { code } plafond gerealiseerd peilmaand prognose uitnuttingProcent
  afwijking { soort procent } } }"""
CONTRACT = "mutation($i: RegistreerContractInput!) { registreerContract(input: $i) { id } }"


# --- rekenwerk, handmatig uitgerekend


def test_looptijd_is_het_deel_van_het_jaar_waarin_het_contract_loopt() -> None:
    assert looptijd_maanden(2026, date(2025, 1, 1), None) == (1, 12)
    assert looptijd_maanden(2026, date(2026, 4, 15), None) == (4, 12)
    assert looptijd_maanden(2026, date(2025, 1, 1), date(2026, 9, 30)) == (1, 9)
    assert looptijd_maanden(2026, date(2027, 1, 1), None) is None
    assert looptijd_maanden(2026, date(2024, 1, 1), date(2025, 12, 31)) is None


def test_prognose_trekt_het_maandgemiddelde_door_over_de_looptijd() -> None:
    # 45.000 in januari-maart, looptijd heel jaar: 15.000 per maand × 12 = 180.000
    assert prognose(Decimal("45000"), 1, 3, 12) == Decimal("180000.00")
    # contract vanaf april, 2 maanden (april, mei) 10.000: 5.000 × 9 maanden = 45.000
    assert prognose(Decimal("10000"), 4, 5, 12) == Decimal("45000.00")
    # afronding op centen: 100 / 3 × 12 = 400,00 (33,333… × 12)
    assert prognose(Decimal("100"), 1, 3, 12) == Decimal("400.00")
    assert prognose(Decimal("10"), 1, 3, 4) == Decimal("13.33")


def test_afwijkingssignaal_bij_overschrijding_en_bij_onderbenutting_boven_de_drempel() -> None:
    assert afwijking(Decimal("180000"), Decimal("120000"), Decimal(10)) == afwijking(
        Decimal("180000"), Decimal("120000"), Decimal(50)
    )
    boven = afwijking(Decimal("180000"), Decimal("120000"), Decimal(10))
    assert boven is not None and boven.soort is Afwijkingssoort.OVERSCHRIJDING and boven.procent == Decimal("50.0")
    assert afwijking(Decimal("120000.01"), Decimal("120000"), Decimal(10)) is not None, "any overrun is signalled"
    assert afwijking(Decimal("108000"), Decimal("120000"), Decimal(10)) is None, "exactly 10% under: no signal"
    onder = afwijking(Decimal("107999"), Decimal("120000"), Decimal(10))
    assert onder is not None and onder.soort is Afwijkingssoort.ONDERBENUTTING and onder.procent == Decimal("-10.0")
    assert afwijking(Decimal("60000"), Decimal("120000"), Decimal(60)) is None, "the percentage is configurable"


@pytest.mark.parametrize(
    "tekst,bedrag", [("1234.56", "1234.56"), ("1234,5", "1234.50"), ("€ 12", "12.00"), ("0", "0.00")]
)
def test_bedragen_met_punt_of_komma(tekst: str, bedrag: str) -> None:
    assert lees_bedrag(tekst) == Decimal(bedrag)


@pytest.mark.parametrize("tekst", ["1,234.56", "-5", "12,345", "abc", "NaN", "1e3x", ""])
def test_onleesbare_of_negatieve_bedragen_worden_geweigerd(tekst: str) -> None:
    with pytest.raises(ValueError):
        lees_bedrag(tekst)


# --- door de API


async def _contract(api: Any, aid: str, percelen: list[str], gemeenten: list[str], plafond: str, **kw: Any) -> str:
    invoer = {
        "aanbiederId": aid,
        "soort": "RAAMCONTRACT",
        "naam": "Raamcontract begeleiding",
        "percelen": percelen,
        "ingangsdatum": f"{JAAR - 1}-01-01",
        "einddatum": None,
        "deelnemendeGemeenten": gemeenten,
        "contractmanager": "Contractmanager ROB",
        "budgetplafonds": [{"jaar": JAAR, "bedrag": plafond}],
    } | kw
    r = await api.als("contractmanager", None, CONTRACT, {"i": invoer})
    assert "errors" not in r, r
    return str(r["data"]["registreerContract"]["id"])


def _regels(aid: str, product: str, bedragen: dict[int, str]) -> list[dict[str, str]]:
    return [
        {"aanbiederId": aid, "product": product, "maand": f"{JAAR}-{m:02d}", "bedrag": b} for m, b in bedragen.items()
    ]


async def _lever(api: Any, gemeente: str, regels: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(await api.als("backoffice", gemeente, LEVER, {"i": {"regels": regels}}))


@pytest.fixture
async def kosten(api: Any) -> dict[str, str]:
    """Hand example: plafond 120.000; Nijmegen 10.000 and Wijchen 5.000 per month in January–March."""
    aid = await aanbieder(api)
    cid = await _contract(api, aid, ["Begeleiding individueel", "Dagbesteding"], [NIJMEGEN, WIJCHEN], "120000")
    nijmegen = _regels(aid, "Begeleiding individueel", {1: "6000", 2: "6000", 3: "6000"}) + _regels(
        aid, "dagbesteding", {1: "4000", 2: "4000", 3: "4000"}
    )
    r = await _lever(api, NIJMEGEN, nijmegen + _regels(aid, "Vervoer", {1: "999"}))  # not in the contract
    assert r["data"]["leverZorgkostenAan"] == {"gemeente": NIJMEGEN, "aantalRegels": 7, "totaal": "30999.00"}
    r = await _lever(api, WIJCHEN, _regels(aid, "Dagbesteding", {1: "5000", 2: "5000", 3: "5000,00"}))
    assert "errors" not in r, r
    return {"aanbieder": aid, "contract": cid}


async def test_uitnutting_prognose_en_overschrijding_zoals_met_de_hand_uitgerekend(
    api: Any, kosten: dict[str, str]
) -> None:
    r = await api.als("contractmanager", None, UITNUTTING, {"j": JAAR})
    rijen = [u for u in r["data"]["contractUitnutting"] if u["contract"]["id"] == kosten["contract"]]
    geheel = next(u for u in rijen if u["gemeente"] is None)
    assert geheel == {
        "contract": geheel["contract"],
        "gemeente": None,
        "plafond": "120000.00",
        "gerealiseerd": "45000.00",  # 3 × 10.000 + 3 × 5.000; 'Vervoer' is not in the contract
        "peilmaand": f"{JAAR}-03",
        "prognose": "180000.00",  # 15.000 per month × 12
        "uitnuttingProcent": "37.5",
        "afwijking": {"soort": "OVERSCHRIJDING", "procent": "50.0"},
    }
    per_gemeente = {
        u["gemeente"]["code"]: (u["gerealiseerd"], u["prognose"], u["plafond"]) for u in rijen if u["gemeente"]
    }
    assert per_gemeente == {NIJMEGEN: ("30000.00", "120000.00", None), WIJCHEN: ("15000.00", "60000.00", None)}
    alleen = await api.als("contractmanager", None, UITNUTTING, {"j": JAAR, "a": True})
    assert [u["gemeente"] for u in alleen["data"]["contractUitnutting"]] == [None]


async def test_een_gemeente_ziet_alleen_haar_eigen_deel_van_de_uitnutting(api: Any, kosten: dict[str, str]) -> None:
    for rol in ("consulent", "kwaliteitsmedewerker", "backoffice"):
        r = await api.als(rol, WIJCHEN, UITNUTTING, {"j": JAAR})
        rijen = r["data"]["contractUitnutting"]
        assert [(u["gemeente"]["code"], u["gerealiseerd"], u["plafond"]) for u in rijen] == [
            (WIJCHEN, "15000.00", None)
        ]
    r = await api.als("consulent", HEUMEN, UITNUTTING, {"j": JAAR})
    assert r["data"]["contractUitnutting"] == [], "Heumen takes no part in the contract"


async def test_zorgkosten_lezen_eigen_gemeente_of_regio_en_backoffice_schrijft_alleen(
    api: Any, kosten: dict[str, str]
) -> None:
    nijmegen = await api.als("consulent", NIJMEGEN, ZORGKOSTEN, {"j": JAAR})
    assert {z["gemeente"]["code"] for z in nijmegen["data"]["zorgkosten"]} == {NIJMEGEN}
    assert len(nijmegen["data"]["zorgkosten"]) == 7
    regio = await api.als("contractmanager", None, ZORGKOSTEN, {"j": JAAR})
    assert len(regio["data"]["zorgkosten"]) == 10
    for rol, gemeente in [("backoffice", NIJMEGEN), ("rmz_medewerker", None), ("privacy_officer", None)]:
        assert codes(await api.als(rol, gemeente, ZORGKOSTEN, {"j": JAAR})) == ["FORBIDDEN"]
    for rol, gemeente in [("consulent", NIJMEGEN), ("contractmanager", None)]:
        r = await _lever(api, gemeente, _regels(kosten["aanbieder"], "Dagbesteding", {4: "1"})) if gemeente else None
        r = r or await api.als(rol, gemeente, LEVER, {"i": {"regels": []}})
        assert codes(r) == ["FORBIDDEN"] or (rol == "consulent" and codes(r) == [])


async def test_een_aanlevering_met_een_foute_regel_slaat_niets_op_en_noemt_elke_foute_regel(
    api: Any, kosten: dict[str, str]
) -> None:
    aid = kosten["aanbieder"]
    async with api.engine.connect() as conn:
        voor = (await conn.execute(sa.select(sa.func.count()).select_from(zorgkosten))).scalar_one()
    regels = [
        {"aanbiederId": aid, "product": "Dagbesteding", "maand": f"{JAAR}-04", "bedrag": "100"},
        {"agb": "00000000", "product": "Dagbesteding", "maand": f"{JAAR}-04", "bedrag": "100"},
        {"aanbiederId": aid, "product": "Dagbesteding", "maand": f"{JAAR}-13", "bedrag": "1,000.00"},
        {"aanbiederId": aid, "product": "Dagbesteding", "maand": f"{JAAR}-04", "bedrag": "5"},
        {"aanbiederId": aid, "product": "", "maand": f"{JAAR + 5}-01", "bedrag": "-3"},
    ]
    r = await _lever(api, NIJMEGEN, regels)
    assert codes(r) == ["BAD_USER_INPUT"]
    fouten = {(f["regel"], f["veld"]) for f in r["errors"][0]["extensions"]["fouten"]}
    assert fouten == {
        (2, "aanbieder"),
        (3, "maand"),
        (3, "bedrag"),
        (4, "regel"),
        (5, "product"),
        (5, "maand"),
        (5, "bedrag"),
    }
    assert "niets opgeslagen" in r["errors"][0]["message"]
    async with api.engine.connect() as conn:
        na = (await conn.execute(sa.select(sa.func.count()).select_from(zorgkosten))).scalar_one()
    assert na == voor


async def test_opnieuw_aanleveren_vervangt_het_maandtotaal_en_wordt_geaudit(api: Any, kosten: dict[str, str]) -> None:
    aid = kosten["aanbieder"]
    r = await _lever(api, WIJCHEN, _regels(aid, "Dagbesteding", {3: "2000"}))  # correction of March
    assert "errors" not in r, r
    u = await api.als("consulent", WIJCHEN, UITNUTTING, {"j": JAAR})
    assert u["data"]["contractUitnutting"][0]["gerealiseerd"] == "12000.00"
    async with api.engine.connect() as conn:
        rijen = (
            await conn.execute(
                sa.select(auditregel.c.rol, auditregel.c.operatie, auditregel.c.verantwoordelijke, auditregel.c.doel)
                .where(auditregel.c.object_type.in_(["zorgkosten", "uitnutting"]))
                .order_by(auditregel.c.volgnummer)
            )
        ).all()
    assert [tuple(x) for x in rijen][-2:] == [
        ("backoffice", "registreren", WIJCHEN, "uitvoering"),
        ("consulent", "lezen", WIJCHEN, "uitvoering"),
    ]
    await api.als("contractmanager", None, ZORGKOSTEN, {"j": JAAR})
    async with api.engine.connect() as conn:
        laatste = (
            await conn.execute(
                sa.select(auditregel.c.object_type, auditregel.c.doel, auditregel.c.verantwoordelijke)
                .order_by(auditregel.c.volgnummer.desc())
                .limit(1)
            )
        ).one()
    assert tuple(laatste) == ("zorgkosten", "contractmanagement", "ROB")


async def test_csv_import_op_de_opdrachtregel_alles_of_niets(api: Any, db_url: str, tmp_path: Path) -> None:
    aid = await aanbieder(api)
    r = await api.als("beheerder", None, "query { aanbieders(first: 100) { edges { node { id agb } } } }")
    agb = next(e["node"]["agb"] for e in r["data"]["aanbieders"]["edges"] if e["node"]["id"] == aid)
    goed = tmp_path / "goed.csv"
    goed.write_text(f"agb;product;maand;bedrag\n{agb};Dagbesteding;{JAAR}-01;1234,50\n{agb};Vervoer;{JAAR}-01;10\n")
    fout = tmp_path / "fout.csv"
    fout.write_text(f"agb,product,maand,bedrag\n{agb},Dagbesteding,{JAAR}-02,5\n99999999,Dagbesteding,{JAAR}-02,5\n")
    regiekamer = Path(sys.executable).parent / "regiekamer"
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_")} | {
        "DATABASE_URL": db_url,
        "REGIEKAMER_DATA_MAP": str(tmp_path / ".regiekamer"),
    }

    def draai(bestand: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(regiekamer), "zorgkosten", "importeer", str(bestand), "--gemeente", NIJMEGEN],
            env=omgeving,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    ok = draai(goed)
    assert ok.returncode == 0, ok.stderr
    assert "2 regels ingelezen" in ok.stdout and "1244.50" in ok.stdout
    mis = draai(fout)
    assert mis.returncode == 1
    assert "regel 3: aanbieder" in mis.stderr and "niets ingelezen" in mis.stderr and "Traceback" not in mis.stderr
    async with api.engine.connect() as conn:
        rijen = (
            await conn.execute(
                sa.select(zorgkosten.c.product, zorgkosten.c.maand).where(
                    zorgkosten.c.aanbieder_id == lees_globale_id(aid)[1]
                )
            )
        ).all()
    assert sorted((p, str(m)[:10]) for p, m in rijen) == [
        ("Dagbesteding", f"{JAAR}-01-01"),
        ("Vervoer", f"{JAAR}-01-01"),
    ]


async def test_geweigerde_csv_import_staat_in_het_auditlog_en_de_keten_blijft_intact(
    api: Any, db_url: str, tmp_path: Path
) -> None:
    """Toegang.md rule 7: a refused delivery by the command line is audited, as over HTTP; nothing is stored."""
    from domein import audit

    aid = await aanbieder(api)
    r = await api.als("beheerder", None, "query { aanbieders(first: 100) { edges { node { id agb } } } }")
    agb = next(e["node"]["agb"] for e in r["data"]["aanbieders"]["edges"] if e["node"]["id"] == aid)
    fout = tmp_path / "fout.csv"
    fout.write_text(f"agb,product,maand,bedrag\n{agb},Dagbesteding,{JAAR}-02,5\n{agb},Vervoer,{JAAR}-02,veel\n")
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_")} | {
        "DATABASE_URL": db_url,
        "REGIEKAMER_DATA_MAP": str(tmp_path / ".regiekamer"),
    }

    def draai() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(Path(sys.executable).parent / "regiekamer"),
                "zorgkosten",
                "importeer",
                str(fout),
                "--gemeente",
                NIJMEGEN,
            ],
            env=omgeving,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    mis = draai()
    assert mis.returncode != 0 and "regel 3: bedrag" in mis.stderr and "Traceback" not in mis.stderr
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(zorgkosten)) == 0
        weigeringen = (
            await conn.execute(
                sa.select(
                    auditregel.c.rol, auditregel.c.organisatie, auditregel.c.uitkomst, auditregel.c.operatie
                ).where(auditregel.c.object_type == "zorgkosten")
            )
        ).all()
        keten = await audit.verifieer(conn)
    assert [tuple(w) for w in weigeringen] == [("backoffice", NIJMEGEN, "geweigerd", "wijzigen")]
    assert keten.intact


async def test_geweigerde_aanlevering_via_http_staat_ook_in_het_auditlog(api: Any) -> None:
    aid = await aanbieder(api)
    regels = [{"aanbiederId": aid, "product": "Dagbesteding", "maand": f"{JAAR}-13", "bedrag": "5"}]
    r = await api.als("backoffice", NIJMEGEN, LEVER, {"i": {"regels": regels}})
    assert codes(r) == ["BAD_USER_INPUT"], r
    async with api.engine.connect() as conn:
        uitkomsten = (
            await conn.execute(sa.select(auditregel.c.uitkomst).where(auditregel.c.object_type == "zorgkosten"))
        ).scalars()
        assert list(uitkomsten) == ["geweigerd"]
        assert await conn.scalar(sa.select(sa.func.count()).select_from(zorgkosten)) == 0
