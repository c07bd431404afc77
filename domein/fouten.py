"""Domeinfouten met een code uit contract.md en een Nederlandse melding die zegt wat te doen."""

from __future__ import annotations


class DomeinFout(Exception):
    code = "INTERNAL"

    def __init__(self, bericht: str, *, veld: str | None = None, fouten: list[dict[str, object]] | None = None) -> None:
        super().__init__(bericht)
        self.bericht = bericht
        self.veld = veld
        self.fouten = fouten
        """Per-item errors of a bulk input (e.g. one per bad line of a zorgkosten delivery)."""


class OngeldigeInvoer(DomeinFout):
    code = "BAD_USER_INPUT"


class NietGevonden(DomeinFout):
    """Ook voor records van een andere gemeente: die bestaan voor deze gebruiker niet.

    One message for every type and cause, so the answer never tells 'elsewhere' from 'absent'.
    """

    code = "NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("Dit object bestaat niet of u heeft er geen toegang toe.")


class Geweigerd(DomeinFout):
    code = "FORBIDDEN"

    def __init__(self, bericht: str, *, resource: str, actie: str) -> None:
        super().__init__(bericht)
        self.resource = resource
        self.actie = actie


class StappenOnvolledig(DomeinFout):
    """Een volgende stap vraagt volledig gedocumenteerde eerdere stappen (seed 000, stap 3)."""

    code = "STAPPEN_ONVOLLEDIG"


class OngeldigeOvergang(DomeinFout):
    code = "ONGELDIGE_OVERGANG"


class KlachtNietBijRmz(DomeinFout):
    code = "KLACHT_NIET_BIJ_RMZ"


class BetrokkeneNietGeinformeerd(DomeinFout):
    code = "BETROKKENE_NIET_GEINFORMEERD"
