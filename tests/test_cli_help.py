"""De opdrachtregel legt zichzelf uit: elke opdracht en elke optie heeft een helptekst, en --version werkt."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

from api.cli import parser

REGIEKAMER = Path(sys.executable).parent / "regiekamer"


def _parsers(p: argparse.ArgumentParser, pad: str = "regiekamer") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield pad, p
    for actie in p._actions:
        if isinstance(actie, argparse._SubParsersAction):
            for naam, sub in actie.choices.items():
                yield from _parsers(sub, f"{pad} {naam}")


def _zonder_hulp(p: argparse.ArgumentParser) -> list[str]:
    ontbreekt = []
    for actie in p._actions:
        if isinstance(actie, argparse._HelpAction):
            if actie.help != "toon deze hulp en stop":
                ontbreekt.append(f"-h in het Nederlands (nu: {actie.help})")
            continue
        if isinstance(actie, argparse._SubParsersAction):
            beschreven = {keuze.dest for keuze in actie._choices_actions if keuze.help}
            ontbreekt += [f"opdracht {naam}" for naam in actie.choices if naam not in beschreven]
            continue
        if not (actie.help or "").strip() or actie.help == argparse.SUPPRESS:
            ontbreekt.append("/".join(actie.option_strings) or actie.dest)
    return ontbreekt


def test_elke_opdracht_en_elke_optie_heeft_een_helptekst():
    parsers = dict(_parsers(parser()))
    assert {"regiekamer serve", "regiekamer audit verify", "regiekamer zorgkosten importeer"} <= set(parsers)
    ontbreekt = {pad: fouten for pad, p in parsers.items() if (fouten := _zonder_hulp(p))}
    assert not ontbreekt, f"zonder helptekst: {ontbreekt}"


def test_de_hulpcontrole_ziet_een_optie_zonder_helptekst():
    p = parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    sub.choices["serve"].add_argument("--nieuw")
    ontbreekt = {pad: f for pad, q in _parsers(p) if (f := _zonder_hulp(q))}
    assert ontbreekt == {"regiekamer serve": ["--nieuw"]}


def test_version_noemt_pakketversie_en_migratie():
    uitslag = subprocess.run(
        [str(REGIEKAMER), "--version"], capture_output=True, text=True, timeout=60, check=False, env={"PATH": ""}
    )
    assert uitslag.returncode == 0, uitslag.stderr
    regel = uitslag.stdout.strip()
    assert regel.startswith(f"regiekamer {version('regiekamer')} (migratie ") and "Python 3." in regel
