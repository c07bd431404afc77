"""Benchmark: het auditlog met 5.000.000 regels: inzageverzoek, maandexport en toevoegen onder concurrency.

Seeds (PostgreSQL only, asyncpg COPY in blocks) N audit records over the 24 completed months before the
current one, more on working days and hours, with a valid hash chain (``bereken_hash`` in volgnummer
order, explicit volgnummers 1..N) and one ``auditbetrokkene`` row per pseudonym. The mix: the seven
gemeenten and the ROB as organisatie/verantwoordelijke, the roles with their doel, lezen/registreren/
wijzigen on casus, melding, signaal and aanbieder, a few refusals. Persons are keyed pseudonyms of a
population of elfproef-valid fictitious BSNs (skewed: a few persons have many records); 5% of them
appear in a second gemeente, so an inzageverzoek also informs another privacy officer.

The audit tables refuse UPDATE, DELETE and TRUNCATE, so a reload drops and recreates the database.

Measures, through the real app (httpx ASGITransport) as privacy officer of gemeente 0268:
- inzageverzoek(bsn) for different BSNs that occur in the data (p50/p95);
- GET /auditlog/export for one month, whole body read and lines counted, for several months (and once
  as the ROB's privacy officer);
- append throughput: concurrent writers, each on its own connection and by default its own process
  (like ``regiekamer serve --workers N``), through ``domein.audit.schrijf``; some transactions roll
  back. Three spreads over the verantwoordelijken (``--verdeling``): gelijk (writer i writes for
  organisation i: 8 chains), gewogen (per transaction, weighted as in the seed), een (all 0268: one
  chain, the worst case). Prints regels/s, transacties/s, p50/p95, then checks that exactly what the
  writers committed arrived (auditregel and auditbetrokkene) and that the appended records link up.
  The seeded records are the global chain of before migration 0008 (formula 1).
Usage: DATABASE_URL=postgresql+asyncpg://... python -m bench.auditlog [--aantal 5000000] [--alleen-meten]
       DATABASE_URL=... python -m bench.auditlog --alleen-toevoegen [--seconden 10] [--verdeling gelijk]
       (an empty database, no seed: append only, then ``audit verify`` over everything)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import queue
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.meten import PSEUDO, Meter, verse_database
from domein import audit
from domein.actor import GEMEENTEN, ROB, Actor, Rol
from domein.audit import GENESIS, AuditRegel, Operatie, Uitkomst, bereken_hash
from domein.opslag.db import maak_engine
from domein.opslag.tabellen import auditbetrokkene, auditregel
from domein.waarden import controleer_bsn

DB = "regiekamer_bench_audit"
INZAGE = """query($bsn: String!) { inzageverzoek(bsn: $bsn) { verwerkingen { tijdstip doel operatie organisatie
  objectType } } }"""
GEWICHT = {"0268": 45, "0296": 12, "0252": 5, "1945": 10, "0944": 2, "0209": 7, "0225": 5}
KOLOMMEN = [c.name for c in auditregel.columns]
IDENTIFICATIE = "persoonsgegevens.identificatie"
ZORGBEHOEFTE = "persoonsgegevens.zorgbehoefte"
BLOK = 50_000


def maanden_terug(n: int) -> list[date]:
    """The first days of the n completed months before the current one, oldest first."""
    m = datetime.now(UTC).date().replace(day=1)
    uit = []
    for _ in range(n):
        m = (m - timedelta(days=1)).replace(day=1)
        uit.append(m)
    return list(reversed(uit))


def volgende_maand(m: date) -> date:
    return (m.replace(day=28) + timedelta(days=4)).replace(day=1)


def fictieve_bsns(aantal: int, start: int = 910_000_000) -> list[str]:
    """Elfproef-valid BSNs from a 9-prefixed synthetic range: the check digit is computed, not searched."""
    uit: list[str] = []
    prefix = start // 10
    while len(uit) < aantal:
        cijfers = f"{prefix:08d}"
        rest = sum(int(c) * w for c, w in zip(cijfers, range(9, 1, -1), strict=True)) % 11
        if rest < 10:
            uit.append(controleer_bsn(f"{cijfers}{rest}"))
        prefix += 1
    return uit


@dataclass
class Bevolking:
    """Fictitious persons: BSN, pseudonym, home gemeente, sometimes a second gemeente, and their objects."""

    bsns: list[str]
    pseudoniemen: list[str]
    gemeente: list[str]
    tweede: list[str | None]
    casus: list[str]
    signaal: list[str]

    @classmethod
    def maak(cls, aantal: int, seed: int = 11) -> Bevolking:
        kans = random.Random(seed)
        bsns = fictieve_bsns(aantal)
        codes, gewichten = list(GEWICHT), list(GEWICHT.values())
        gemeente = kans.choices(codes, gewichten, k=aantal)
        tweede: list[str | None] = [
            kans.choice([c for c in codes if c != g]) if kans.random() < 0.05 else None for g in gemeente
        ]
        return cls(
            bsns,
            [PSEUDO.pseudoniem(b) for b in bsns],
            gemeente,
            tweede,
            [str(uuid.UUID(int=kans.getrandbits(128), version=4)) for _ in bsns],
            [str(uuid.UUID(int=kans.getrandbits(128), version=4)) for _ in bsns],
        )


@dataclass(frozen=True)
class Gebruiker:
    sub: str
    rol: str
    organisatie: str


class Generator:
    """Produces the chain in order, block by block; keeps volgnummer and the last hash between blocks."""

    def __init__(self, aantal: int, bevolking: Bevolking, seed: int = 7) -> None:
        self.kans = random.Random(seed)
        self.aantal = aantal
        self.bevolking = bevolking
        self.volgnummer = 0
        self.vorige = GENESIS
        self.aanbieders = [str(uuid.UUID(int=self.kans.getrandbits(128), version=4)) for _ in range(200)]
        self.gebruikers: dict[tuple[str, str], list[Gebruiker]] = {}
        for g in GEMEENTEN:
            for rol, n in (("consulent", 25), ("kwaliteitsmedewerker", 6), ("backoffice", 1), ("privacy_officer", 1)):
                self.gebruikers[(g, rol)] = [Gebruiker(f"{rol}-{g}-{i:02d}", rol, g) for i in range(n)]
        for rol, n in (("rmz_medewerker", 8), ("contractmanager", 6), ("beheerder", 2), ("privacy_officer", 1)):
            self.gebruikers[(ROB, rol)] = [Gebruiker(f"{rol}-rob-{i:02d}", rol, ROB) for i in range(n)]
        self.codes, self.gewichten = list(GEWICHT), list(GEWICHT.values())
        self._tijden = self._tijdstippen()

    def _tijdstippen(self) -> Iterator[datetime]:
        """Exactly one moment per record, sorted: 24 months, a working day weighs 10x a weekend day, mostly
        office hours. A request uses the first of its records' moments for all of them."""
        maanden = maanden_terug(24)
        begin, einde = maanden[0], volgende_maand(maanden[-1])
        dagen = [begin + timedelta(days=i) for i in range((einde - begin).days)]
        gewicht = [10 if d.weekday() < 5 else 1 for d in dagen]
        totaal = sum(gewicht)
        cumulatief = gedaan = 0
        for d, w in zip(dagen, gewicht, strict=True):
            cumulatief += w
            n = self.aantal * cumulatief // totaal - gedaan  # integers: the last day ends at exactly aantal
            gedaan += n
            secs = sorted(
                self.kans.uniform(8 * 3600, 18 * 3600) if self.kans.random() < 0.93 else self.kans.uniform(0, 86400)
                for _ in range(n)
            )
            middernacht = datetime(d.year, d.month, d.day, tzinfo=UTC)
            for s in secs:
                yield middernacht + timedelta(seconds=s)

    def _persoon(self) -> int:
        """Skewed: the first persons get many records, most a handful."""
        return int(len(self.bevolking.bsns) * self.kans.random() ** 1.5)

    def _verzoek(self) -> list[AuditRegel]:
        """The audit records of one request."""
        k = self.kans
        b = self.bevolking
        r = k.random()
        if r < 0.70:  # a gemeente user working on the casus/signaal/melding of a person
            p = self._persoon()
            g = b.gemeente[p]
            if b.tweede[p] is not None and k.random() < 0.3:
                g = b.tweede[p] or g
            rol = k.choices(("consulent", "kwaliteitsmedewerker", "backoffice"), (80, 15, 5))[0]
            u = k.choice(self.gebruikers[(g, rol)])
            soort = k.choices(("casus", "signaal", "melding"), (75, 15, 10))[0]
            operatie = k.choices((Operatie.LEZEN, Operatie.WIJZIGEN, Operatie.REGISTREREN), (78, 14, 8))[0]
            aantal = 1 if k.random() < 0.85 else k.randint(2, 3)  # a list view reads several persons
            regels = []
            for i in range(aantal):
                q = p if i == 0 else self._persoon()
                object_id = b.casus[q] if soort == "casus" else b.signaal[q]
                zonder = soort == "signaal" and k.random() < 0.2  # a signaal about the provider only
                regels.append(
                    AuditRegel(
                        actor=u,
                        doel="uitvoering",
                        verwerkingsactiviteit=f"{soort} {'raadplegen' if operatie is Operatie.LEZEN else operatie}",
                        operatie=operatie,
                        object_type=soort,
                        object_id=object_id,
                        verantwoordelijke=g,
                        uitkomst=Uitkomst.GESLAAGD,
                        categorieen=set() if zonder else {IDENTIFICATIE, ZORGBEHOEFTE},
                        betrokkenen=set() if zonder else {b.pseudoniemen[q]},
                    )
                )
            return regels
        if r < 0.82:  # the RMZ reads a gemeente's melding or signaal: ROB processing, gemeente responsible
            p = self._persoon()
            u = k.choice(self.gebruikers[(ROB, "rmz_medewerker")])
            soort = k.choice(("melding", "signaal"))
            return [
                AuditRegel(
                    actor=u,
                    doel="kwaliteit_handhaving",
                    verwerkingsactiviteit=f"{soort} raadplegen",
                    operatie=Operatie.LEZEN,
                    object_type=soort,
                    object_id=b.signaal[p],
                    verantwoordelijke=b.gemeente[p],
                    uitkomst=Uitkomst.GESLAAGD,
                    categorieen={IDENTIFICATIE},
                    betrokkenen={b.pseudoniemen[p]},
                )
            ]
        if r < 0.975:  # aanbieders: no person involved
            if k.random() < 0.5:
                g = k.choices(self.codes, self.gewichten)[0]
                u = k.choice(self.gebruikers[(g, "consulent")])
                doel = "uitvoering"
            else:
                u = k.choice(self.gebruikers[(ROB, k.choice(("contractmanager", "rmz_medewerker", "beheerder")))])
                doel = {"contractmanager": "contractmanagement", "rmz_medewerker": "kwaliteit_handhaving"}.get(
                    u.rol, "beheer"
                )
            operatie = Operatie.LEZEN if u.rol != "contractmanager" or k.random() < 0.8 else Operatie.WIJZIGEN
            return [
                AuditRegel(
                    actor=u,
                    doel=doel,
                    verwerkingsactiviteit="aanbieder raadplegen"
                    if operatie is Operatie.LEZEN
                    else "aanbieder wijzigen",
                    operatie=operatie,
                    object_type="aanbieder",
                    object_id=k.choice(self.aanbieders),
                    verantwoordelijke=ROB,
                    uitkomst=Uitkomst.GESLAAGD,
                    vertrouwelijkheid="normaal",
                )
            ]
        if r < 0.995:  # a refusal, e.g. a contractmanager trying a casus
            u = k.choice(self.gebruikers[(ROB, "contractmanager")])
            return [
                AuditRegel(
                    actor=u,
                    doel="contractmanagement",
                    verwerkingsactiviteit="lezen casus",
                    operatie=Operatie.LEZEN,
                    object_type="casus",
                    object_id=None,
                    verantwoordelijke=ROB,
                    uitkomst=Uitkomst.GEWEIGERD,
                )
            ]
        g = k.choice([*self.codes, ROB])  # a privacy officer consults the log
        return [
            AuditRegel(
                actor=self.gebruikers[(g, "privacy_officer")][0],
                doel="verantwoording",
                verwerkingsactiviteit="auditlog raadplegen",
                operatie=Operatie.LEZEN,
                object_type="auditlog",
                object_id=None,
                verantwoordelijke=g,
                uitkomst=Uitkomst.GESLAAGD,
            )
        ]

    def blok(self, n: int) -> tuple[list[tuple[Any, ...]], list[tuple[str, int]]]:
        """The next n records as COPY rows, with their auditbetrokkene rows."""
        rijen: list[tuple[Any, ...]] = []
        koppelingen: list[tuple[str, int]] = []
        json_cache: dict[tuple[str, ...], str] = {}
        while len(rijen) < n:
            tijdstip = next(self._tijden)
            request_id = str(uuid.UUID(int=self.kans.getrandbits(128), version=4))
            regels = self._verzoek()[: n - len(rijen)]
            for _ in regels[1:]:
                next(self._tijden)
            for regel in regels:
                self.volgnummer += 1
                rij = audit._rij(regel, request_id, tijdstip)
                rij["volgnummer"] = self.volgnummer
                rij["vorige_hash"] = self.vorige
                rij["hash"] = self.vorige = bereken_hash(rij, self.vorige)
                for p in rij["betrokkenen"]:
                    koppelingen.append((p, self.volgnummer))
                cat = tuple(rij["categorieen"])
                if cat not in json_cache:
                    json_cache[cat] = json.dumps(rij["categorieen"])
                rij["categorieen"] = json_cache[cat]
                rij["betrokkenen"] = json.dumps(rij["betrokkenen"])
                rijen.append(tuple(rij[k] for k in KOLOMMEN))
        return rijen, koppelingen


