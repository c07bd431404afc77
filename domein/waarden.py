"""Waardetypen en hun validatie: BSN (elfproef), KvK-nummer, AGB-code, leefdomeinen, urgentie."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum

from domein.fouten import OngeldigeInvoer


class Leefdomein(StrEnum):
    """De negen leefdomeinen van seed 003 §1."""

    WERK_DAGBESTEDING = "werk_dagbesteding"
    VEILIGHEID = "veiligheid"
    WONEN = "wonen"
    GEZONDHEID_BEPERKINGEN = "gezondheid_beperkingen"
    RELATIES = "relaties"
    FINANCIEN = "financien"
    TAAL_DIGITALE_VAARDIGHEID = "taal_digitale_vaardigheid"
    PARTICIPATIE = "participatie"
    VERVOER = "vervoer"


class Urgentie(StrEnum):
    """Crisis: binnen 24 uur handelen; spoed: binnen 3 dagen (seed 003 voetnoot 2)."""

    REGULIER = "regulier"
    SPOED = "spoed"
    CRISIS = "crisis"


class CasusStatus(StrEnum):
    GEREGISTREERD = "geregistreerd"
    IN_ONDERZOEK = "in_onderzoek"
    ONDERSTEUNING = "ondersteuning"
    GESLOTEN = "gesloten"


class ContractSoort(StrEnum):
    """Contractsoorten van het ROB (seed 001 art. 2)."""

    RAAMCONTRACT = "raamcontract"
    DEELCONTRACT = "deelcontract"
    MAATWERK = "maatwerk"
    HULPMIDDELEN_TRAPLIFTEN = "hulpmiddelen_trapliften"


_NEGEN_CIJFERS = re.compile(r"\d{9}")
_ACHT_CIJFERS = re.compile(r"\d{8}")


def controleer_bsn(bsn: str, veld: str = "bsn") -> str:
    """Een BSN heeft 9 cijfers en doorstaat de elfproef; een fout BSN wordt nooit opgeslagen."""
    waarde = bsn.strip()
    if not _NEGEN_CIJFERS.fullmatch(waarde):
        raise OngeldigeInvoer("Een BSN bestaat uit precies 9 cijfers.", veld=veld)
    som = sum(int(c) * w for c, w in zip(waarde[:8], range(9, 1, -1), strict=True)) - int(waarde[8])
    if som % 11 != 0 or waarde == "000000000":
        raise OngeldigeInvoer("Dit BSN doorstaat de elfproef niet; controleer het nummer.", veld=veld)
    return waarde


# Any punctuation or space between the digits (comma, colon, minus sign, brackets, ...): up to three at a time.
_SCHEIDING = r"[\W_]{0,3}"
_BSN_IN_TEKST = re.compile(rf"(?<![\d.-])\d(?:{_SCHEIDING}\d){{8}}(?!\d)")


def bevat_bsn(tekst: str) -> bool:
    """Of een vrije tekst een reeks van 9 cijfers bevat die de elfproef doorstaat (een waarschijnlijk BSN)."""
    # Also written with spaces, dots, dashes, commas or any other punctuation between the digits, one
    # to three at a time ("999 990 019", "9999.90.019", "999 - 990 - 019"), in full-width digits, or with
    # invisible format characters (zero-width space) between them: NFKC and dropping those undo that.
    genormaliseerd = "".join(c for c in unicodedata.normalize("NFKC", tekst) if unicodedata.category(c) != "Cf")
    for gevonden in _BSN_IN_TEKST.findall(genormaliseerd):
        kandidaat = "".join(c for c in gevonden if c.isdigit())
        try:
            controleer_bsn(kandidaat)
        except OngeldigeInvoer:
            continue
        return True
    return False


def controleer_kvk(kvk: str, veld: str = "kvk") -> str:
    waarde = kvk.strip()
    if not _ACHT_CIJFERS.fullmatch(waarde):
        raise OngeldigeInvoer("Een KvK-nummer bestaat uit precies 8 cijfers.", veld=veld)
    return waarde


def controleer_agb(agb: str, veld: str = "agb") -> str:
    """AGB-code van een zorgaanbieder: 8 cijfers (seed 003 §98.5)."""
    waarde = agb.strip()
    if not _ACHT_CIJFERS.fullmatch(waarde):
        raise OngeldigeInvoer("Een AGB-code bestaat uit precies 8 cijfers.", veld=veld)
    return waarde


EERSTE_JAAR = 2000
"""Jaren van zorgkosten, budgetplafonds en contractuitnutting: de regeling bestaat pas sinds deze eeuw."""
LAATSTE_JAAR = 2100
VROEGSTE_DATUM = date(1900, 1, 1)
"""Datums (geboortedata inbegrepen) liggen tussen deze twee; daarbuiten is het een tikfout, en datumrekenen
rond het jaar 9999 loopt over."""
LAATSTE_DATUM = date(LAATSTE_JAAR, 12, 31)


def controleer_jaar(jaar: int, veld: str = "jaar") -> int:
    if not EERSTE_JAAR <= jaar <= LAATSTE_JAAR:
        raise OngeldigeInvoer(f"'{veld}' moet een jaar tussen {EERSTE_JAAR} en {LAATSTE_JAAR} zijn.", veld=veld)
    return jaar


def controleer_datum(datum: date, veld: str) -> date:
    """Een datum of tijdstip binnen het venster VROEGSTE_DATUM .. LAATSTE_DATUM."""
    dag = datum.date() if isinstance(datum, datetime) else datum
    if not VROEGSTE_DATUM <= dag <= LAATSTE_DATUM:
        raise OngeldigeInvoer(
            f"{veld}: een datum ligt tussen {VROEGSTE_DATUM.isoformat()} en {LAATSTE_DATUM.isoformat()}.", veld=veld
        )
    return datum


ONGELDIGE_TEKENS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Stuurtekens (C0 behalve tab, regelovergang en CR; DEL; C1) en losse surrogaten: geen tekst die een mens
schrijft. PostgreSQL weigert NUL in tekst, SQLite slaat het op; een losse surrogaat is in UTF-8 niet te schrijven."""


