"""Onthullingsbeheersing voor tellingen: primaire en secundaire onderdrukking, consistent over alle tabellen.

The problem (toegang.md rule 5, Bijlage 1 art. 3.1): users may ask for any grouping of the same
counts (aanbieder, gemeente, stap, categorie, maand) over any run of whole months. Statistical
offices know this as the *linked tables* problem: protecting each requested table on its own
(τ-ARGUS' hypercube or LP-based "optimal" method per table) leaves suppressed cells derivable by
subtracting cells of *another* table of the same data, e.g. ``[AANBIEDER]`` minus ``[AANBIEDER,
GEMEENTE]``, or January–March minus January–February. τ-ARGUS' answer for linked tables is to protect
one cover table that contains all of them (its "modular" approach over the full cube); we do the
same, at the level where it is simplest to prove: the micro-cells.

Method ("beschermingsblokken", a form of cell collapsing, i.e. local recoding in sdcMicro's terms,
applied per month):

1. An *atom* is a non-empty micro-cell: one month × stap × aanbieder × gemeente × categorie.
2. Per month, atoms are merged into *blocks*, bottom-up along a fixed hierarchy: categorie details
   give way first, then gemeente, then aanbieder; stap stays whole longest (the order is set in
   domein/maandtabellen.py). A block is *safe* when its total is at least k **and** no party that
   knows its own part of the block exactly (a gemeente knows its own signalen, the RMZ its meldingen,
   the contractmanager the meldingen it receives) can subtract that part and keep a remainder
   between 1 and k−1. Small remainders are merged with siblings first, then with the smallest safe
   block under the same parent (the complementary, "secondary" suppression), and only then passed
   upwards. What cannot be made safe at the top forms an unsafe block.
3. A cell of *any* table, for *any* run of months, is published exactly when it is a union of whole
   safe blocks. Everything else with a non-zero count is suppressed (``onderdrukt``).

Why this holds against every differencing attack: every published number is a sum of safe block
totals, so all answers together reveal at most the block totals. A suppressed cell cuts through at
least one block B with a non-zero total; with only block totals known, all of B's mass can sit on
either side of the cut, so the cell's feasible values span an interval of width ≥ k — it cannot be
recovered, let alone a count between 1 and k−1. An insider subtracting its own part still faces a
remainder of 0 or ≥ k. The same blocks serve the regional view and every gemeente's own view (a
gemeente sees the regional cells restricted to itself), so comparing the two reveals nothing new.
Blocks never span months, so a period is published only through its published months and
adjacent periods cannot be differenced into a month. The tests attack this with linear programming.

Blocks are formed per month and a month's counts never change once it is complete (domein/inzicht.py
publishes completed months only), so the blocks of a month never change either: asking again next
month cannot be differenced against today's answer. The price is utility: a run of months is
published only through its published months, so a group that is small in every month stays
suppressed over the year too, and the merge order favours stap and aanbieder over gemeente and
categorie. A blocking across months would publish more yearly totals, but its blocks would change
as months are added, which opens exactly the differencing over time that this design rules out.

Zero cells are published as 0: a zero reveals no person (there is nobody in the group), the
method never needs zeros as complements, and hiding them would only make tables unreadable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Sleutel = tuple[Hashable, ...]
"""The key of an atom within one month, ordered from the coarsest to the finest level of the hierarchy."""

Insider = Callable[[Sleutel], bool]
"""Tells whether a party knows this atom exactly (e.g. 'atom of gemeente 0268')."""


@dataclass(frozen=True)
class Blok:
    atomen: frozenset[Sleutel]
    totaal: int
    veilig: bool


class Bescherming:
    """The blocks of one month, and which cells they make publishable."""

    def __init__(self, blokken: Iterable[Blok]) -> None:
        self.blokken = tuple(blokken)
        self._blok_van = {a: i for i, b in enumerate(self.blokken) for a in b.atomen}

    def blok_van(self, atoom: Sleutel) -> int:
        return self._blok_van[atoom]

    def publiceerbaar(self, cel: Callable[[Sleutel], Hashable]) -> dict[Hashable, bool]:
        """Per cell of a grouping (``cel`` maps an atom to its cell): is it a union of whole safe blocks?"""
        cellen_van_blok: list[set[Hashable]] = [set() for _ in self.blokken]
        for i, b in enumerate(self.blokken):
            for a in b.atomen:
                cellen_van_blok[i].add(cel(a))
        uit: dict[Hashable, bool] = {}
        for i, b in enumerate(self.blokken):
            heel = b.veilig and len(cellen_van_blok[i]) == 1
            for c in cellen_van_blok[i]:
                uit[c] = uit.get(c, True) and heel
        return uit


@dataclass(frozen=True)
class _Deel:
    """A block under construction, with its total and each insider's known part kept as running sums."""

    atomen: tuple[Sleutel, ...]
    totaal: int
    delen: tuple[int, ...]
    volgorde: str  # deterministic tie-break: the smallest atom key

    def plus(self, ander: _Deel) -> _Deel:
        return _Deel(
            self.atomen + ander.atomen,
            self.totaal + ander.totaal,
            tuple(a + b for a, b in zip(self.delen, ander.delen, strict=True)),
            min(self.volgorde, ander.volgorde),
        )


def beschermingsblokken(aantallen: Mapping[Sleutel, int], k: int, insiders: Sequence[Insider] = ()) -> Bescherming:
    """Deelt de atomen (sleutel → aantal > 0) van één maand in blokken in; zie de moduledocumentatie."""
    if k < 1:
        raise ValueError("k moet minstens 1 zijn")
    atomen = {a: n for a, n in aantallen.items() if n > 0}
    diepte = len(next(iter(atomen))) if atomen else 0

    def veilig(d: _Deel) -> bool:
        return d.totaal >= k and not any(0 < d.totaal - deel < k for deel in d.delen)

    def knoop(sleutels: list[Sleutel], niveau: int) -> tuple[list[_Deel], _Deel | None]:
        if niveau == diepte:  # one atom
            (a,) = sleutels
            n = atomen[a]
            d = _Deel((a,), n, tuple(n if weet(a) else 0 for weet in insiders), repr(a))
            return ([d], None) if veilig(d) else ([], d)
        kinderen: dict[Hashable, list[Sleutel]] = defaultdict(list)
        for s in sleutels:
            kinderen[s[niveau]].append(s)
        klaar: list[_Deel] = []
        rest: _Deel | None = None
        for waarde in sorted(kinderen, key=repr):  # deterministic: same data, same blocks
            k_klaar, k_rest = knoop(kinderen[waarde], niveau + 1)
            klaar.extend(k_klaar)
            if k_rest is not None:
                rest = k_rest if rest is None else rest.plus(k_rest)
        if rest is None:
            return klaar, None
        if veilig(rest):
            return [*klaar, rest], None
        # Complementary suppression: join the smallest safe blocks under this parent until safe.
        volgorde = sorted(range(len(klaar)), key=lambda i: (klaar[i].totaal, klaar[i].volgorde))
        samen = rest
        for n, i in enumerate(volgorde, start=1):
            samen = samen.plus(klaar[i])
            if veilig(samen):
                gebruikt = set(volgorde[:n])
                return [d for j, d in enumerate(klaar) if j not in gebruikt] + [samen], None
        return klaar, rest

    if not atomen:
        return Bescherming(())
    klaar, rest = knoop(sorted(atomen, key=repr), 0)
    blokken = [Blok(frozenset(d.atomen), d.totaal, True) for d in klaar]
    if rest is not None:
        blokken.append(Blok(frozenset(rest.atomen), rest.totaal, False))
    return Bescherming(blokken)