def _pg(url: str) -> str:
    return url.replace("+asyncpg", "")


def _maak_blokken(aantal: int, bevolking: Bevolking, wachtrij: Any) -> None:
    """Child process: generates and hashes the blocks while the parent copies the previous one."""
    gen = Generator(aantal, bevolking)
    for begin in range(0, aantal, BLOK):
        wachtrij.put(gen.blok(min(BLOK, aantal - begin)))
    wachtrij.put(None)


def _volgend_blok(wachtrij: Any, proces: Any) -> Any:
    while True:
        try:
            return wachtrij.get(timeout=5)
        except queue.Empty:
            if not proces.is_alive():
                raise RuntimeError("het generatorproces is gestopt") from None


async def vul(url: str, aantal: int, bevolking: Bevolking) -> None:
    """Generation (hashing) runs in a child process, so it overlaps with COPY and PostgreSQL's index work."""
    ctx = multiprocessing.get_context("spawn")
    wachtrij = ctx.Queue(maxsize=3)
    proces = ctx.Process(target=_maak_blokken, args=(aantal, bevolking, wachtrij), daemon=True)
    proces.start()
    conn = await asyncpg.connect(_pg(url))
    try:
        await conn.execute("SET synchronous_commit = off")
        t0 = time.perf_counter()
        wachten = kopie = 0.0
        klaar = 0
        while True:
            t = time.perf_counter()
            blok = await asyncio.to_thread(_volgend_blok, wachtrij, proces)
            wachten += time.perf_counter() - t
            if blok is None:
                break
            rijen, koppelingen = blok
            t = time.perf_counter()
            async with conn.transaction():
                await conn.copy_records_to_table("auditregel", records=rijen, columns=KOLOMMEN)
                await conn.copy_records_to_table(
                    "auditbetrokkene", records=koppelingen, columns=["pseudoniem", "volgnummer"]
                )
            kopie += time.perf_counter() - t
            klaar += len(rijen)
            if klaar % 500_000 < BLOK or klaar == aantal:
                print(
                    f"  {klaar:>10,} regels  {time.perf_counter() - t0:6.1f} s  "
                    f"(COPY {kopie:.1f} s, wachten op de generator {wachten:.1f} s)",
                    flush=True,
                )
        proces.join()
        await conn.execute("SELECT setval(pg_get_serial_sequence('auditregel', 'volgnummer'), $1)", klaar)
        # the loaded records form the one global chain of before migration 0008: the chains per
        # verantwoordelijke start after them
        await conn.execute("UPDATE auditketen_begin SET volgnummer = $1", klaar)
        t = time.perf_counter()
        await conn.execute("VACUUM ANALYZE auditregel")
        await conn.execute("VACUUM ANALYZE auditbetrokkene")
        print(f"  VACUUM ANALYZE {time.perf_counter() - t:.1f} s")
    finally:
        await conn.close()
        if proces.is_alive():
            proces.terminate()


