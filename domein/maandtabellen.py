"""Maandtabellen: de beschermde tellingen van één maand, per proces bewaard zolang de maand niet verandert."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domein.onthulling import Bescherming, Sleutel


@dataclass(frozen=True)
class Drempels:
    """Configurable thresholds: minimum group size k (toegang.md rule 5) and the afwijkingssignaal percentage."""

    k: int = 5
    afwijking_procent: int = 10


class Dimensie(StrEnum):
    AANBIEDER = "aanbieder"
    GEMEENTE = "gemeente"
    STAP = "stap"
    CATEGORIE = "categorie"
    MAAND = "maand"


ATOOM = (Dimensie.STAP, Dimensie.AANBIEDER, Dimensie.GEMEENTE, Dimensie.CATEGORIE)
"""Within a month, an atom's key, from the level merged last to the level merged first: categorie details give
way first, then gemeente, then aanbieder; stap stays whole longest, because the ladder's figures (how many
reached the RMZ, and the doorlooptijden per stap) are only meaningful per stap."""


@dataclass
class Meting:
    """Counts and durations behind one atom or cell."""

    aantal: int = 0
    doorlooptijden: Counter[int] = field(default_factory=Counter)
    beslist: int = 0
    binnen_termijn: int = 0

    def voeg_toe(self, ander: Meting) -> None:
        self.aantal += ander.aantal
        self.doorlooptijden.update(ander.doorlooptijden)
        self.beslist += ander.beslist
        self.binnen_termijn += ander.binnen_termijn


@dataclass
class Maand:
    versie: int
    atomen: dict[Sleutel, Meting]
    bescherming: Bescherming
    tabellen: dict[tuple[Dimensie, ...], dict[tuple[Hashable, ...], tuple[Meting, bool]]] = field(default_factory=dict)

    def tabel(self, dims: tuple[Dimensie, ...]) -> dict[tuple[Hashable, ...], tuple[Meting, bool]]:
        """Cells of one grouping for this month: measurement and whether the cell may be published."""
        if dims not in self.tabellen:
            idx = [ATOOM.index(d) for d in dims]

            def cel(a: Sleutel) -> tuple[Hashable, ...]:
                return tuple(a[i] for i in idx)

            publiceerbaar = self.bescherming.publiceerbaar(cel)
            cellen: dict[tuple[Hashable, ...], Meting] = {}
            for a, m in self.atomen.items():
                cellen.setdefault(cel(a), Meting()).voeg_toe(m)
            self.tabellen[dims] = {c: (m, publiceerbaar[c]) for c, m in cellen.items()}
        return self.tabellen[dims]


class StatistiekCache:
    """Protected months per process, valid while the month's version in the database is unchanged."""

    def __init__(self) -> None:
        self._maanden: dict[tuple[str, int, date], Maand] = {}
        self._blokken: dict[tuple[str, int], tuple[int, Bescherming]] = {}

    def bescherming(
        self, maand: str, k: int, tellingen: dict[Sleutel, int], maak: Callable[[], Bescherming]
    ) -> Bescherming:
        """Blocks depend on the counts only. A completed month's counts never change, so its blocks are reused
        as long as the counts are identical."""
        vingerafdruk = hash(frozenset(tellingen.items()))
        bewaard = self._blokken.get((maand, k))
        if bewaard is not None and bewaard[0] == vingerafdruk:
            return bewaard[1]
        nieuw = maak()
        self._blokken[(maand, k)] = (vingerafdruk, nieuw)
        return nieuw

    def get(self, maand: str, versie: int, k: int, vandaag: date) -> Maand | None:
        m = self._maanden.get((maand, k, vandaag))
        return m if m is not None and m.versie == versie else None

    def put(self, maand: str, k: int, vandaag: date, waarde: Maand) -> None:
        self._maanden = {s: v for s, v in self._maanden.items() if s[2] == vandaag}  # yesterday's termijnen expired
        self._maanden[(maand, k, vandaag)] = waarde