def bevat_ongeldig_teken(tekst: str) -> bool:
    return ONGELDIGE_TEKENS.search(tekst) is not None


def controleer_tekst(tekst: str, veld: str, *, maximaal: int, verplicht: bool = True) -> str:
    if bevat_ongeldig_teken(tekst):
        raise OngeldigeInvoer(
            f"'{veld}' bevat een stuurteken of ongeldig teken; verwijder het en probeer het opnieuw.", veld=veld
        )
    waarde = tekst.strip()
    if verplicht and not waarde:
        raise OngeldigeInvoer(f"Vul '{veld}' in.", veld=veld)
    if len(waarde) > maximaal:
        raise OngeldigeInvoer(f"'{veld}' is te lang (maximaal {maximaal} tekens).", veld=veld)
    weiger_bsn_in_tekst(waarde, veld)
    return waarde


def weiger_bsn_in_tekst(tekst: str, veld: str) -> None:
    """Geen BSN in vrije tekst, in geen enkel veld (ook niet de hulpvraag van de eigen casus).

    A BSN belongs in its own field (inwoner.bsn, betrokkenen.bsn): there it is pseudonymised in the audit
    log, found by an inzageverzoek and removed by the bewaartermijn; in free text it escapes all three,
    and free text travels (to the RMZ, the contractmanager, every gemeente for a datalek).
    """
    if bevat_bsn(tekst):
        raise OngeldigeInvoer(
            f"'{veld}' lijkt een BSN te bevatten. Noem een persoon in vrije tekst nooit met een BSN; een BSN hoort "
            "alleen in het veld daarvoor (inwoner.bsn of betrokkenen.bsn).",
            veld=veld,
        )


def _woorden(tekst: str) -> str:
    """Kleine letters zonder accenten, alleen woorden, met spaties eromheen: 'Özdemir-Jansen' → ' ozdemir jansen '."""
    zonder = "".join(c for c in unicodedata.normalize("NFKD", tekst) if not unicodedata.combining(c))
    return " " + " ".join(re.findall(r"\w+", zonder.casefold())) + " "


