"""Een analist die de statistiek aanvalt: alle gepubliceerde cellen als lineaire vergelijkingen, dan lineair
programmeren om elke onderdrukte cel zo strak mogelijk in te sluiten (zoals τ-ARGUS' audit doet)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

Atoom = tuple[Hashable, ...]


@dataclass(frozen=True)
class Gepubliceerd:
    """Eén cel uit een antwoord: welke atomen erin vallen, en wat is getoond (None = onderdrukt)."""

    naam: str
    atomen: frozenset[Atoom]
    aantal: int | None


class Stelsel:
    """What the analyst knows, as equations over the atoms (x ≥ 0)."""

    def __init__(self, atomen: Sequence[Atoom], gezien: Iterable[Gepubliceerd], bekend: Mapping[Atoom, int]) -> None:
        self.index = {a: i for i, a in enumerate(atomen)}
        vergelijkingen = {c.atomen: c.aantal for c in gezien if c.aantal is not None}
        vergelijkingen |= {frozenset([a]): w for a, w in bekend.items()}
        self.a_eq = np.zeros((len(vergelijkingen), len(atomen)))
        self.b_eq = np.zeros(len(vergelijkingen))
        for r, (leden, waarde) in enumerate(vergelijkingen.items()):
            for a in leden:
                self.a_eq[r, self.index[a]] = 1
            self.b_eq[r] = waarde

    def grenzen(self, doel: frozenset[Atoom]) -> tuple[float, float]:
        """Kleinste en grootste waarde van ``doel`` die met alles wat gepubliceerd is te rijmen valt."""
        c = np.zeros(len(self.index))
        for a in doel:
            c[self.index[a]] = 1
        heeft = len(self.b_eq) > 0
        a_eq, b_eq = (self.a_eq, self.b_eq) if heeft else (None, None)
        laag = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hoog = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert laag.status == 0, "de gepubliceerde cellen moeten met de werkelijkheid kloppen"
        return laag.fun, (float("inf") if hoog.status == 3 else -hoog.fun)


def teruggevonden(
    atomen: Sequence[Atoom],
    gezien: Sequence[Gepubliceerd],
    waarheid: Callable[[frozenset[Atoom]], int],
    k: int,
    bekend: Mapping[Atoom, int] | None = None,
) -> list[tuple[str, int, tuple[float, float]]]:
    """Elke onderdrukte cel met een werkelijke waarde 1..k−1 die de aanvaller toch exact vastlegt."""
    stelsel = Stelsel(atomen, gezien, bekend or {})
    lek = []
    gedaan: set[frozenset[Atoom]] = set()
    for cel in gezien:
        if cel.aantal is not None or cel.atomen in gedaan:
            continue
        gedaan.add(cel.atomen)
        waarde = waarheid(cel.atomen) - sum((bekend or {}).get(a, 0) for a in cel.atomen)
        if not 0 < waarde < k:
            continue
        laag, hoog = stelsel.grenzen(cel.atomen)
        if hoog - laag < 1 - 1e-6:
            lek.append((cel.naam, waarheid(cel.atomen), (laag, hoog)))
    return lek


def bereiken(maanden: Sequence[str]) -> list[list[str]]:
    """Alle aaneengesloten periodes van hele maanden."""
    return [list(maanden[i:j]) for i, j in itertools.combinations(range(len(maanden) + 1), 2)]
