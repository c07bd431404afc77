"""Het filter van de auditlogpagina: formulier -> GraphQL-AuditFilter, plus wat de console zelf filtert.

The API's ``AuditFilter`` takes van, tot, sub, operatie, objectId and bsn (a BSN is looked up through
the audit's keyed pseudonym, never stored or compared in the clear). Gemeente and uitkomst are not API
filters: the console applies them to the rows the API returned, and pages by the API's cursors.
Dates on the form are local dates in Europe/Amsterdam; ``tot`` includes its whole day.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from api.console.gegevens import ConsoleFout
from api.console.weergave import AMSTERDAM

UITKOMSTEN = ("geslaagd", "geweigerd", "niet_gevonden")
OPERATIES = ("lezen", "registreren", "wijzigen", "vernietigen")
MAX_TEKST = 200


@dataclass
class Auditfilter:
    van: str = ""
    tot: str = ""
    gemeente: str = ""
    bsn: str = ""
    object_id: str = ""
    actor: str = ""
    operatie: str = ""
    uitkomst: str = ""
    na: str = ""
    """The API cursor after which this page starts (empty: the newest records)."""

    @classmethod
    def uit_formulier(cls, formulier: dict[str, str]) -> Auditfilter:
        waarden = {f.name: formulier.get(f.name, "").strip() for f in fields(cls)}
        for naam, waarde in waarden.items():
            if len(waarde) > MAX_TEKST:
                raise ConsoleFout("BAD_USER_INPUT", f"'{naam}' is te lang (maximaal {MAX_TEKST} tekens).")
        f = cls(**waarden)
        if f.operatie and f.operatie not in OPERATIES:
            raise ConsoleFout("BAD_USER_INPUT", f"Onbekende operatie; kies uit {', '.join(OPERATIES)}.")
        if f.uitkomst and f.uitkomst not in UITKOMSTEN:
            raise ConsoleFout("BAD_USER_INPUT", "Onbekende uitkomst; kies geslaagd, geweigerd of niet gevonden.")
        van, tot = _datum(f.van, "van"), _datum(f.tot, "tot")
        if van and tot and van > tot:
            raise ConsoleFout("BAD_USER_INPUT", "De datum 'van' ligt na de datum 'tot'; draai ze om.")
        return f

    def velden(self) -> dict[str, str]:
        """Voor de verborgen velden van de knoppen 'volgende pagina' en 'CSV' (zonder cursor)."""
        return {k: v for k, v in asdict(self).items() if k != "na" and v}

    def api_filter(self) -> dict[str, Any]:
        """Het AuditFilter van de API; tijden in UTC, 'tot' exclusief (de dag na de gekozen dag)."""
        uit: dict[str, Any] = {}
        van, tot = _datum(self.van, "van"), _datum(self.tot, "tot")
        if van:
            uit["van"] = _middernacht(van).isoformat()
        if tot:
            uit["tot"] = _middernacht(tot + timedelta(days=1)).isoformat()
        for sleutel, waarde in (("bsn", self.bsn), ("objectId", self.object_id), ("sub", self.actor),
                                ("operatie", self.operatie)):  # fmt: skip
            if waarde:
                uit[sleutel] = waarde
        return uit

    @property
    def in_console(self) -> bool:
        """Of de console zelf nog filtert (gemeente of uitkomst): dan telt de API niet het juiste totaal."""
        return bool(self.gemeente or self.uitkomst)

    def past(self, regel: dict[str, Any]) -> bool:
        if self.gemeente and regel.get("gemeente") != self.gemeente and regel.get("organisatie") != self.gemeente:
            return False
        return not (self.uitkomst and regel.get("uitkomst") != self.uitkomst)


def _datum(waarde: str, veld: str) -> date | None:
    if not waarde:
        return None
    try:
        return date.fromisoformat(waarde)
    except ValueError:
        raise ConsoleFout("BAD_USER_INPUT", f"'{veld}' is geen datum; gebruik de vorm JJJJ-MM-DD.") from None


def _middernacht(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=AMSTERDAM)