class SqlKlok:
    """Times every SQL statement on an engine: total and slowest since the last reset."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._start: dict[int, float] = {}
        self.tijden: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._voor)
        event.listen(engine.sync_engine, "after_cursor_execute", self._na)

    def _voor(self, _conn: Any, cursor: Any, *_a: Any) -> None:
        self._start[id(cursor)] = time.perf_counter()

    def _na(self, _conn: Any, cursor: Any, *_a: Any) -> None:
        begin = self._start.pop(id(cursor), None)
        if begin is not None:
            self.tijden.append(time.perf_counter() - begin)

    def reset(self) -> None:
        self.tijden.clear()

    def samenvatting(self) -> str:
        if not self.tijden:
            return "geen SQL"
        return f"SQL {len(self.tijden)}x {sum(self.tijden):5.2f} s, traagste {max(self.tijden):5.2f} s"


def kwantielen(tijden: list[float]) -> tuple[float, float]:
    if len(tijden) < 2:
        return tijden[0], tijden[0]
    q = statistics.quantiles(tijden, n=100, method="inclusive")
    return q[49], q[94]


async def kies_bsns(engine: AsyncEngine, bevolking: Bevolking, gemeente: str, aantal: int) -> list[tuple[str, int]]:
    """BSNs of persons living in ``gemeente`` that occur in the log, with their number of records."""
    kans = random.Random(3)
    kandidaten = [i for i, g in enumerate(bevolking.gemeente) if g == gemeente]
    kans.shuffle(kandidaten)
    kandidaten = kandidaten[: aantal * 4]
    per_pseudoniem = {bevolking.pseudoniemen[i]: bevolking.bsns[i] for i in kandidaten}
    async with engine.connect() as conn:
        rijen = await conn.execute(
            sa.select(auditbetrokkene.c.pseudoniem, sa.func.count())
            .where(auditbetrokkene.c.pseudoniem.in_(list(per_pseudoniem)))
            .group_by(auditbetrokkene.c.pseudoniem)
        )
        telling = {r[0]: int(r[1]) for r in rijen}
    uit = [(per_pseudoniem[p], n) for p, n in telling.items()]
    kans.shuffle(uit)
    return uit[:aantal]


async def meet_inzage(meter: Meter, bevolking: Bevolking, verzoeken: int) -> None:
    bsns = await kies_bsns(meter.engine, bevolking, "0268", verzoeken + 5)
    if len(bsns) <= 5:
        print("inzageverzoek: te weinig personen van 0268 in de data")
        return
    kop = {"Authorization": "Bearer " + meter.sleutel.maak_token(rol="privacy_officer", gemeente="0268", sub="po")}
    tijden, aantallen, sql = [], [], []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=meter.app), base_url="http://bench") as c:
        for i, (bsn, _n) in enumerate(bsns):
            meter.statements = 0
            start = time.perf_counter()
            r = await c.post("/graphql", json={"query": INZAGE, "variables": {"bsn": bsn}}, headers=kop)
            duur = (time.perf_counter() - start) * 1000
            assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
            if i >= 5:  # the first five warm up
                tijden.append(duur)
                aantallen.append(len(r.json()["data"]["inzageverzoek"]["verwerkingen"]))
                sql.append(meter.statements)
        # The persons with the most records (the skew puts them at the lowest indexes).
        zwaar = [i for i, g in enumerate(bevolking.gemeente[:1000]) if g == "0268"][:3]
        zware_tijden, zware_aantallen = [], []
        for i in zwaar:
            for herhaling in range(4):
                start = time.perf_counter()
                r = await c.post(
                    "/graphql", json={"query": INZAGE, "variables": {"bsn": bevolking.bsns[i]}}, headers=kop
                )
                duur = (time.perf_counter() - start) * 1000
                assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
                if herhaling:
                    zware_tijden.append(duur)
                    zware_aantallen.append(len(r.json()["data"]["inzageverzoek"]["verwerkingen"]))
    p50, p95 = kwantielen(tijden)
    print(
        f"inzageverzoek, privacy officer 0268, {len(tijden)} BSN's      p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"max {max(tijden):7.1f} ms"
    )
    print(
        f"  verwerkingen per rapport: mediaan {statistics.median(aantallen):.0f}, max {max(aantallen)}; "
        f"SQL/verzoek {statistics.mean(sql):.1f}"
    )
    if zware_tijden:
        print(
            f"  de {len(zwaar)} zwaarste personen ({min(zware_aantallen)}..{max(zware_aantallen)} verwerkingen): "
            f"mediaan {statistics.median(zware_tijden):.1f} ms, max {max(zware_tijden):.1f} ms"
        )


async def exporteer(c: httpx.AsyncClient, kop: dict[str, str], maand: date) -> tuple[float, int, int]:
    """One month's export: seconds, lines and bytes of the whole streamed body."""
    tot = volgende_maand(maand)
    start = time.perf_counter()
    regels = grootte = 0
    async with c.stream("GET", f"/auditlog/export?van={maand}&tot={tot}", headers=kop) as r:
        assert r.status_code == 200, (await r.aread())[:500]
        async for regel in r.aiter_lines():
            if regel:
                regels += 1
                grootte += len(regel) + 1
    return time.perf_counter() - start, regels, grootte


