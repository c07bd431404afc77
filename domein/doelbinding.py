"""Doelbinding als toets op beleidsregels (toegang.md: rollen, matrix en regel 2).

A run-time policy change may never give a role persoonsgegevens outside the doel that toegang.md
lists for it. This module is that list, written out once: the doel of each role, and for every
resource that carries persoonsgegevens (or reveals who they are about) the roles that may ever hold
it and the widest bereik they may have. Everything else is business data a beheerder may open up.
"""

from __future__ import annotations

from domein.actor import Rol
from domein.toegang import Actie, Beleidsregel, Bereik

DOEL_VAN_ROL: dict[Rol, str] = {
    Rol.CONSULENT: "uitvoering",
    Rol.KWALITEITSMEDEWERKER: "uitvoering",
    Rol.BACKOFFICE: "uitvoering",
    Rol.RMZ_MEDEWERKER: "kwaliteit_handhaving",
    Rol.CONTRACTMANAGER: "contractmanagement",
    Rol.PRIVACY_OFFICER: "verantwoording",
    Rol.BEHEERDER: "beheer",
}
"""toegang.md, table 'Roles': the one doel each role serves."""

_GEMEENTE_UITVOERING = {Rol.CONSULENT: Bereik.EIGEN_GEMEENTE, Rol.KWALITEITSMEDEWERKER: Bereik.EIGEN_GEMEENTE,
                        Rol.BACKOFFICE: Bereik.EIGEN_GEMEENTE}  # fmt: skip

_MELDER = {Rol.CONSULENT: Bereik.EIGEN_GEMEENTE, Rol.KWALITEITSMEDEWERKER: Bereik.EIGEN_GEMEENTE}

PERSOONSGEGEVENS: dict[str, dict[Rol, Bereik]] = {
    # casus incl. inwoner: consulent RW, kwaliteitsmw R, backoffice R, own gemeente only; nobody else
    "casus": _GEMEENTE_UITVOERING,
    "persoonsgegevens.identificatie": _GEMEENTE_UITVOERING,
    "persoonsgegevens.zorgbehoefte": _GEMEENTE_UITVOERING,
    # signaal with its casus link: consulent and kwaliteitsmw of the own gemeente
    "signaal": _MELDER,
    # betrokkenen of a melding: the RMZ (RMZ route) and the contractmanager (direct route) only
    "melding.betrokkenen": {Rol.RMZ_MEDEWERKER: Bereik.REGIO, Rol.CONTRACTMANAGER: Bereik.REGIO},
    "melding.pseudoniemen": {Rol.RMZ_MEDEWERKER: Bereik.REGIO, Rol.CONTRACTMANAGER: Bereik.REGIO},
    "persoonsgegevens.betrokkenen.rmz": {Rol.RMZ_MEDEWERKER: Bereik.REGIO},
    "persoonsgegevens.betrokkenen.contractmanager": {Rol.CONTRACTMANAGER: Bereik.REGIO},
    # free texts and steps of meldingen and signalen may name people: the melder's gemeente, the RMZ,
    # and the contractmanager only for direct-route meldingen (toegang.md rule 3, minimisation)
    "melding.inhoud": _MELDER | {Rol.RMZ_MEDEWERKER: Bereik.REGIO, Rol.CONTRACTMANAGER: Bereik.REGIO},
    "melding.inhoud.rmz": _MELDER | {Rol.RMZ_MEDEWERKER: Bereik.REGIO},
    "melding.inhoud.contractmanager": _MELDER | {Rol.RMZ_MEDEWERKER: Bereik.REGIO, Rol.CONTRACTMANAGER: Bereik.REGIO},
    "route.stap": _MELDER | {Rol.RMZ_MEDEWERKER: Bereik.REGIO, Rol.CONTRACTMANAGER: Bereik.REGIO},
    # who was processed when: the privacy officer of the own organisation only
    "auditlog": {Rol.PRIVACY_OFFICER: Bereik.EIGEN_ORGANISATIE},
    "inzage": {Rol.PRIVACY_OFFICER: Bereik.EIGEN_ORGANISATIE},
}
"""Resources with persoonsgegevens → the roles toegang.md allows, with their widest bereik."""

_BREEDTE = {Bereik.EIGEN_GEMEENTE: 0, Bereik.EIGEN_ORGANISATIE: 0, Bereik.REGIO: 1}

BEHEER_VAN_BELEID = ("beheerder", "beleid", "schrijven", "regio", "beheer")
"""The rule that lets a beheerder change the policy at all: removing it would lock everyone out."""


def toets(regel: Beleidsregel, bekende_resources: set[str]) -> list[tuple[str, str]]:
    """Alle bezwaren tegen het toevoegen van ``regel``, als (veld, Nederlandse uitleg); leeg = toegestaan."""
    bezwaren: list[tuple[str, str]] = []
    try:
        rol = Rol(regel.rol)
    except ValueError:
        return [("rol", f"Onbekende rol {regel.rol!r}; kies uit {', '.join(sorted(Rol))}.")]
    if regel.actie not in set(Actie):
        bezwaren.append(("actie", f"Onbekende actie {regel.actie!r}; kies 'lezen' of 'schrijven'."))
    if regel.bereik not in set(Bereik):
        bezwaren.append(("bereik", f"Onbekend bereik {regel.bereik!r}; kies uit {', '.join(sorted(Bereik))}."))
        return bezwaren
    if regel.resource not in bekende_resources:
        bezwaren.append(("resource", f"Onbekende resource {regel.resource!r}: het beleid kent die niet."))
    if regel.doel != DOEL_VAN_ROL[rol]:
        bezwaren.append(
            ("doel", f"De rol {rol} dient het doel '{DOEL_VAN_ROL[rol]}' (toegang.md), niet '{regel.doel}'.")
        )
    toegestaan = PERSOONSGEGEVENS.get(regel.resource)
    if toegestaan is not None:
        breedste = toegestaan.get(rol)
        if breedste is None:
            bezwaren.append(("resource", f"'{regel.resource}' bevat persoonsgegevens die de rol {rol} voor haar doel "
                             f"'{DOEL_VAN_ROL[rol]}' nooit krijgt (toegang.md, Bijlage 1 art. 1.2)."))  # fmt: skip
        elif _BREEDTE[Bereik(regel.bereik)] > _BREEDTE[breedste]:
            bezwaren.append(("bereik", f"Persoonsgegevens in '{regel.resource}' krijgt de rol {rol} alleen met bereik "
                             f"'{breedste}' (toegang.md regel 1: gemeente-isolatie)."))  # fmt: skip
    return bezwaren
