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
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa

from domein.actor import GEMEENTEN, ROB
from domein.fouten import OngeldigeInvoer
from domein.maandtabellen import ATOOM, Dimensie, Maand, Meting
from domein.onthulling import Insider, Sleutel, beschermingsblokken
from domein.opslag.tabellen import stapgebeurtenis, statistiek_maand
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


async def _laad(
    vz: Verzoek, maanden: Sequence[str], vandaag: date, zonder: frozenset[str] = frozenset()
) -> dict[str, Maand]:
    """De beschermde maanden; ``zonder``: stappen die deze lezer niet kent en die dus ook niet meetellen."""
    variant = "".join(f"|zonder {z}" for z in sorted(zonder))  # its own atoms, protection and cache entry
    versies = {
        r.maand: r.versie
        for r in await vz.conn.execute(
            sa.select(statistiek_maand.c.maand, statistiek_maand.c.versie).where(statistiek_maand.c.maand.in_(maanden))
        )
    }
    k = vz.drempels.k
    uit = {m: vz.statistiekcache.get(m + variant, versies[m], k, vandaag) for m in maanden if m in versies}
    oud = [m for m, v in uit.items() if v is None]
    if oud:
        s = stapgebeurtenis.c
        kolom = {Dimensie.AANBIEDER: s.aanbieder_id, Dimensie.GEMEENTE: s.gemeente_code, Dimensie.STAP: s.stap}
        kolom[Dimensie.CATEGORIE] = s.categorie
        query = sa.select(
            s.maand, *(kolom[d] for d in ATOOM), s.termijn, s.eerste_actie_op, s.afgerond_op, s.doorlooptijd
        ).where(s.maand.in_(oud), s.stap.not_in(sorted(zonder)))
        atomen: dict[str, dict[Sleutel, Meting]] = {m: {} for m in oud}
        n = len(ATOOM)
        for r in await vz.conn.execute(query):
            per_atoom = atomen[r[0]]
            sleutel = tuple(r[1 : n + 1])
            meting = per_atoom.get(sleutel)
            if meting is None:
                meting = per_atoom[sleutel] = Meting()
            _tel_mee(meting, r[n + 1], r[n + 2], r[n + 3], r[n + 4], sluitdag(r[0]))
        for m in oud:
            tellingen = {a: v.aantal for a, v in atomen[m].items()}
            bescherming = vz.statistiekcache.bescherming(
                m + variant, k, tellingen, partial(beschermingsblokken, tellingen, k, insiders())
            )
            maand = Maand(versies[m], atomen[m], bescherming)
            vz.statistiekcache.put(m + variant, k, vandaag, maand)
            uit[m] = maand
    return {m: v for m, v in uit.items() if v is not None}


def combineer(
    per_maand: dict[str, Maand],
    maanden: Sequence[str],
    intern: tuple[Dimensie, ...],
    gevraagd: Sequence[Dimensie],
    gemeenten: Sequence[str],
) -> dict[tuple[Hashable, ...], tuple[Meting, bool]]:
    """Sums the monthly cells of grouping ``intern`` over the period; a sum is published only when every
    month's part is (a period reveals nothing beyond its months, so adjacent periods cannot be differenced)."""
    cellen: dict[tuple[Hashable, ...], tuple[Meting, bool]] = {}
    for m in maanden:
        if m not in per_maand:
            continue
        for sleutel, (meting, vrij) in per_maand[m].tabel(intern).items():
            waarden: dict[Dimensie, Hashable] = dict(zip(intern, sleutel, strict=True))
            if Dimensie.GEMEENTE in waarden and waarden[Dimensie.GEMEENTE] not in gemeenten:
                continue
            waarden[Dimensie.MAAND] = m
            doel = tuple(waarden[d] for d in Dimensie if d in gevraagd or d in intern)
            som, som_vrij = cellen.get(doel, (Meting(), True))
            som.voeg_toe(meting)
            cellen[doel] = (som, som_vrij and vrij)
    return cellen


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


async def signaal_statistiek(
    vz: Verzoek, groepeer_op: Sequence[Dimensie], van: date | None, tot: date | None
) -> list[Cel]:
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
    per_maand = await _laad(vz, maanden, vandaag, zonder)

    cellen = combineer(per_maand, maanden, intern, gevraagd, gemeenten)
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
    vz.raadpleging(
        besluit,
        object_type=RESOURCE,
        object_id=f"{','.join(d.name for d in gevraagd) or 'TOTAAL'}|{maanden[0]}..{maanden[-1]}",
        verantwoordelijke=verantwoordelijke,
        activiteit="signaalstatistiek raadplegen",
    )
    if not gemeenten:
        return []
    return [
        _cel(dict(zip(uitvoer_dims, s, strict=True)), *cellen.get(s, (Meting(), True)), vz.drempels.k)
        for s in itertools.product(*domeinen)
    ]


def _cel(w: dict[Dimensie, Hashable], meting: Meting, vrij: bool, k: int) -> Cel:
    def tekst(d: Dimensie) -> str | None:
        return None if w.get(d) is None else str(w[d])

    zichtbaar = vrij or meting.aantal == 0
    afgerond = sum(meting.doorlooptijden.values())
    return Cel(
        aanbieder_id=tekst(Dimensie.AANBIEDER),
        gemeente=tekst(Dimensie.GEMEENTE),
        stap=tekst(Dimensie.STAP),
        categorie=tekst(Dimensie.CATEGORIE),
        maand=tekst(Dimensie.MAAND),
        aantal=meting.aantal if zichtbaar else None,
        onderdrukt=not zichtbaar,
        doorlooptijd_mediaan=percentiel(meting.doorlooptijden, 0.5) if zichtbaar and afgerond >= k else None,
        doorlooptijd_p90=percentiel(meting.doorlooptijden, 0.9) if zichtbaar and afgerond >= k else None,
        binnen_termijn=(
            round(meting.binnen_termijn / meting.beslist, 3) if zichtbaar and meting.beslist >= k else None
        ),
    )
