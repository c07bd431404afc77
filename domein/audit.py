"""Het auditlog: alleen-toevoegen, met een hashketen (toegang.md regels 7 en 8).

Records are collected per request and written in the same transaction as the work, just before
commit: if they cannot be written, the work does not happen. Every verantwoordelijke has its own
chain (since migration 0008; the records before it form one global chain), so organisations append
in parallel. A chain is appended under a lock (an advisory transaction lock per chain on PostgreSQL;
BEGIN IMMEDIATE already serialises SQLite writers), and ``vorige_hash`` is UNIQUE, so concurrent
writers can never fork a chain.

Fields follow toegang.md rule 7 and, where they fit, the VNG Verwerkingenlogging standard
(verwerkingsactiviteit, doel, vertrouwelijkheid, bewaartermijn, uitvoerder, betrokkene). Persons
appear only as keyed pseudonyms, so removing persoonsgegevens later never breaks the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domein.actor import ROB
from domein.opslag.tabellen import auditbetrokkene, auditketen_begin, auditregel
from domein.waarden import als_utc

GENESIS = "0" * 64


class Uitkomst(StrEnum):
    GESLAAGD = "geslaagd"
    GEWEIGERD = "geweigerd"
    NIET_GEVONDEN = "niet_gevonden"


class Operatie(StrEnum):
    LEZEN = "lezen"
    REGISTREREN = "registreren"
    WIJZIGEN = "wijzigen"
    VERNIETIGEN = "vernietigen"


class Uitvoerder(Protocol):
    """Wie een verwerking uitvoert: een gebruiker (``Actor``) of een systeemtaak."""

    @property
    def sub(self) -> str: ...

    @property
    def rol(self) -> str: ...

    @property
    def organisatie(self) -> str: ...


@dataclass(frozen=True)
class Systeemtaak:
    """A job that runs without a user, such as the bewaartermijn; the ROB hosts the system."""

    sub: str
    rol: str = "systeem"
    organisatie: str = ROB


BEWAARTERMIJN = {"persoonsgegevens": "P20Y", "bedrijfsgegevens": "P7Y"}
"""Bewaartermijn of the log records themselves (ISO 8601 duration), per VNG-field 'bewaartermijn'."""


class Pseudonimiseerder:
    """Sleutel-gebaseerd pseudoniem (HMAC-SHA256): stabiel, niet terug te rekenen zonder de sleutel."""

    def __init__(self, sleutel: bytes) -> None:
        if len(sleutel) < 32:
            raise ValueError("De pseudoniemsleutel moet minstens 32 bytes zijn.")
        self._sleutel = sleutel

    def pseudoniem(self, bsn: str) -> str:
        return hmac.new(self._sleutel, f"bsn:{bsn}".encode(), hashlib.sha256).hexdigest()


@dataclass
class AuditRegel:
    """Eén verwerking: wie, welke rol, welke organisatie, welk doel, wat, met welke uitkomst."""

    actor: Uitvoerder
    doel: str
    verwerkingsactiviteit: str
    operatie: Operatie
    object_type: str
    object_id: str | None
    verantwoordelijke: str
    uitkomst: Uitkomst
    categorieen: set[str] = field(default_factory=set)
    betrokkenen: set[str] = field(default_factory=set)
    vertrouwelijkheid: str = "vertrouwelijk"

    @property
    def bewaartermijn(self) -> str:
        return BEWAARTERMIJN["persoonsgegevens" if self.betrokkenen else "bedrijfsgegevens"]


class AuditBuffer:
    """Verzamelt de auditregels van één verzoek; leesregels per object worden samengevoegd."""

    def __init__(self) -> None:
        self._regels: list[AuditRegel] = []
        self._lezingen: dict[tuple[str, str | None], AuditRegel] = {}
        self.weigeringen: list[AuditRegel] = []

    def voeg_toe(self, regel: AuditRegel) -> None:
        if regel.uitkomst is not Uitkomst.GESLAAGD:
            self.weigeringen.append(regel)
            return
        if regel.operatie is Operatie.LEZEN:
            sleutel = (regel.object_type, regel.object_id)
            bestaand = self._lezingen.get(sleutel)
            if bestaand is not None:
                bestaand.categorieen |= regel.categorieen
                bestaand.betrokkenen |= regel.betrokkenen
                return
            self._lezingen[sleutel] = regel
        self._regels.append(regel)

    def voeg_toe_alle(self, regels: Iterable[AuditRegel]) -> None:
        for regel in regels:
            self.voeg_toe(regel)

    def alle(self) -> list[AuditRegel]:
        return [*self._regels, *self.weigeringen]


def tijd_iso(t: datetime) -> str:
    return als_utc(t).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_GEHASHTE_VELDEN = (
    "tijdstip", "request_id", "sub", "rol", "organisatie", "verantwoordelijke", "doel",
    "verwerkingsactiviteit", "operatie", "object_type", "object_id", "categorieen", "betrokkenen",
    "uitkomst", "vertrouwelijkheid", "bewaartermijn",
)  # fmt: skip


def bereken_hash(rij: dict[str, Any], vorige_hash: str) -> str:
    """Formule 1 (de ene globale keten van vóór migratie 0008): SHA-256 over de canonieke JSON van de
    velden plus de vorige hash."""
    inhoud = {k: (tijd_iso(rij[k]) if k == "tijdstip" else rij[k]) for k in _GEHASHTE_VELDEN}
    inhoud["vorige_hash"] = vorige_hash
    tekst = json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(tekst.encode()).hexdigest()


def _sha256(tekst: str) -> str:
    return hashlib.sha256(tekst.encode()).hexdigest()


def inhoud_hash(rij: dict[str, Any]) -> str:
    """Formule 2, deel 1: SHA-256 over de canonieke JSON van alle gehashte velden behalve het tijdstip.

    It does not depend on the chain, so it is computed before the lock is taken."""
    inhoud = {k: rij[k] for k in _GEHASHTE_VELDEN if k != "tijdstip"}
    return _sha256(json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def schakel_hash(vorige_hash: str, tijdstip: datetime, inhoud: str) -> str:
    """Formule 2, deel 2: de schakel. PostgreSQL rekent dezelfde in ``auditketen_toevoegen`` (migratie 0008)."""
    return _sha256(f"{vorige_hash}|{tijd_iso(tijdstip)}|{inhoud}")


def ketenbegin(keten: str, volgnummer: int) -> str:
    """The vorige_hash of the first record of a verantwoordelijke's chain: unique, because the record's
    own volgnummer is in it (a chain that starts afresh after a downgrade never repeats it)."""
    return _sha256(f"auditketen|{keten}|{volgnummer}")


def _rij(regel: AuditRegel, request_id: str, tijdstip: datetime) -> dict[str, Any]:
    return {
        "tijdstip": tijdstip,
        "request_id": request_id,
        "sub": regel.actor.sub,
        "rol": str(regel.actor.rol),
        "organisatie": regel.actor.organisatie,
        "verantwoordelijke": regel.verantwoordelijke,
        "doel": regel.doel,
        "verwerkingsactiviteit": regel.verwerkingsactiviteit,
        "operatie": str(regel.operatie),
        "object_type": regel.object_type,
        "object_id": regel.object_id,
        "categorieen": sorted(regel.categorieen),
        "betrokkenen": sorted(regel.betrokkenen),
        "uitkomst": str(regel.uitkomst),
        "vertrouwelijkheid": regel.vertrouwelijkheid,
        "bewaartermijn": regel.bewaartermijn,
    }


_PG_TOEVOEGEN = sa.text("SELECT auditketen_toevoegen(:tijdstip, CAST(CAST(:rijen AS text) AS jsonb))").bindparams(
    sa.bindparam("tijdstip", type_=sa.DateTime(timezone=True))
)


async def schrijf(conn: AsyncConnection, regels: Iterable[AuditRegel], request_id: str) -> int:
    """Voegt regels aan de ketens toe (één per verantwoordelijke), binnen de lopende transactie van ``conn``.

    Everything that does not depend on the chain (the rows, their content hashes) is done before the
    lock. On PostgreSQL the rest is one statement, ``auditketen_toevoegen``: a lock per chain (held
    until commit, so the next writer of that chain sees this one's hash), the chain's last record,
    the links and both inserts; different verantwoordelijken append in parallel. SQLite serialises
    writers anyway (BEGIN IMMEDIATE): one read for the chains' last records, then two inserts.
    """
    lijst = list(regels)
    if not lijst:
        return 0
    tijdstip = datetime.now(UTC)
    rijen = [_rij(regel, request_id, tijdstip) for regel in lijst]
    inhouden = [inhoud_hash(rij) for rij in rijen]
    if conn.dialect.name == "postgresql":
        invoer = [
            {**rij, "tijdstip": None, "keten": rij["verantwoordelijke"], "volgorde": i, "inhoud": inhoud}
            for i, (rij, inhoud) in enumerate(zip(rijen, inhouden, strict=True))
        ]
        tekst = json.dumps(invoer, separators=(",", ":"), ensure_ascii=False)
        return int(await conn.scalar(_PG_TOEVOEGEN, {"tijdstip": tijdstip, "rijen": tekst}) or 0)
    return await _schrijf_serieel(conn, rijen, inhouden, tijdstip)


async def _schrijf_serieel(
    conn: AsyncConnection, rijen: list[dict[str, Any]], inhouden: list[str], tijdstip: datetime
) -> int:
    """De SQLite-weg (de schrijver heeft het schrijfslot al): dezelfde ketens, in Python berekend."""
    c = auditregel.c
    ketens = sorted({rij["verantwoordelijke"] for rij in rijen})
    laatste_per_keten = (
        sa.select(sa.func.max(c.volgnummer)).where(c.verantwoordelijke.in_(ketens)).group_by(c.verantwoordelijke)
    )
    koppen = (
        await conn.execute(
            sa.select(
                auditketen_begin.c.volgnummer.label("begin"),
                sa.select(sa.func.max(c.volgnummer)).scalar_subquery().label("hoogste"),
                c.verantwoordelijke,
                c.volgnummer,
                c.hash,
                c.tijdstip,
            ).select_from(auditketen_begin.outerjoin(auditregel, c.volgnummer.in_(laatste_per_keten)))
        )
    ).all()
    begin, volgnummer = int(koppen[0].begin), int(koppen[0].hoogste or 0)
    kop = {k.verantwoordelijke: k for k in koppen if k.verantwoordelijke is not None}
    vorige: dict[str, str | None] = {}
    tijd: dict[str, datetime] = {}
    for keten in ketens:
        k = kop.get(keten)
        vorige[keten] = k.hash if k is not None and k.volgnummer > begin else None
        tijd[keten] = max(tijdstip, als_utc(k.tijdstip)) if k is not None else tijdstip
    koppelingen = []
    for rij, inhoud in zip(rijen, inhouden, strict=True):
        keten = rij["verantwoordelijke"]
        volgnummer += 1
        rij["volgnummer"] = volgnummer
        rij["tijdstip"] = tijd[keten]
        rij["vorige_hash"] = vorige[keten] or ketenbegin(keten, volgnummer)
        rij["hash"] = vorige[keten] = schakel_hash(rij["vorige_hash"], rij["tijdstip"], inhoud)
        koppelingen += [{"pseudoniem": p, "volgnummer": volgnummer} for p in rij["betrokkenen"]]
    await conn.execute(auditregel.insert(), rijen)
    if koppelingen:
        await conn.execute(auditbetrokkene.insert(), koppelingen)
    return len(rijen)


@dataclass(frozen=True)
class Verificatie:
    aantal: int
    eerste_breuk: int | None = None
    reden: str | None = None
    ketens: int = 0
    """How many chains were found: the global one of before migration 0008, one per verantwoordelijke."""

    @property
    def intact(self) -> bool:
        return self.eerste_breuk is None


async def verifieer(conn: AsyncConnection, blokgrootte: int = 5000) -> Verificatie:
    """Loopt alle ketens na, in volgnummerorde, en meldt de eerste gebroken schakel.

    Each record must continue a chain: the global chain (formula 1; the records of before migration
    0008), or its verantwoordelijke's chain (formula 2), or start that chain (``ketenbegin``). The
    check uses only the records themselves: which chain a record belongs to follows from its hashes.
    """
    globaal = GENESIS
    koppen: dict[str, str] = {}
    globaal_gezien = False
    aantal = 0
    laatste = 0
    while True:
        rijen = (
            (
                await conn.execute(
                    sa.select(auditregel)
                    .where(auditregel.c.volgnummer > laatste)
                    .order_by(auditregel.c.volgnummer)
                    .limit(blokgrootte)
                )
            )
            .mappings()
            .all()
        )
        if not rijen:
            return Verificatie(aantal, ketens=len(koppen) + globaal_gezien)
        for rij in rijen:
            d = dict(rij)
            keten, nummer = d["verantwoordelijke"], d["volgnummer"]
            vorige = d["vorige_hash"]
            if vorige == globaal:
                if bereken_hash(d, globaal) != d["hash"]:
                    return Verificatie(aantal, nummer, "inhoud past niet bij de opgeslagen hash")
                globaal = d["hash"]
                globaal_gezien = True
            elif vorige == koppen.get(keten) or vorige == ketenbegin(keten, nummer):
                if schakel_hash(vorige, als_utc(d["tijdstip"]), inhoud_hash(d)) != d["hash"]:
                    return Verificatie(aantal, nummer, "inhoud past niet bij de opgeslagen hash")
                koppen[keten] = d["hash"]
            else:
                return Verificatie(aantal, nummer, "vorige_hash wijst niet naar de voorganger")
            aantal += 1
            laatste = nummer
