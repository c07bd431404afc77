"""Toegang.md regel 5 (Bijlage 1 art. 3.1): geen groep kleiner dan k herleidbaar, ook niet door aftrekken.

The analyst sees every grouping (all 32 combinations of the five dimensions), every run of months,
the regional view and each gemeente's own view, and solves linear programs over all of it. No
suppressed count between 1 and k−1 may come out exactly, also not for an insider who knows its own
gemeente's numbers or the RMZ's meldingen.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domein.actor import GEMEENTEN
from domein.inzicht import combineer, insiders
from domein.maandtabellen import ATOOM, Dimensie, Maand, Meting
from domein.onthulling import beschermingsblokken
from tests.aanval import Atoom, Gepubliceerd, bereiken, teruggevonden

K = 5
MAANDEN = ["2026-01", "2026-02", "2026-03"]
AANBIEDERS = ["a1", "a2"]
GEM = list(GEMEENTEN)[:3]
STAPPEN = ["STAP_1", "STAP_3"]
CATEGORIEEN = ["kwaliteit", "fraude_vermoeden"]
ALLE = [(m, a, g, s, c) for m, a, g, s, c in itertools.product(MAANDEN, AANBIEDERS, GEM, STAPPEN, CATEGORIEEN)]


NATUURLIJK = (Dimensie.MAAND, Dimensie.AANBIEDER, Dimensie.GEMEENTE, Dimensie.STAP, Dimensie.CATEGORIE)
"""The tuples in these tests: (maand, aanbieder, gemeente, stap, categorie)."""


def naar_atoom(t: Atoom) -> Atoom:
    """A test tuple as the domain's atom key (without the month)."""
    waarden = dict(zip(NATUURLIJK, t, strict=True))
    return tuple(waarden[d] for d in ATOOM)


def _maanden(tellingen: dict[Atoom, int], k: int = K) -> dict[str, Maand]:
    uit = {}
    for m in MAANDEN:
        atomen = {naar_atoom(a): Meting(aantal=n) for a, n in tellingen.items() if a[0] == m and n > 0}
        uit[m] = Maand(1, atomen, beschermingsblokken({s: v.aantal for s, v in atomen.items()}, k, insiders()))
    return uit


def _in_cel(atoom: Atoom, dims: tuple[Dimensie, ...], sleutel: tuple[Hashable, ...], periode: list[str]) -> bool:
    waarden = dict(zip(NATUURLIJK, atoom, strict=True))
    return waarden[Dimensie.MAAND] in periode and all(waarden[d] == v for d, v in zip(dims, sleutel, strict=True))


def _naam(view: str, periode: list[str], dims: tuple[Dimensie, ...], sleutel: tuple[Hashable, ...]) -> str:
    return f"{view} {'+'.join(periode)} {','.join(d.name for d in dims)}={','.join(map(str, sleutel))}"


def alles_wat_gepubliceerd_wordt(tellingen: dict[Atoom, int], k: int = K) -> list[Gepubliceerd]:
    """Every answer to every question: all groupings × all periods × regional and per-gemeente views."""
    per_maand = _maanden(tellingen, k)
    gezien = []
    views: list[tuple[str, list[str], bool]] = [("regio", GEM, False)] + [(g, [g], True) for g in GEM]
    for (naam, gemeenten, eigen), periode in itertools.product(views, bereiken(MAANDEN)):
        for r in range(len(Dimensie) + 1):
            for gevraagd in itertools.combinations(list(Dimensie), r):
                intern = tuple(d for d in ATOOM if d in gevraagd or (d is Dimensie.GEMEENTE and eigen))
                cellen = combineer(per_maand, periode, intern, gevraagd, gemeenten)
                dims = tuple(d for d in Dimensie if d in gevraagd or d in intern)
                domein = {
                    Dimensie.AANBIEDER: AANBIEDERS,
                    Dimensie.GEMEENTE: gemeenten,
                    Dimensie.STAP: STAPPEN,
                    Dimensie.CATEGORIE: CATEGORIEEN,
                    Dimensie.MAAND: periode,
                }
                for sleutel in itertools.product(*(domein[d] for d in dims)):  # zero cells are shown as 0
                    meting, vrij = cellen.get(sleutel, (Meting(), True))
                    leden = frozenset(a for a in ALLE if _in_cel(a, dims, sleutel, periode))
                    zichtbaar = vrij or meting.aantal == 0
                    gezien.append(
                        Gepubliceerd(_naam(naam, periode, dims, sleutel), leden, meting.aantal if zichtbaar else None)
                    )
    return gezien


def _waarheid(tellingen: dict[Atoom, int]):  # type: ignore[no-untyped-def]
    return lambda leden: sum(tellingen.get(a, 0) for a in leden)