def noemt_naam(tekst: str, namen: Iterable[str]) -> bool:
    """Of een vrije tekst een van deze namen noemt: hele woorden, zonder onderscheid in hoofdletters of accenten.

    A name counts as named by its full form, by the name without its first word ('J. de Vries' and
    'mevrouw de Vries' for 'Jan de Vries') or by any of its words that is at least 4 letters long, the
    first name too ('Jantien'; shorter ones like 'Dam' are ordinary words too often), also in the
    Dutch genitive ('Voorbeeldts').
    """
    woorden = _woorden(tekst)
    for naam in namen:
        delen = _woorden(naam).split()
        if not delen:
            continue
        vormen = {
            " ".join(delen),
            " ".join(delen[1:]) if len(delen) > 2 else "",
            *(d for d in delen if len(d) >= 4),
        }
        if any(v and (f" {v} " in woorden or f" {v}s " in woorden) for v in vormen):
            return True
    return False


class Categorie(StrEnum):
    """Soort signaal of melding. Wat het RMZ niet behandelt, staat onderaan (seed 000, 003 §41.4)."""

    NIET_CONFORM_AFSPRAKEN = "niet_conform_afspraken"
    KWALITEIT = "kwaliteit"
    FRAUDE_VERMOEDEN = "fraude_vermoeden"
    FINANCIELE_FOUTEN = "financiele_fouten"
    ONGEWENSTE_WERKWIJZE = "ongewenste_werkwijze"
    PGB_BEHEERDER = "pgb_beheerder"
    KLACHT_CLIENT = "klacht_client"
    ONDUIDELIJKE_REGELS = "onduidelijke_regels"
    ONTBREKEND_AANBOD = "ontbrekend_aanbod"
    FINANCIERINGSVRAAG = "financieringsvraag"
    ARRANGEMENT = "arrangement"


NIET_BIJ_RMZ_MAAR_GEMEENTE = frozenset(
    {Categorie.ONDUIDELIJKE_REGELS, Categorie.ONTBREKEND_AANBOD, Categorie.FINANCIERINGSVRAAG, Categorie.ARRANGEMENT}
)


class BetrokkeneSoort(StrEnum):
    MEDEWERKER = "medewerker"
    CLIENT = "client"


class MeldingSoort(StrEnum):
    RMZ = "rmz"
    CONTRACTMANAGER = "contractmanager"


class Herkomst(StrEnum):
    """Wie een melding bij het RMZ deed (seed 003 §41.4: inwoners, professionals en verwijzers; of een gemeente)."""

    GEMEENTE = "gemeente"
    INWONER = "inwoner"
    PROFESSIONAL = "professional"
    VERWIJZER = "verwijzer"


RMZ_INTAKE_CATEGORIEEN = frozenset(
    {Categorie.FRAUDE_VERMOEDEN, Categorie.FINANCIELE_FOUTEN, Categorie.ONGEWENSTE_WERKWIJZE}
)
"""Onderwerpen die rechtstreeks bij het RMZ mogen, zonder de escalatieladder (seed 003 §41.4, seed 001 art. 10):
stap 1 wijst de aanbieder op de afspraken en zou een vermoeden van fraude verklappen. Kwaliteit en het niet
nakomen van afspraken blijven langs de ladder gaan (seed 000)."""


class MeldingStatus(StrEnum):
    """Statussen van een melding (contract.md); de routes rmz-melding en contractmanager-direct gebruiken ze."""

    ONTVANGEN = "ONTVANGEN"
    IN_BEHANDELING = "IN_BEHANDELING"
    NIET_IN_BEHANDELING = "NIET_IN_BEHANDELING"
    CONTRACTMANAGER_GEINFORMEERD = "CONTRACTMANAGER_GEINFORMEERD"
    AFGEROND = "AFGEROND"


def als_utc(t: datetime) -> datetime:
    """Een tijd in UTC; een tijd zonder zone (SQLite geeft die terug, of een klant stuurt die) geldt als UTC."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
