"""Maandtabellen: de beschermde tellingen van één maand, bewaard zolang de maand niet verandert.

Three levels keep a request from redoing work (domein/inzicht.py): the finished answer per question
(months, grouping, scope, and the versions of those months) in the process; each month's tables per
grouping in the process; and the same tables persisted in the database (``statistiek_maandtabel``,
``statistiek_maandcel``), so that a cold process (a restart, a second worker) reads a month's finished
cells instead of all its stapgebeurtenissen. All three belong to one version of each month
(``statistiek_maand.versie``, raised in the transaction of every change to its facts).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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


def verdeling_als_tekst(verdeling: Counter[int]) -> str:
    """Doorlooptijden as stored: 'werkdagen:aantal' pairs, ascending."""
    return " ".join(f"{d}:{n}" for d, n in sorted(verdeling.items()) if n)


def verdeling_uit_tekst(tekst: str) -> Counter[int]:
    getallen = iter(map(int, tekst.replace(":", " ").split()))
    return Counter(dict(zip(getallen, getallen, strict=False)))


class Meting:
    """Counts and durations behind one atom or cell.

    The distribution of doorlooptijden is only needed for cells that are published with at least k of them,
    so it is materialised on first use: from its stored text, plus the parts added with ``voeg_toe``.
    """

    __slots__ = ("_delen", "_tekst", "_verdeling", "aantal", "beslist", "binnen_termijn")

    def __init__(
        self, aantal: int = 0, doorlooptijden: Counter[int] | None = None, beslist: int = 0, binnen_termijn: int = 0
    ) -> None:
        self.aantal = aantal
        self.beslist = beslist
        self.binnen_termijn = binnen_termijn
        self._verdeling = doorlooptijden  # None: not materialised yet (from ``_tekst`` and ``_delen``)
        self._tekst = ""
        self._delen: list[Meting] | None = None

    @classmethod
    def bewaard(cls, aantal: int, doorlooptijden: str, beslist: int, binnen_termijn: int) -> Meting:
        m = cls(aantal, None, beslist, binnen_termijn)
        m._tekst = doorlooptijden
        return m

    @property
    def doorlooptijden(self) -> Counter[int]:
        if self._verdeling is None:
            self._verdeling = verdeling_uit_tekst(self._tekst)
        if self._delen:
            delen, self._delen = self._delen, None
            for d in delen:
                self._verdeling.update(d.doorlooptijden)
        return self._verdeling

    def voeg_toe(self, ander: Meting) -> None:
        """Adds ``ander`` (which must not change afterwards); its doorlooptijden are merged when first needed."""
        self.aantal += ander.aantal
        self.beslist += ander.beslist
        self.binnen_termijn += ander.binnen_termijn
        if self._delen is None:
            self._delen = [ander]
        else:
            self._delen.append(ander)

    def __repr__(self) -> str:
        return f"Meting(aantal={self.aantal}, beslist={self.beslist}, binnen_termijn={self.binnen_termijn})"


Tabel = dict[tuple[Hashable, ...], tuple[Meting, bool]]
"""The cells of one grouping of one month: measurement, and whether the cell may be published."""


@dataclass
class Maand:
    versie: int
    atomen: dict[Sleutel, Meting]
    bescherming: Bescherming
    tabellen: dict[tuple[Dimensie, ...], Tabel] = field(default_factory=dict)

    def tabel(self, dims: tuple[Dimensie, ...]) -> Tabel:
        """Cells of one grouping for this month: measurement and whether the cell may be published."""
        if dims not in self.tabellen and dims == ATOOM:  # each atom its own cell: whole safe one-atom blocks
            blokken = self.bescherming.blokken
            heel = [b.veilig and len(b.atomen) == 1 for b in blokken]
            self.tabellen[dims] = {a: (m, heel[self.bescherming.blok_van(a)]) for a, m in self.atomen.items()}
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
    """Per process: month tables per grouping and finished answers, each valid for one version of its months."""

    def __init__(self, max_antwoorden: int = 32) -> None:
        self._tabellen: dict[tuple[str, str, int], tuple[int, dict[tuple[Dimensie, ...], Tabel]]] = {}
        self._blokken: dict[tuple[str, int], tuple[int, Bescherming]] = {}
        self._antwoorden: OrderedDict[Hashable, Any] = OrderedDict()
        self._max_antwoorden = max_antwoorden

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

    def tabel(self, maand: str, variant: str, k: int, versie: int, dims: tuple[Dimensie, ...]) -> Tabel | None:
        bewaard = self._tabellen.get((maand, variant, k))
        return bewaard[1].get(dims) if bewaard is not None and bewaard[0] == versie else None

    def zet_tabel(self, maand: str, variant: str, k: int, versie: int, dims: tuple[Dimensie, ...], t: Tabel) -> None:
        bewaard = self._tabellen.get((maand, variant, k))
        if bewaard is None or bewaard[0] != versie:  # another version of the month: its tables go
            bewaard = self._tabellen[(maand, variant, k)] = (versie, {})
        bewaard[1][dims] = t

    def antwoord(self, sleutel: Hashable) -> Any:
        """A finished answer; the key holds the version of every month it was made of."""
        waarde = self._antwoorden.get(sleutel)
        if waarde is not None:
            self._antwoorden.move_to_end(sleutel)
        return waarde

    def zet_antwoord(self, sleutel: Hashable, waarde: Any) -> None:
        self._antwoorden[sleutel] = waarde
        self._antwoorden.move_to_end(sleutel)
        while len(self._antwoorden) > self._max_antwoorden:
            self._antwoorden.popitem(last=False)