tellingen_strategie = st.dictionaries(
    st.sampled_from(ALLE), st.sampled_from([1, 1, 2, 3, 4, 5, 6, 9]), min_size=3, max_size=30
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tellingen_strategie)
def test_geen_kleine_groep_herleidbaar_uit_alle_indelingen_periodes_en_views_samen(tellingen: dict[Atoom, int]) -> None:
    gezien = alles_wat_gepubliceerd_wordt(tellingen)
    assert teruggevonden(ALLE, gezien, _waarheid(tellingen), K) == []


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tellingen_strategie, st.sampled_from(range(len(GEM) + 2)))
def test_ook_een_insider_met_eigen_aantallen_vindt_geen_kleine_groep_van_anderen(
    tellingen: dict[Atoom, int], wie: int
) -> None:
    """A gemeente knows its own signalen; the RMZ its meldingen (STAP_3). Subtracting them must not help."""
    gezien = alles_wat_gepubliceerd_wordt(tellingen)
    if wie < len(GEM):
        eigen = [a for a in ALLE if a[2] == GEM[wie]]
    else:
        eigen = [a for a in ALLE if a[3] == "STAP_3"]
    bekend = {a: tellingen.get(a, 0) for a in eigen}
    assert teruggevonden(ALLE, gezien, _waarheid(tellingen), K, bekend) == []


def test_aftrekken_van_aanbieder_totaal_en_aanbieder_per_gemeente_onthult_niets() -> None:
    """The example of the issue: [AANBIEDER] versus [AANBIEDER, GEMEENTE] for the same month."""
    a, b, c = GEM
    tellingen = {
        ("2026-01", "a1", a, "STAP_1", "kwaliteit"): 3,  # the small group
        ("2026-01", "a1", b, "STAP_1", "kwaliteit"): 12,
        ("2026-01", "a1", c, "STAP_1", "kwaliteit"): 9,
        ("2026-01", "a2", b, "STAP_1", "kwaliteit"): 20,
        ("2026-01", "a2", c, "STAP_1", "kwaliteit"): 8,
    }
    gezien = alles_wat_gepubliceerd_wordt(tellingen)
    klein = next(g for g in gezien if g.naam == f"regio 2026-01 AANBIEDER,GEMEENTE=a1,{a}")
    assert klein.aantal is None
    assert teruggevonden(ALLE, gezien, _waarheid(tellingen), K) == []
    # The total of a1 stays published; its per-gemeente cells go with the small one, because two
    # complements are needed: with one, that gemeente (knowing its own 12 or 9) would subtract to 3.
    cellen = {g.naam: g.aantal for g in gezien}
    assert cellen["regio 2026-01 AANBIEDER=a1"] == 24
    assert cellen[f"regio 2026-01 AANBIEDER,GEMEENTE=a1,{b}"] is None
    assert cellen[f"regio 2026-01 AANBIEDER,GEMEENTE=a1,{c}"] is None
    assert cellen[f"regio 2026-01 AANBIEDER,GEMEENTE=a2,{b}"] == 20


def test_nul_wordt_getoond_en_een_groot_getal_ook() -> None:
    tellingen = {("2026-02", "a1", GEM[0], "STAP_1", "kwaliteit"): 7}
    gezien = {g.naam: g.aantal for g in alles_wat_gepubliceerd_wordt(tellingen)}
    assert gezien["regio 2026-02 AANBIEDER=a1"] == 7
    assert gezien["regio 2026-02 GEMEENTE=" + GEM[0]] == 7


def test_een_maand_met_minder_dan_k_in_totaal_wordt_helemaal_onderdrukt() -> None:
    tellingen = {
        ("2026-03", "a1", GEM[0], "STAP_1", "kwaliteit"): 2,
        ("2026-03", "a2", GEM[1], "STAP_1", "kwaliteit"): 2,
    }
    gezien = alles_wat_gepubliceerd_wordt(tellingen)
    maart = [g for g in gezien if g.naam.startswith("regio 2026-03 ")]
    assert maart
    assert all(g.aantal is None for g in maart if sum(tellingen.get(a, 0) for a in g.atomen) > 0)


def test_dezelfde_gegevens_geven_dezelfde_blokken() -> None:
    """Consistency across requests and processes: protection is a function of the data alone."""
    tellingen = {naar_atoom(a): (i % 6) + 1 for i, a in enumerate(ALLE) if a[0] == "2026-01" and i % 3}
    een = beschermingsblokken(tellingen, K, insiders())
    twee = beschermingsblokken(dict(reversed(list(tellingen.items()))), K, insiders())
    assert {b.atomen for b in een.blokken} == {b.atomen for b in twee.blokken}