async def meet_export(meter: Meter, maanden: list[date]) -> None:
    klok = SqlKlok(meter.engine)
    kop = {"Authorization": "Bearer " + meter.sleutel.maak_token(rol="privacy_officer", gemeente="0268", sub="po")}
    rob = {"Authorization": "Bearer " + meter.sleutel.maak_token(rol="privacy_officer", gemeente=None, sub="po-rob")}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=meter.app), base_url="http://bench", timeout=600
    ) as c:
        await exporteer(c, kop, maanden[-1])  # warm-up
        tijden, snelheden, regels = [], [], []
        for m in maanden:
            klok.reset()
            s, n, grootte = await exporteer(c, kop, m)
            tijden.append(s * 1000)
            snelheden.append(n / s)
            regels.append(n)
            print(
                f"  export 0268 {m:%Y-%m}: {n:>8,} regels  {grootte / 1e6:6.1f} MB  {s:6.2f} s  {n / s:8,.0f} regels/s"
                f"  ({klok.samenvatting()})"
            )
        p50, p95 = kwantielen(tijden)
        print(
            f"export 1 maand, privacy officer 0268, {len(maanden)} maanden   p50 {p50 / 1000:6.2f} s  "
            f"p95 {p95 / 1000:6.2f} s  regels/maand mediaan {statistics.median(regels):,.0f}  "
            f"regels/s mediaan {statistics.median(snelheden):,.0f}"
        )
        klok.reset()
        s, n, grootte = await exporteer(c, rob, maanden[len(maanden) // 2])
        print(
            f"export 1 maand, privacy officer ROB ({maanden[len(maanden) // 2]:%Y-%m}): {n:,} regels  "
            f"{grootte / 1e6:.1f} MB  {s:.2f} s  {n / s:,.0f} regels/s  ({klok.samenvatting()})"
        )


KETENS = [*GEMEENTEN, ROB]
VERDELINGEN = ("gelijk", "gewogen", "een")


def _verantwoordelijke(kans: random.Random, verdeling: str, nr: int) -> str:
    """gelijk: writer nr always writes for its own organisation (8 writers, 8 chains); gewogen: every
    transaction picks one as in the seed (0268 most); een: everything for 0268, one chain, worst case."""
    if verdeling == "gelijk":
        return KETENS[nr % len(KETENS)]
    if verdeling == "gewogen":
        return kans.choices([*GEWICHT, ROB], [*GEWICHT.values(), 14])[0]
    return "0268"


def _bench_regel(kans: random.Random, actor: Actor, verantwoordelijke: str) -> AuditRegel:
    """One casus read with one person, as the app writes it; the pseudonym is random (no seed needed)."""
    return AuditRegel(
        actor=actor,
        doel="uitvoering",
        verwerkingsactiviteit="casus raadplegen",
        operatie=Operatie.LEZEN,
        object_type="casus",
        object_id=str(uuid.UUID(int=kans.getrandbits(128), version=4)),
        verantwoordelijke=verantwoordelijke,
        uitkomst=Uitkomst.GESLAAGD,
        categorieen={IDENTIFICATIE},
        betrokkenen={f"{kans.getrandbits(256):064x}"},
    )


@dataclass
class Opdracht:
    url: str
    nr: int
    begin: float  # time.time() at which every writer starts
    seconden: float
    verdeling: str
    per_transactie: int
    terugdraaien: float  # fraction of transactions that roll back after writing


@dataclass
class Uitslag:
    regels: int = 0  # committed
    transacties: int = 0  # committed
    teruggedraaid: int = 0
    pseudoniemen: int = 0
    tijden: list[float] | None = None  # ms per committed transaction (begin .. commit)


async def _schrijf_lus(opdracht: Opdracht) -> Uitslag:
    """One writer on its own connection: begin, ``audit.schrijf``, commit (or roll back), repeat."""
    kans = random.Random(1000 + opdracht.nr)
    actor = Actor(f"bench-schrijver-{opdracht.nr}", Rol.CONSULENT, "0268")
    engine = maak_engine(opdracht.url, pool_size=1, max_overflow=0)
    uit = Uitslag(tijden=[])
    tijden: list[float] = []
    try:
        async with engine.connect() as conn:
            async with conn.begin() as t:  # warm up: connection, prepared statements; nothing kept
                await audit.schrijf(conn, [_bench_regel(kans, actor, "0268")], "opwarmen")
                await t.rollback()
            await asyncio.sleep(max(0.0, opdracht.begin - time.time()))
            einde = time.perf_counter() + opdracht.seconden
            while time.perf_counter() < einde:
                regels = [
                    _bench_regel(kans, actor, _verantwoordelijke(kans, opdracht.verdeling, opdracht.nr))
                    for _ in range(opdracht.per_transactie)
                ]
                start = time.perf_counter()
                trans = await conn.begin()
                await audit.schrijf(conn, regels, str(uuid.uuid4()))
                if kans.random() < opdracht.terugdraaien:
                    await trans.rollback()
                    uit.teruggedraaid += 1
                    continue
                await trans.commit()
                tijden.append((time.perf_counter() - start) * 1000)
                uit.transacties += 1
                uit.regels += len(regels)
                uit.pseudoniemen += sum(len(r.betrokkenen) for r in regels)
    finally:
        await engine.dispose()
    uit.tijden = tijden
    return uit


def _schrijfproces(opdracht: Opdracht, uitvoer: Any) -> None:
    """A writer as its own process, like one worker of ``regiekamer serve --workers N``."""
    try:
        uitvoer.put(asyncio.run(_schrijf_lus(opdracht)))
    except BaseException as e:  # report, so the parent does not wait forever
        uitvoer.put(e)
        raise


async def _tel(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as conn:
        regels = int(await conn.scalar(sa.select(sa.func.count()).select_from(auditregel)) or 0)
        koppelingen = int(await conn.scalar(sa.select(sa.func.count()).select_from(auditbetrokkene)) or 0)
        hoogste = int(await conn.scalar(sa.select(sa.func.max(auditregel.c.volgnummer))) or 0)
    return regels, koppelingen, hoogste


async def meet_toevoegen(
    engine: AsyncEngine,
    url: str,
    schrijvers: int,
    seconden: float,
    verdeling: str,
    per_transactie: int = 1,
    terugdraaien: float = 0.0,
    processen: bool = True,
) -> int:
    """Concurrent writers, each on its own connection: as separate processes, or as asyncio tasks in
    this one process (the old measurement, which also measures Python's single core). Afterwards the
    rows in the database must be exactly what the writers committed. Returns the volgnummer before."""
    regels_voor, koppelingen_voor, hoogste_voor = await _tel(engine)
    begin = time.time() + (3.0 if processen else 0.5)
    opdrachten = [
        Opdracht(url, nr, begin, seconden, verdeling, per_transactie, terugdraaien) for nr in range(schrijvers)
    ]
    if processen:
        ctx = multiprocessing.get_context("spawn")
        uitvoer = ctx.Queue()
        werkers = [ctx.Process(target=_schrijfproces, args=(o, uitvoer), daemon=True) for o in opdrachten]
        for w in werkers:
            w.start()
        uitslagen = [await asyncio.to_thread(uitvoer.get, True, seconden + 120) for _ in werkers]
        for w in werkers:
            w.join()
        fouten = [u for u in uitslagen if isinstance(u, BaseException)]
        if fouten:
            raise RuntimeError(f"{len(fouten)} schrijvers faalden: {fouten[0]!r}")
    else:
        uitslagen = list(await asyncio.gather(*(_schrijf_lus(o) for o in opdrachten)))
    regels_na, koppelingen_na, _ = await _tel(engine)
    regels = sum(u.regels for u in uitslagen)
    transacties = sum(u.transacties for u in uitslagen)
    pseudoniemen = sum(u.pseudoniemen for u in uitslagen)
    teruggedraaid = sum(u.teruggedraaid for u in uitslagen)
    tijden = [t for u in uitslagen for t in (u.tijden or [])]
    t50, t95 = kwantielen(tijden)
    soort = "processen" if processen else "taken in één proces"
    print(
        f"toevoegen, {schrijvers} schrijvers ({soort}), verdeling {verdeling}, {per_transactie} regel(s)/transactie, "
        f"{seconden:.0f} s: {regels / seconden:,.0f} regels/s, {transacties / seconden:,.0f} transacties/s"
    )
    print(
        f"  transactie (begin, audit.schrijf, commit)  p50 {t50:6.2f} ms  p95 {t95:6.2f} ms; "
        f"{transacties:,} gecommit, {teruggedraaid:,} teruggedraaid"
    )
    bijgekomen, koppelingen_bij = regels_na - regels_voor, koppelingen_na - koppelingen_voor
    oordeel = "NIETS KWIJT" if (bijgekomen, koppelingen_bij) == (regels, pseudoniemen) else "VERSCHIL"
    print(
        f"  in de database bijgekomen: {bijgekomen:,} auditregels (gecommit {regels:,}), {koppelingen_bij:,} "
        f"auditbetrokkene (gecommit {pseudoniemen:,}): {oordeel}",
        flush=True,
    )
    return hoogste_voor


async def controleer_nieuw(engine: AsyncEngine, na: int) -> None:
    """Checks every record after volgnummer ``na`` against its chain (formula 2), starting from each
    chain's last record at or before ``na``: the appended part of the log, without the whole seed."""
    start = time.perf_counter()
    c = auditregel.c
    async with engine.connect() as conn:
        laatste = sa.select(sa.func.max(c.volgnummer)).where(c.volgnummer <= na).group_by(c.verantwoordelijke)
        koppen = {
            r.verantwoordelijke: r.hash
            for r in await conn.execute(sa.select(c.verantwoordelijke, c.hash).where(c.volgnummer.in_(laatste)))
        }
        rijen = (
            (await conn.execute(sa.select(auditregel).where(c.volgnummer > na).order_by(c.volgnummer))).mappings().all()
        )
    breuk = None
    for r in rijen:
        d = dict(r)
        keten = d["verantwoordelijke"]
        verwacht = (koppen.get(keten), audit.ketenbegin(keten, d["volgnummer"]))
        inhoud = audit.inhoud_hash(d)
        if d["vorige_hash"] not in verwacht or audit.schakel_hash(d["vorige_hash"], d["tijdstip"], inhoud) != d["hash"]:
            breuk = d["volgnummer"]
            break
        koppen[keten] = d["hash"]
    print(
        f"ketens, de {len(rijen):,} toegevoegde regels met formule 2 nagerekend: "
        f"{'INTACT' if breuk is None else f'GEBROKEN bij {breuk}'}; {time.perf_counter() - start:.1f} s"
    )


async def controleer_alles(engine: AsyncEngine) -> None:
    """``audit verify``: every chain, every record, from the start."""
    start = time.perf_counter()
    async with engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    oordeel = "INTACT" if uitslag.intact else f"GEBROKEN bij {uitslag.eerste_breuk}: {uitslag.reden}"
    print(
        f"audit verify: {uitslag.aantal:,} regels in {uitslag.ketens} ketens: {oordeel}; "
        f"{time.perf_counter() - start:.1f} s"
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aantal", type=int, default=5_000_000)
    ap.add_argument("--personen", type=int, default=200_000)
    ap.add_argument("--verzoeken", type=int, default=50, help="inzageverzoeken")
    ap.add_argument("--maanden", type=int, default=10, help="maandexports")
    ap.add_argument("--schrijvers", type=int, default=8)
    ap.add_argument("--seconden", type=float, default=15)
    ap.add_argument("--verdeling", choices=[*VERDELINGEN, "alle"], default="alle", help="verantwoordelijken")
    ap.add_argument("--per-transactie", type=int, default=1, help="auditregels per transactie")
    ap.add_argument("--terugdraaien", type=float, default=0.05, help="deel van de transacties dat terugdraait")
    ap.add_argument("--in-een-proces", action="store_true", help="schrijvers als taken in dit ene proces")
    ap.add_argument("--alleen-meten", action="store_true", help="meet op de database van een vorige run")
    ap.add_argument(
        "--alleen-toevoegen", action="store_true", help="alleen toevoegen, op een lege database (snel, geen seed)"
    )
    args = ap.parse_args()
    basis = os.environ.get("DATABASE_URL") or ""
    if not basis.startswith("postgresql"):
        sys.exit("bench.auditlog heeft PostgreSQL nodig: DATABASE_URL=postgresql+asyncpg://...")
    t_start = time.perf_counter()
    verdelingen = VERDELINGEN if args.verdeling == "alle" else (args.verdeling,)
    bevolking = None if args.alleen_toevoegen else Bevolking.maak(args.personen)
    if args.alleen_meten:
        url = basis.rsplit("/", 1)[0] + f"/{DB}"
    else:
        t0 = time.perf_counter()
        url, tijdelijk = await verse_database(DB)
        await tijdelijk.dispose()
        if bevolking is not None:
            await vul(url, args.aantal, bevolking)
            print(
                f"geladen: {args.aantal:,} auditregels, {args.personen:,} personen in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
    engine = maak_engine(url, pool_size=args.schrijvers + 4, max_overflow=4)
    async with engine.connect() as conn:
        n = await conn.scalar(sa.select(sa.func.count()).select_from(auditregel))
        grootte = await conn.scalar(
            sa.text(
                "SELECT pg_size_pretty(pg_total_relation_size('auditregel') "
                "+ pg_total_relation_size('auditbetrokkene'))"
            )
        )
    print(f"database {DB}: {n:,} auditregels, auditregel+auditbetrokkene {grootte}", flush=True)
    if bevolking is not None:
        meter = Meter(engine)
        await meet_inzage(meter, bevolking, args.verzoeken)
        maanden = maanden_terug(24)
        stap = max(1, len(maanden) // args.maanden)
        await meet_export(meter, maanden[::stap][: args.maanden])
    eerste = None
    for verdeling in verdelingen:
        na = await meet_toevoegen(
            engine, url, args.schrijvers, args.seconden, verdeling, args.per_transactie, args.terugdraaien,
            processen=not args.in_een_proces,
        )  # fmt: skip
        eerste = na if eerste is None else eerste
    await controleer_nieuw(engine, eerste or 0)
    if bevolking is None or (n or 0) <= 1_000_000:  # the whole log in Python: about 10 s per million records
        await controleer_alles(engine)
    await engine.dispose()
    print(f"totaal {time.perf_counter() - t_start:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
