"""Vrije tekst zonder wie: bekende namen, BSN's en geboortedata vervangen door stabiele pseudoniemen.

The contractmanager reads RMZ-meldingen only pseudonymised (toegang.md rule 3), and a closed melding
is routinely readable only in a form that no longer identifies the betrokkenen (Bijlage 1 art. 3.1).
The system knows who a melding is about: the betrokkenen the melder named, and the inwoner of the
casus behind its signaal. Their names (in full and per name part), BSNs and birth dates are replaced
by the same pseudonym ``Melding.pseudoniem`` shows, so a reader still sees who recurs. Any other
nine-digit number is masked as a possible BSN. A name nobody registered cannot be recognised: that is
why free text is refused when it carries a BSN and must be flagged when it names a client (input rules).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

BSN_VERWIJDERD = "[BSN verwijderd]"
_BSN_ACHTIG = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){8}(?!\d)")
_WOORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Name parts that are ordinary words in Dutch text: replacing them would garble the text, not protect anyone.
_GEEN_NAAMDEEL = frozenset(
    {"van", "der", "den", "het", "ter", "ten", "de", "la", "le", "von", "dos", "del", "dhr", "mevr", "mw", "mr",
     "dr", "ing", "drs", "client", "cliënt", "medewerker", "aanbieder", "te", "op", "in", "aan", "bij", "uit",
     "voor", "da", "di", "du", "des", "el", "al", "zu"}
)  # fmt: skip
# Letters without a decomposition that people still type without their mark (Yılmaz, Søren, Łukasz).
_ZONDER_TEKEN = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ħ": "h"})


def _vouw_teken(c: str) -> str:
    zonder = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    gevouwen = zonder.lower().translate(_ZONDER_TEKEN)
    return gevouwen if len(gevouwen) == 1 else c


def _vouw(tekst: str) -> str:
    """Kleine letters zonder accenten, teken voor teken (even lang, zodat posities in de tekst blijven kloppen).

    The same as the input check (waarden.noemt_naam) does: 'Ozdemir' names 'Özdemir'.
    """
    return "".join(_vouw_teken(c) for c in tekst)


@dataclass(frozen=True)
class Persoon:
    """Iemand over wie een melding gaat, zoals het systeem hem kent."""

    pseudoniem: str
    soort: str
    naam: str | None = None
    bsn: str | None = None
    geboortedatum: date | None = None

    @property
    def label(self) -> str:
        return f"[{self.soort} {self.pseudoniem[:16]}]"


_MAANDNAMEN = (
    "januari|jan", "februari|feb", "maart|mrt|mar", "april|apr", "mei", "juni|jun", "juli|jul", "augustus|aug",
    "september|sept|sep", "oktober|okt|oct", "november|nov", "december|dec",
)  # fmt: skip


def _datumpatroon(d: date) -> re.Pattern[str]:
    """Een datum zoals mensen hem schrijven: 4-3-1980, 04/03/'80, 4 maart 1980, 4 mrt. '80, 1980-3-4, 04031980."""
    dag, maand, jaar = rf"0?{d.day}", rf"0?{d.month}", rf"(?:{d.year}|'?{d.year % 100:02d})"
    vormen = [
        rf"{dag}\s*[-/.]\s*{maand}\s*[-/.]\s*{jaar}",
        rf"{dag}\.?\s*(?:{_MAANDNAMEN[d.month - 1]})\.?\s*{jaar}",
        rf"{d.year}\s*[-/.]\s*{maand}\s*[-/.]\s*{dag}",
        f"{d.day:02d}{d.month:02d}{d.year}",
        f"{d.year}{d.month:02d}{d.day:02d}",
    ]
    return re.compile(r"(?<!\d)(?:" + "|".join(vormen) + r")(?!\d)", re.IGNORECASE)


@dataclass
class Masker:
    """Vervangt per melding de bekende personen; daarna elk BSN-achtig getal."""

    personen: list[Persoon] = field(default_factory=list)

    def _vervangingen(self) -> dict[str, str]:
        uit: dict[str, str] = {}
        # Full names win over their parts; the first person named keeps a shared part.
        # Compared folded (case and accents): a name is typed as 'ozturk' as often as 'Öztürk'.
        for p in self.personen:
            if p.naam:
                uit.setdefault(_vouw(p.naam.strip()), p.label)
        for p in self.personen:
            for woord in _WOORD.findall(_vouw(p.naam or "")):
                for deel in {woord, *re.split(r"['’-]", woord)}:  # Berg-Jansen: also Berg and Jansen
                    # Any part but a tussenvoegsel or title, also 'Li' or 'Wu' and a name entered in lower case.
                    if len(deel) >= 2 and deel not in _GEEN_NAAMDEEL:
                        uit.setdefault(deel, p.label)
        return uit

    @cached_property
    def _namen(self) -> tuple[re.Pattern[str], dict[str, str]] | None:
        """One pattern per melding, built once (the list of a page masks many texts with it)."""
        vervangingen = self._vervangingen()
        if not vervangingen:
            return None
        delen = "|".join(re.escape(v) for v in sorted(vervangingen, key=len, reverse=True))
        # With the Dutch genitive too: 'Jansens dossier' names Jansen.
        return re.compile(r"(?<!\w)(" + delen + r")(?:['’]?s)?(?!\w)", re.IGNORECASE), vervangingen

    def tekst(self, tekst: str) -> str:
        for p in self.personen:
            if p.bsn:
                tekst = tekst.replace(p.bsn, p.label)
            if p.geboortedatum:
                tekst = _datumpatroon(p.geboortedatum).sub("[geboortedatum verwijderd]", tekst)
        if self._namen is not None:
            patroon, vervangingen = self._namen
            gevouwen, delen, vorige = _vouw(tekst), [], 0
            for m in patroon.finditer(gevouwen):  # found in the folded text, replaced in the original
                delen += [tekst[vorige : m.start()], vervangingen.get(m.group(1), "[naam verwijderd]")]
                vorige = m.end()
            tekst = "".join([*delen, tekst[vorige:]])
        return _BSN_ACHTIG.sub(BSN_VERWIJDERD, tekst)

    def waarde(self, waarde: Any) -> Any:
        """Elke tekst in een JSON-achtige waarde (de vastleggingen van stappen en handelingen)."""
        if isinstance(waarde, str):
            return self.tekst(waarde)
        if isinstance(waarde, dict):
            return {k: self.waarde(v) for k, v in waarde.items()}
        if isinstance(waarde, list):
            return [self.waarde(v) for v in waarde]
        return waarde

    def pseudoniemen(self) -> set[str]:
        return {p.pseudoniem for p in self.personen}


def masker(personen: Iterable[Persoon]) -> Masker:
    return Masker(list(personen))
