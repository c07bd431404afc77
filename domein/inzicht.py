"""Signaalstatistiek: tellingen en doorlooptijden, anoniem door constructie (toegang.md regel 5).

What is counted: stapgebeurtenissen (domein/stapgebeurtenissen.py), i.e. a signaal or melding entering
a stap of the ladder, in the month it entered it. ``STAP_1`` counts new signalen, ``STAP_3`` the
meldingen at the RMZ, ``DIRECTE_MELDING`` the meldingen sent straight to the contractmanager. Summed
over stappen the total counts ladder events, not distinct signalen; group by STAP to read them apart.

Only whole, completed months are published, and everything published for a month is frozen when it
closes: the counts (the month a stap was entered is fixed) and the doorlooptijden and 'binnen termijn'
too, which use only what was known on the month's closing day (a stap left, a first action taken, a
termijn passed before then). So nothing can be learned by asking again tomorrow, and which figures are
shown (at least k events behind them) cannot change either. Disclosure control is in
domein/onthulling.py. Doorlooptijden (median and 90th percentile, werkdagen from entering to leaving the
stap, for the stappen left before the month closed) and the share of first actions within the
toestand's termijn are shown only in published cells, and only when at least k events are behind them.

Because a closed month's figures are a function of its facts alone, its protected tables (atoms with their
blocks, and each grouping asked for, cells with 'publiceerbaar') are stored the first time they are computed,
for the version of the month they were computed from (``statistiek_maand.versie``, raised in the transaction
of every change to the month's facts; see ``_laad``). A cold process then reads a month's finished cells, not
its stapgebeurtenissen; a month whose version moved on is recomputed and stored again. The stored tables hold
small counts: only this module reads them, and only to serve them through the protection.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from domein.actor import GEMEENTEN, ROB
from domein.fouten import OngeldigeInvoer
from domein.maandtabellen import ATOOM, Dimensie, Maand, Meting, Tabel, verdeling_als_tekst
from domein.onthulling import Bescherming, Blok, Insider, Sleutel, beschermingsblokken
from domein.opslag.tabellen import stapgebeurtenis, statistiek_maand, statistiek_maandcel, statistiek_maandtabel
from domein.route import LADDERSTAPPEN, RMZ_ZELF_ONTVANGEN
from domein.toegang import Actie, Bereik
from domein.verzoek import Verzoek
from domein.waarden import Categorie

RESOURCE = "statistiek"
MAX_CELLEN = 10_000
MAX_MAANDEN = 120


def insiders() -> list[Insider]:
    """Parties that know some atoms exactly: each gemeente its own, the RMZ and contractmanager their meldingen.

    A gemeente does not know what the RMZ received about it from inwoners and professionals (issue 10):
    the protection must keep it from deriving those by subtracting its own numbers (no tipping off).
    """

    gi, si = ATOOM.index(Dimensie.GEMEENTE), ATOOM.index(Dimensie.STAP)

    def van_gemeente(g: str) -> Insider:
        return lambda a: a[gi] == g and a[si] != RMZ_ZELF_ONTVANGEN

    def met_stap(*stappen: str) -> Insider:
        return lambda a: a[si] in stappen

    rmz = ("STAP_3", RMZ_ZELF_ONTVANGEN)
    return [*(van_gemeente(g) for g in GEMEENTEN), met_stap(*rmz), met_stap(*rmz, "DIRECTE_MELDING")]


@dataclass(frozen=True)
class Cel:
    aanbieder_id: str | None
    gemeente: str | None
    stap: str | None
    categorie: str | None
    maand: str | None
    aantal: int | None
    onderdrukt: bool
    doorlooptijd_mediaan: float | None
    doorlooptijd_p90: float | None
    binnen_termijn: float | None


def percentiel(verdeling: Counter[int], q: float) -> float | None:
    """Continuous percentile (as PostgreSQL's percentile_cont) of a frequency table."""
    n = sum(verdeling.values())
    if n == 0:
        return None
    waarden = sorted(verdeling)

    def kde(i: int) -> int:
        for w in waarden:
            if i < verdeling[w]:
                return w
            i -= verdeling[w]
        raise IndexError(i)

    pos = q * (n - 1)
    onder = int(pos)
    laag, hoog = kde(onder), kde(min(onder + 1, n - 1))
    return round(laag + (hoog - laag) * (pos - onder), 1)


def _maanden(van: date, tot: date) -> list[str]:
    uit, j, m = [], van.year, van.month
    while (j, m) <= (tot.year, tot.month):
        uit.append(f"{j:04d}-{m:02d}")
        j, m = (j + 1, 1) if m == 12 else (j, m + 1)
    return uit


def periode(van: date | None, tot: date | None, vandaag: date) -> tuple[date, date]:
    """Whole, completed months; by default the twelve months before the current one."""
    laatste = vandaag.replace(day=1) - timedelta(days=1)
    tot = tot or laatste
    if van is None:
        j, m = tot.year, tot.month - 11
        van = date(j - 1, m + 12, 1) if m < 1 else date(j, m, 1)
    if van.day != 1:
        raise OngeldigeInvoer("Een periode bestaat uit hele maanden: 'van' is de eerste dag van een maand.", veld="van")
    if (tot + timedelta(days=1)).day != 1:
        raise OngeldigeInvoer(
            "Een periode bestaat uit hele maanden: 'tot' is de laatste dag van een maand.", veld="tot"
        )
    if tot > laatste:
        raise OngeldigeInvoer(
            f"Alleen afgesloten maanden worden gepubliceerd; 'tot' mag hoogstens {laatste.isoformat()} zijn.",
            veld="tot",
        )
    if van > tot:
        raise OngeldigeInvoer("'van' ligt na 'tot'.", veld="van")
    if len(_maanden(van, tot)) > MAX_MAANDEN:
        raise OngeldigeInvoer(f"Vraag hoogstens {MAX_MAANDEN} maanden tegelijk.", veld="van")
    return van, tot


def sluitdag(maand: str) -> date:
    """De dag waarop een maand afgesloten is: de eerste dag van de volgende maand."""
    j, m = int(maand[:4]), int(maand[5:7])
    return date(j + 1, 1, 1) if m == 12 else date(j, m + 1, 1)


def _tel_mee(
    m: Meting,
    termijn: date | None,
    eerste_actie: date | None,
    afgerond: date | None,
    doorlooptijd: int | None,
    gesloten: date,
) -> None:
    """One stapgebeurtenis into a measurement, as it stood when its month closed (``gesloten``): counted; its
    doorlooptijd if the stap was left before then; 'binnen termijn' once decided before then (a first action
    happened, or the termijn passed without one). Later facts never change a closed month's figures."""
    m.aantal += 1
    if doorlooptijd is not None and afgerond is not None and afgerond < gesloten:
        m.doorlooptijden[doorlooptijd] += 1
    actie = eerste_actie if eerste_actie is not None and eerste_actie < gesloten else None
    if termijn is not None and (actie is not None or gesloten > termijn):
        m.beslist += 1
        m.binnen_termijn += actie is not None and actie <= termijn


def _meting(
    termijn: date | None, eerste_actie: date | None, afgerond: date | None, doorlooptijd: int | None, gesloten: date
) -> Meting:
    m = Meting()
    _tel_mee(m, termijn, eerste_actie, afgerond, doorlooptijd, gesloten)
    return m


VARIANT_KOLOM = {
    Dimensie.STAP: "stap",
    Dimensie.AANBIEDER: "aanbieder_id",
    Dimensie.GEMEENTE: "gemeente_code",
    Dimensie.CATEGORIE: "categorie",
}
"""The column of ``statistiek_maandcel`` that holds each atom dimension ('' when outside the grouping)."""


def _groepering(dims: tuple[Dimensie, ...]) -> str:
    return ",".join(d.value for d in dims)


def _variant(zonder: frozenset[str]) -> str:
    return ",".join(f"zonder {z}" for z in sorted(zonder))


async def _versies(vz: Verzoek, maanden: Sequence[str]) -> dict[str, int]:
    query = sa.select(statistiek_maand.c.maand, statistiek_maand.c.versie).where(statistiek_maand.c.maand.in_(maanden))
    return {r.maand: r.versie for r in await vz.conn.execute(query)}


async def _lees_bewaard(
    vz: Verzoek, versies: dict[str, int], variant: str, k: int, dims: tuple[Dimensie, ...]
) -> tuple[dict[str, list[Any]], set[str]]:
    """The stored cells of one grouping for these months, each of exactly the given version; and for which of
    these months the atoms are stored (one statement)."""
    h, c = statistiek_maandtabel.c, statistiek_maandcel.c
    groepering, atoom = _groepering(dims), _groepering(ATOOM)
    sleutel = ("maand", "variant", "k", "groepering", "versie")
    query = (
        sa.select(h.maand, h.groepering, *(c[VARIANT_KOLOM[d]] for d in dims), c.aantal, c.doorlooptijden)
        .add_columns(c.beslist, c.binnen_termijn, c.publiceerbaar, c.blok, c.blok_veilig)
        .select_from(
            statistiek_maandtabel.outerjoin(
                statistiek_maandcel, sa.and_(*(c[n] == h[n] for n in sleutel), h.groepering == groepering)
            )
        )
        .where(h.variant == variant, h.k == k, h.groepering.in_({groepering, atoom}))
        .where(sa.or_(*(sa.and_(h.maand == m, h.versie == v) for m, v in versies.items())))
    )
    uit: dict[str, list[Any]] = {}
    met_atomen = set()
    i_aantal = 2 + len(dims)
    for r in await vz.conn.execute(query):  # by position: tens of thousands of rows
        if r[1] == atoom:
            met_atomen.add(r[0])
        if r[1] == groepering:
            rijen = uit.get(r[0])
            if rijen is None:
                rijen = uit[r[0]] = []
            if r[i_aantal] is not None:  # a stored, empty table has its header and no cells
                rijen.append(r)
    return uit, met_atomen


def _tabel_uit(rijen: list[Any], n: int) -> Tabel:
    return {tuple(r[2 : n + 2]): (Meting.bewaard(r[n + 2], r[n + 3], r[n + 4], r[n + 5]), r[n + 6]) for r in rijen}


def _maand_uit(versie: int, rijen: list[Any]) -> Maand:
    """A month's atoms and their blocks, as stored."""
    n = len(ATOOM)
    tabel = _tabel_uit(rijen, n)
    leden: dict[int, list[Sleutel]] = {}
    veilig: dict[int, bool] = {}
    for r in rijen:
        leden.setdefault(r.blok, []).append(tuple(r[2 : n + 2]))
        veilig[r.blok] = r.blok_veilig
    blokken = [Blok(frozenset(a), sum(tabel[s][0].aantal for s in a), veilig[i]) for i, a in sorted(leden.items())]
    return Maand(versie, {s: m for s, (m, _) in tabel.items()}, Bescherming(blokken), {ATOOM: tabel})


async def _bewaar(
    vz: Verzoek,
    variant: str,
    k: int,
    groeperingen: list[tuple[tuple[Dimensie, ...], dict[str, int]]],
    maanden: dict[str, Maand],
) -> None:
    """Stores groupings of months, each month for the version its facts were read at; older versions go (their
    cells with them: ON DELETE CASCADE). Three statements.

    Two processes may store the same month and version at once: both computed the same cells from the same
    facts, so whoever comes second adds nothing (ON CONFLICT DO NOTHING)."""
    versies = {m: v for _, vs in groeperingen for m, v in vs.items()}
    if not versies:
        return
    t = statistiek_maandtabel
    oud = sa.or_(*(sa.and_(t.c.maand == m, t.c.versie < v) for m, v in versies.items()))
    await vz.conn.execute(t.delete().where(t.c.variant == variant, t.c.k == k, oud))
    kop = dict(variant=variant, k=k)
    koppen, rijen = [], []
    leeg = dict.fromkeys(VARIANT_KOLOM.values(), "")
    for dims, vs in groeperingen:
        groepering = _groepering(dims)
        for m, v in sorted(vs.items()):
            koppen.append(kop | {"maand": m, "groepering": groepering, "versie": v})
            maand = maanden[m]
            # In key order: two processes storing the same month insert in the same order (no deadlock).
            vast = koppen[-1] | leeg | {"blok": None, "blok_veilig": None}
            kolommen = [VARIANT_KOLOM[d] for d in dims]
            for sleutel, (meting, vrij) in sorted(maand.tabel(dims).items(), key=itemgetter(0)):
                rij = vast | dict(zip(kolommen, sleutel, strict=True))
                rij["aantal"], rij["beslist"], rij["publiceerbaar"] = meting.aantal, meting.beslist, vrij
                rij["binnen_termijn"] = meting.binnen_termijn
                rij["doorlooptijden"] = verdeling_als_tekst(meting.doorlooptijden)
                if dims == ATOOM:
                    blok = rij["blok"] = maand.bescherming.blok_van(sleutel)
                    rij["blok_veilig"] = maand.bescherming.blokken[blok].veilig
                rijen.append(rij)
    await _voeg_toe_zonder_conflict(vz, statistiek_maandtabel, koppen)
    await _voeg_toe_zonder_conflict(vz, statistiek_maandcel, rijen)


async def _voeg_toe_zonder_conflict(vz: Verzoek, tabel: sa.Table, rijen: list[dict[str, Any]]) -> None:
    if rijen:
        insert = postgresql.insert if vz.conn.dialect.name == "postgresql" else sqlite.insert
        await vz.conn.execute(insert(tabel).on_conflict_do_nothing(), rijen)


async def _bereken(
    vz: Verzoek, maanden: Sequence[str], variant: str, zonder: frozenset[str]
) -> tuple[dict[str, Maand], dict[str, int]]:
    """Atoms and blocks from the stapgebeurtenissen, and the version of each month in the same statement (one
    snapshot: a change raises its month's version in its own transaction), which is the version they belong to."""
    s, v = stapgebeurtenis.c, statistiek_maand.c
    kolom = {Dimensie.AANBIEDER: s.aanbieder_id, Dimensie.GEMEENTE: s.gemeente_code, Dimensie.STAP: s.stap}
    kolom[Dimensie.CATEGORIE] = s.categorie
    feiten = sa.and_(s.maand == v.maand, s.maand.in_(sorted(maanden)), s.stap.not_in(sorted(zonder)))
    query = (
        sa.select(v.maand, v.versie, *(kolom[d] for d in ATOOM), s.termijn, s.eerste_actie_op, s.afgerond_op)
        .add_columns(s.doorlooptijd)
        .select_from(statistiek_maand.outerjoin(stapgebeurtenis, feiten))
        .where(v.maand.in_(sorted(maanden)))
    )
    atomen: dict[str, dict[Sleutel, Meting]] = {m: {} for m in maanden}
    versies: dict[str, int] = {}
    gesloten = {m: sluitdag(m) for m in maanden}
    n = len(ATOOM)
    for r in await vz.conn.execute(query):
        versies[r[0]] = r[1]
        if r[2] is None:  # a month without (these) facts
            continue
        per_atoom = atomen[r[0]]
        sleutel = tuple(r[2 : n + 2])
        meting = per_atoom.get(sleutel)
        if meting is None:
            meting = per_atoom[sleutel] = Meting()
        _tel_mee(meting, r[n + 2], r[n + 3], r[n + 4], r[n + 5], gesloten[r[0]])
    k = vz.drempels.k
    uit = {}
    for m, versie in versies.items():
        tellingen = {a: x.aantal for a, x in atomen[m].items()}
        bescherming = vz.statistiekcache.bescherming(
            m + "|" + variant, k, tellingen, partial(beschermingsblokken, tellingen, k, insiders())
        )
        uit[m] = Maand(versie, atomen[m], bescherming)
    return uit, versies


async def _laad(
    vz: Verzoek, versies: dict[str, int], intern: tuple[Dimensie, ...], zonder: frozenset[str] = frozenset()
) -> tuple[dict[str, Tabel], bool]:
    """The protected tables of grouping ``intern`` per month, and whether all are of the versions asked for.

    From the process when it has them; else from the stored tables; else from the stored atoms and blocks
    (then the grouping is stored too); else from the stapgebeurtenissen (then atoms, blocks and grouping
    are stored). ``zonder``: stappen this reader does not know, which therefore do not count at all."""
    variant, k, cache = _variant(zonder), vz.drempels.k, vz.statistiekcache
    uit: dict[str, Tabel] = {}
    for m, v in versies.items():
        t = cache.tabel(m, variant, k, v, intern)
        if t is not None:
            uit[m] = t
    ontbreekt = {m: v for m, v in versies.items() if m not in uit}
    if not ontbreekt:
        return uit, True
    bewaard, met_atomen = await _lees_bewaard(vz, ontbreekt, variant, k, intern)
    for m, rijen in bewaard.items():
        uit[m] = _tabel_uit(rijen, len(intern))
        cache.zet_tabel(m, variant, k, ontbreekt[m], intern, uit[m])
    ontbreekt = {m: v for m, v in ontbreekt.items() if m not in uit}
    if not ontbreekt:
        return uit, True
    maanden: dict[str, Maand] = {}
    uit_atomen = {m: v for m, v in ontbreekt.items() if m in met_atomen}
    if uit_atomen:
        for m, rijen in (await _lees_bewaard(vz, uit_atomen, variant, k, ATOOM))[0].items():
            maanden[m] = _maand_uit(uit_atomen[m], rijen)
    bewaren: list[tuple[tuple[Dimensie, ...], dict[str, int]]] = []
    gelezen = {m: v for m, v in uit_atomen.items() if m in maanden}
    nieuw = [m for m in ontbreekt if m not in maanden]
    if nieuw:
        berekend, feitversies = await _bereken(vz, nieuw, variant, zonder)
        maanden |= berekend
        bewaren.append((ATOOM, feitversies))
        gelezen |= feitversies
    if intern != ATOOM:
        bewaren.append((intern, gelezen))
    await _bewaar(vz, variant, k, bewaren, maanden)
    for m, maand in maanden.items():
        uit[m] = maand.tabel(intern)
        cache.zet_tabel(m, variant, k, gelezen[m], intern, uit[m])
    # A month changed since its version was read: this answer is right for its facts, but not for the key.
    return uit, all(gelezen.get(m) == v for m, v in ontbreekt.items())


def _som(
    tabellen: Mapping[str, Tabel],
    maanden: Sequence[str],
    intern: tuple[Dimensie, ...],
    gevraagd: Sequence[Dimensie],
    gemeenten: Sequence[str],
) -> dict[tuple[Hashable, ...], tuple[Meting, bool]]:
    """Sums the monthly cells of grouping ``intern`` over the period; a sum is published only when every
    month's part is (a period reveals nothing beyond its months, so adjacent periods cannot be differenced)."""
    # Each output dimension comes from the cell key (its index in ``intern``) or is the month (-1).
    bron = [intern.index(d) if d in intern else -1 for d in Dimensie if d in gevraagd or d in intern]
    gi = intern.index(Dimensie.GEMEENTE) if Dimensie.GEMEENTE in intern else None
    zichtbaar = set(gemeenten)
    cellen: dict[tuple[Hashable, ...], tuple[Meting, bool]] = {}
    for m in maanden:
        if m not in tabellen:
            continue
        for sleutel, (meting, vrij) in tabellen[m].items():
            if gi is not None and sleutel[gi] not in zichtbaar:
                continue
            doel = tuple(m if i < 0 else sleutel[i] for i in bron)
            bestaand = cellen.get(doel)
            if bestaand is None:
                som = Meting()
                cellen[doel] = (som, vrij)
            else:
                som = bestaand[0]
                if not vrij and bestaand[1]:
                    cellen[doel] = (som, False)
            som.voeg_toe(meting)
    return cellen


def combineer(
    per_maand: Mapping[str, Maand],
    maanden: Sequence[str],
    intern: tuple[Dimensie, ...],
    gevraagd: Sequence[Dimensie],
    gemeenten: Sequence[str],
) -> dict[tuple[Hashable, ...], tuple[Meting, bool]]:
    """The cells of a period, from each month's atoms and blocks (see ``_som``)."""
    return _som({m: v.tabel(intern) for m, v in per_maand.items()}, maanden, intern, gevraagd, gemeenten)


def _domeinen(
    dims: Sequence[Dimensie], maanden: Sequence[str], gemeenten: Sequence[str], aanbieders: set[Hashable]
) -> list[list[Hashable]]:
    waarden: dict[Dimensie, Sequence[Hashable]] = {
        Dimensie.AANBIEDER: sorted(aanbieders, key=str),
        Dimensie.GEMEENTE: list(gemeenten),
        Dimensie.STAP: sorted(LADDERSTAPPEN),
        Dimensie.CATEGORIE: [str(c) for c in Categorie],
        Dimensie.MAAND: list(maanden),
    }
    return [list(waarden[d]) for d in dims]


class Cellen(list[Cel]):
    """De cellen van een antwoord; ``sleutel`` (als het antwoord vastligt) omvat alles waar ze van afhangen."""

    def __init__(self, cellen: Iterable[Cel], sleutel: tuple[object, ...] | None) -> None:
        super().__init__(cellen)
        self.sleutel = sleutel


async def signaal_statistiek(
    vz: Verzoek, groepeer_op: Sequence[Dimensie], van: date | None, tot: date | None
) -> Cellen:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    vandaag = vz.nu().date()
    van, tot = periode(van, tot, vandaag)
    maanden = _maanden(van, tot)
    if besluit.bereik is Bereik.REGIO:
        gemeenten, verantwoordelijke = list(GEMEENTEN), ROB
    elif besluit.bereik is Bereik.EIGEN_GEMEENTE and vz.actor.gemeente is not None:
        gemeenten, verantwoordelijke = [vz.actor.gemeente], vz.actor.gemeente
    else:
        gemeenten, verantwoordelijke = [], vz.actor.organisatie
    gevraagd = [d for d in Dimensie if d in set(groepeer_op)]
    # A gemeente sees the regional cells restricted to itself, so both views share one protection.
    intern = tuple(d for d in ATOOM if d in gevraagd or (d is Dimensie.GEMEENTE and besluit.bereik is not Bereik.REGIO))
    # A gemeente's figures hold only what it knows of itself: what the RMZ received about it from inwoners
    # and professionals stays out entirely, also out of the suppression of its own cells (no tipping off).
    zonder = frozenset() if besluit.bereik is Bereik.REGIO else frozenset({RMZ_ZELF_ONTVANGEN})
    versies = await _versies(vz, maanden)
    # The finished answer depends on nothing else: the version of every month, k and the view.
    sleutel = (
        _variant(zonder),
        vz.drempels.k,
        tuple((m, versies.get(m)) for m in maanden),
        intern,
        tuple(gevraagd),
        tuple(gemeenten),
    )
    antwoord: list[Cel] | None = vz.statistiekcache.antwoord(sleutel)
    vast = antwoord is not None  # only fixed answers are kept
    if antwoord is None:
        tabellen, vast = await _laad(vz, versies, intern, zonder)
        antwoord = _antwoord(tabellen, maanden, intern, gevraagd, gemeenten, vz.drempels.k)
        if vast:
            vz.statistiekcache.zet_antwoord(sleutel, antwoord)
    vz.raadpleging(
        besluit,
        object_type=RESOURCE,
        object_id=f"{','.join(d.name for d in gevraagd) or 'TOTAAL'}|{maanden[0]}..{maanden[-1]}",
        verantwoordelijke=verantwoordelijke,
        activiteit="signaalstatistiek raadplegen",
    )
    return Cellen(antwoord if gemeenten else [], sleutel if vast and gemeenten else None)


def _antwoord(
    tabellen: Mapping[str, Tabel],
    maanden: Sequence[str],
    intern: tuple[Dimensie, ...],
    gevraagd: Sequence[Dimensie],
    gemeenten: Sequence[str],
    k: int,
) -> list[Cel]:
    cellen = _som(tabellen, maanden, intern, gevraagd, gemeenten)
    uitvoer_dims = [d for d in Dimensie if d in gevraagd or d in intern]
    aanbieders = (
        {s[uitvoer_dims.index(Dimensie.AANBIEDER)] for s in cellen} if Dimensie.AANBIEDER in uitvoer_dims else set()
    )
    domeinen = _domeinen(uitvoer_dims, maanden, gemeenten, aanbieders)
    aantal_cellen = 1
    for d in domeinen:
        aantal_cellen *= len(d)
    if aantal_cellen > MAX_CELLEN:
        raise OngeldigeInvoer(
            f"Deze indeling levert {aantal_cellen} cellen op; hoogstens {MAX_CELLEN}. Kies minder dimensies of een "
            "kortere periode.",
            veld="groepeerOp",
        )
    leeg = (Meting(), True)
    return [
        _cel(dict(zip(uitvoer_dims, s, strict=True)), *cellen.get(s, leeg), k) for s in itertools.product(*domeinen)
    ]


def _cel(w: dict[Dimensie, Hashable], meting: Meting, vrij: bool, k: int) -> Cel:
    def tekst(d: Dimensie) -> str | None:
        return None if w.get(d) is None else str(w[d])

    zichtbaar = vrij or meting.aantal == 0
    # At most ``aantal`` stappen were left: below k the distribution is not needed (nor merged or read).
    verdeling = meting.doorlooptijden if zichtbaar and meting.aantal >= k else None
    genoeg = verdeling is not None and sum(verdeling.values()) >= k
    return Cel(
        aanbieder_id=tekst(Dimensie.AANBIEDER),
        gemeente=tekst(Dimensie.GEMEENTE),
        stap=tekst(Dimensie.STAP),
        categorie=tekst(Dimensie.CATEGORIE),
        maand=tekst(Dimensie.MAAND),
        aantal=meting.aantal if zichtbaar else None,
        onderdrukt=not zichtbaar,
        doorlooptijd_mediaan=percentiel(verdeling, 0.5) if verdeling is not None and genoeg else None,
        doorlooptijd_p90=percentiel(verdeling, 0.9) if verdeling is not None and genoeg else None,
        binnen_termijn=(
            round(meting.binnen_termijn / meting.beslist, 3) if zichtbaar and meting.beslist >= k else None
        ),
    )
