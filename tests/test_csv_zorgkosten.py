"""CSV-import van zorgkosten: Windows-1252 en UTF-8 (met of zonder BOM), Nederlandse bedragen, dubbelzinnig nee."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.relay import lees_globale_id
from domein.opslag.tabellen import zorgkosten
from domein.zorgkosten import lees_bedrag
from domein.zorgkosten_csv import OnleesbaarBestand, decodeer, lees_csv
from tests.hulp_signalen import aanbieder

NIJMEGEN = "0268"
JAAR = datetime.now(UTC).year - 1

# --- bedragen ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tekst", "bedrag"),
    [
        ("1.234,50", "1234.50"),
        ("€ 1.234,50", "1234.50"),
        ("€\u00a01.234,5", "1234.50"),
        ("12.345.678", "12345678.00"),
        ("12.345.678,09", "12345678.09"),
        ("1234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1234.5", "1234.50"),
        ("1234", "1234.00"),
        ("0,99", "0.99"),
        ("1.234,50 €", "1234.50"),
    ],
)
def test_nederlandse_en_eenduidige_bedragen_worden_gelezen(tekst: str, bedrag: str) -> None:
    assert lees_bedrag(tekst) == Decimal(bedrag)


@pytest.mark.parametrize("tekst", ["1.234", "1,234", "999.000", "12,500"])
def test_bedrag_met_drie_cijfers_na_een_scheidingsteken_is_dubbelzinnig(tekst: str) -> None:
    with pytest.raises(ValueError, match="dubbelzinnig"):
        lees_bedrag(tekst)


@pytest.mark.parametrize(
    "tekst",
    ["1,234.50", "1.234.50", "12.34.567", "1.23,45", "1234,567", "1.234,567", "-1.234,50", "12 34", "1 2 3,x", ""],
)
def test_onduidelijke_bedragen_worden_geweigerd_met_nederlandse_uitleg(tekst: str) -> None:
    with pytest.raises(ValueError) as fout:
        lees_bedrag(tekst)
    assert any(w in str(fout.value) for w in ("schrijf", "decimalen", "bedrag", "dubbelzinnig"))


# --- coderingen ----------------------------------------------------------------------------------

KOP = "agb;product;maand;bedrag\r\n"
REGEL = f"12345678;Logeeropvang Café;{JAAR}-01;€ 1.234,50\r\n"


@pytest.mark.parametrize(
    ("data", "codering"),
    [
        ((KOP + REGEL).encode("cp1252"), "cp1252"),
        ((KOP + REGEL).encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + (KOP + REGEL).encode("utf-8"), "utf-8"),
    ],
)
def test_windows_1252_en_utf8_met_of_zonder_bom_geven_dezelfde_regels(data: bytes, codering: str) -> None:
    assert decodeer(data)[1] == codering
    [regel] = lees_csv(data)
    assert (regel.regel, regel.agb, regel.product, regel.bedrag) == (2, "12345678", "Logeeropvang Café", "€ 1.234,50")
    assert lees_bedrag(regel.bedrag) == Decimal("1234.50")


def test_utf8_wordt_niet_als_windows_1252_gelezen() -> None:
    """UTF-8 first: read as cp1252, 'é' would silently become 'Ã©'."""
    tekst, codering = decodeer("Café".encode())
    assert (tekst, codering) == ("Café", "utf-8")


@pytest.mark.parametrize(
    ("data", "melding"),
    [
        ((KOP + REGEL).encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x00\x00 spreadsheet", "nul-bytes"),
        (KOP.encode() + b"12345678;Dagbesteding;2025-01;10\n12345678;Vervoer\x81;2025-01;5\n", "regel 3"),
        (b"\xef\xbb\xbf" + KOP.encode() + b"12345678;Caf\xe9;2025-01;5\n", "UTF-8 \\(met BOM\\), maar regel 2"),
    ],
)
def test_bestand_dat_geen_tekst_is_geeft_nederlandse_fout(data: bytes, melding: str) -> None:
    with pytest.raises(OnleesbaarBestand, match=melding):
        lees_csv(data)


def test_regelnummer_telt_de_regels_van_het_bestand_ook_met_lege_regels_en_meerregelige_velden() -> None:
    data = (KOP + "\r\n" + '12345678;"Dag\r\nbesteding";2025-01;5\r\n' + "12345678;Vervoer;2025-01;1.234\r\n").encode()
    regels = lees_csv(data)
    assert [r.regel for r in regels] == [4, 5]


# --- op de opdrachtregel -------------------------------------------------------------------------


def _draai(bestand: Path, db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_")} | {
        "DATABASE_URL": db_url,
        "REGIEKAMER_DATA_MAP": str(tmp_path / ".regiekamer"),
    }
    return subprocess.run(
        [str(Path(sys.executable).parent / "regiekamer"), "zorgkosten", "importeer", str(bestand), "--gemeente",
         NIJMEGEN],
        env=omgeving, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


async def _agb(api: Any) -> tuple[str, str]:
    aid = await aanbieder(api)
    r = await api.als("beheerder", None, "query { aanbieders(first: 100) { edges { node { id agb } } } }")
    return aid, next(e["node"]["agb"] for e in r["data"]["aanbieders"]["edges"] if e["node"]["id"] == aid)


async def test_excel_bestand_in_windows_1252_met_nederlandse_bedragen_wordt_ingelezen(
    api: Any, db_url: str, tmp_path: Path
) -> None:
    aid, agb = await _agb(api)
    bestand = tmp_path / "excel.csv"
    bestand.write_bytes(
        (f"agb;product;maand;bedrag\r\n{agb};Logeeropvang Café;{JAAR}-01;€ 1.234,50\r\n"
         f"{agb};Vervoer;{JAAR}-01;10,25\r\n").encode("cp1252")
    )  # fmt: skip
    uitslag = _draai(bestand, db_url, tmp_path)
    assert uitslag.returncode == 0, uitslag.stderr
    assert "2 regels ingelezen" in uitslag.stdout and "1244.75" in uitslag.stdout
    async with api.engine.connect() as conn:
        rijen = (
            await conn.execute(
                sa.select(zorgkosten.c.product, zorgkosten.c.bedrag).where(
                    zorgkosten.c.aanbieder_id == lees_globale_id(aid)[1]
                )
            )
        ).all()
    assert sorted((p, Decimal(b)) for p, b in rijen) == [
        ("Logeeropvang Café", Decimal("1234.50")),
        ("Vervoer", Decimal("10.25")),
    ]


async def test_dubbelzinnig_bedrag_noemt_de_regel_en_schrijft_niets(api: Any, db_url: str, tmp_path: Path) -> None:
    _, agb = await _agb(api)
    bestand = tmp_path / "dubbelzinnig.csv"
    bestand.write_bytes(
        f"agb;product;maand;bedrag\n{agb};Dagbesteding;{JAAR}-02;1.234,50\n{agb};Vervoer;{JAAR}-02;1.234\n".encode()
    )
    uitslag = _draai(bestand, db_url, tmp_path)
    assert uitslag.returncode == 1
    assert "regel 3: bedrag" in uitslag.stderr and "dubbelzinnig" in uitslag.stderr
    assert "niets ingelezen" in uitslag.stderr and "Traceback" not in uitslag.stderr
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(zorgkosten)) == 0


async def test_utf16_bestand_geeft_nederlandse_fout_op_de_opdrachtregel(api: Any, db_url: str, tmp_path: Path) -> None:
    bestand = tmp_path / "utf16.csv"
    bestand.write_bytes("agb;product;maand;bedrag\n".encode("utf-16"))
    uitslag = _draai(bestand, db_url, tmp_path)
    assert uitslag.returncode == 2 and "UTF-16" in uitslag.stderr and "Traceback" not in uitslag.stderr
