"""Het auditlog: alleen-toevoegen, met een hashketen (toegang.md regels 7 en 8).

Records are collected per request and written in the same transaction as the work, just before
commit: if they cannot be written, the work does not happen. The chain is appended under a lock
(an advisory transaction lock on PostgreSQL; BEGIN IMMEDIATE already serialises SQLite writers),
and ``vorige_hash`` is UNIQUE, so concurrent writers can never fork it.

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
from domein.opslag.tabellen import auditbetrokkene, auditregel
from domein.waarden import als_utc

GENESIS = "0" * 64
_PG_AUDIT_SLOT = 7_261_733  # arbitrary constant key for pg_advisory_xact_lock


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
    """SHA-256 over de canonieke JSON van de velden plus de vorige hash."""
    inhoud = {k: (tijd_iso(rij[k]) if k == "tijdstip" else rij[k]) for k in _GEHASHTE_VELDEN}
    inhoud["vorige_hash"] = vorige_hash
    tekst = json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(tekst.encode()).hexdigest()


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


async def schrijf(conn: AsyncConnection, regels: Iterable[AuditRegel], request_id: str) -> int:
    """Voegt regels aan de keten toe, binnen de lopende transactie van ``conn``."""
    lijst = list(regels)
    if not lijst:
        return 0
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_SLOT})
    laatste = (
        await conn.execute(
            sa.select(auditregel.c.volgnummer, auditregel.c.hash, auditregel.c.tijdstip)
            .order_by(auditregel.c.volgnummer.desc())
            .limit(1)
        )
    ).first()
    # Under the lock the numbers are ours to give: explicit volgnummers let the pseudonym index be
    # written in one statement, without RETURNING (which SQLite would run row by row). Time never runs
    # backwards along the chain (a clock step back keeps the previous time), so a period of the log is
    # one volgnummer range: the export finds it through the time index.
    volgnummer, vorige = (laatste.volgnummer, laatste.hash) if laatste else (0, GENESIS)
    tijdstip = datetime.now(UTC)
    if laatste is not None:
        tijdstip = max(tijdstip, als_utc(laatste.tijdstip))
    rijen = []
    koppelingen = []
    for regel in lijst:
        volgnummer += 1
        rij = _rij(regel, request_id, tijdstip)
        rij["volgnummer"] = volgnummer
        rij["vorige_hash"] = vorige
        rij["hash"] = vorige = bereken_hash(rij, vorige)
        rijen.append(rij)
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

    @property
    def intact(self) -> bool:
        return self.eerste_breuk is None


async def verifieer(conn: AsyncConnection, blokgrootte: int = 5000) -> Verificatie:
    """Loopt de hele keten na en meldt de eerste gebroken schakel."""
    vorige = GENESIS
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
            return Verificatie(aantal)
        for rij in rijen:
            d = dict(rij)
            if d["vorige_hash"] != vorige:
                return Verificatie(aantal, d["volgnummer"], "vorige_hash wijst niet naar de voorganger")
            if bereken_hash(d, vorige) != d["hash"]:
                return Verificatie(aantal, d["volgnummer"], "inhoud past niet bij de opgeslagen hash")
            vorige = d["hash"]
            aantal += 1
            laatste = d["volgnummer"]
