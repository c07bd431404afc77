"""Doelbinding als toets op beleidsregels (toegang.md: rollen, matrix en regels 1-3).

A run-time policy change may never give a role persoonsgegevens outside the doel that toegang.md
lists for it. This module writes that matrix out once, per resource, as the most any role may ever
get: per role and per actie, the widest bereik. A rule beyond it is refused, and so is a rule for a
resource this table does not know (deny by default: a new resource gets a decision here first).

Three kinds of resources:
- persoonsgegevens and what reveals them (casus, inwoner, betrokkenen, free texts, audit log, inzage,
  privacymeldingen, datalekken): exactly the matrix, per actie;
- data of one gemeente without persons (aggregates, zorgkosten): exactly the roles and actions of the
  matrix, never wider than the own gemeente for a gemeente role (rule 1);
- taking a step of a route (``route.<naam>.<toestand>``): only the roles the route definition names for
  that toestand (``wie``), so a route added as a file brings its own bound; writing only;
- regional business data (aanbieders, contracts, gemeenten, the Bibob flag): per the matrix for writes,
  readable by any role that serves a doel with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from domein.actor import GEMEENTEGEBONDEN, Rol
from domein.route import Route
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

L, S = Actie.LEZEN, Actie.SCHRIJVEN
EG, EO, R = Bereik.EIGEN_GEMEENTE, Bereik.EIGEN_ORGANISATIE, Bereik.REGIO
Grens = dict[Rol, dict[Actie, Bereik]]

_GEMEENTEROLLEN = (Rol.CONSULENT, Rol.KWALITEITSMEDEWERKER, Rol.BACKOFFICE)
_MELDER: Grens = {Rol.CONSULENT: {L: EG}, Rol.KWALITEITSMEDEWERKER: {L: EG}}
_RMZ_EN_CM: Grens = {Rol.RMZ_MEDEWERKER: {L: R}, Rol.CONTRACTMANAGER: {L: R}}
_IEDEREEN_LEZEN: Grens = {rol: {L: R} for rol in Rol}

GRENZEN: dict[str, Grens] = {
    # casus incl. inwoner: consulent RW, kwaliteitsmw R, backoffice R, own gemeente only; nobody else
    "casus": {Rol.CONSULENT: {L: EG, S: EG}, Rol.KWALITEITSMEDEWERKER: {L: EG}, Rol.BACKOFFICE: {L: EG}},
    "persoonsgegevens.identificatie": {rol: {L: EG} for rol in _GEMEENTEROLLEN},
    "persoonsgegevens.zorgbehoefte": {rol: {L: EG} for rol in _GEMEENTEROLLEN},
    # signaal with its casus link: consulent and kwaliteitsmw of the own gemeente
    "signaal": {Rol.CONSULENT: {L: EG, S: EG}, Rol.KWALITEITSMEDEWERKER: {L: EG, S: EG}},
    # meldingen: the melder's gemeente, the RMZ, the contractmanager; betrokkenen only RMZ and contractmanager
    "melding": _MELDER | _RMZ_EN_CM,
    "melding.direct": {Rol.CONSULENT: {S: EG}, Rol.KWALITEITSMEDEWERKER: {S: EG}},
    "melding.behandelen": {Rol.RMZ_MEDEWERKER: {S: R}, Rol.CONTRACTMANAGER: {S: R}},
    "melding.betrokkenen": _RMZ_EN_CM,
    "melding.pseudoniemen": _RMZ_EN_CM,
    "persoonsgegevens.betrokkenen.rmz": {Rol.RMZ_MEDEWERKER: {L: R}},
    "persoonsgegevens.betrokkenen.contractmanager": {Rol.CONTRACTMANAGER: {L: R}},
    # free texts and steps may name people; the contractmanager not those of RMZ meldingen (rule 3)
    "melding.inhoud": _MELDER | _RMZ_EN_CM,
    "melding.inhoud.rmz": _MELDER | {Rol.RMZ_MEDEWERKER: {L: R}},
    "melding.inhoud.contractmanager": _MELDER | _RMZ_EN_CM,
    "route.stap": _MELDER | _RMZ_EN_CM,
    # issue 10: straight to the RMZ (gemeente for itself, the RMZ for inwoners and professionals), the
    # contractmanager's pseudonymised view of RMZ meldingen, the archive of closed meldingen
    "melding.intake": {Rol.CONSULENT: {S: EG}, Rol.KWALITEITSMEDEWERKER: {S: EG}, Rol.RMZ_MEDEWERKER: {S: R}},
    "melding.inhoud.rmz.gepseudonimiseerd": {Rol.CONTRACTMANAGER: {L: R}},
    "melding.archief": {Rol.RMZ_MEDEWERKER: {L: R, S: R}, Rol.CONTRACTMANAGER: {L: R, S: R}},
    # verantwoording: the privacy officer of the own organisation only; notices go to other organisations
    "auditlog": {Rol.PRIVACY_OFFICER: {L: EO}},
    "inzage": {Rol.PRIVACY_OFFICER: {L: EO}},
    "privacymelding": {Rol.PRIVACY_OFFICER: {L: EO, S: R}},
    "datalek": {Rol.PRIVACY_OFFICER: {L: EO, S: EO}},
    "beleid": {Rol.PRIVACY_OFFICER: {L: R}, Rol.BEHEERDER: {L: R, S: R}},
    # data of one gemeente without persons: aggregates and zorgkosten
    "statistiek": {rol: {L: EG} for rol in _GEMEENTEROLLEN} | _RMZ_EN_CM,
    "uitnutting": {rol: {L: EG} for rol in _GEMEENTEROLLEN} | _RMZ_EN_CM,
    # zorgkosten: consulent/kwaliteitsmw R own, backoffice W own, contractmanager R; the RMZ nothing
    "zorgkosten": {
        Rol.CONSULENT: {L: EG},
        Rol.KWALITEITSMEDEWERKER: {L: EG},
        Rol.BACKOFFICE: {S: EG},
        Rol.CONTRACTMANAGER: {L: R},
    },
    # the receipt of the backoffice's own delivery, not a read of stored zorgkosten
    "zorgkosten.aanlevering": {Rol.BACKOFFICE: {L: EG}},
    # regional business data
    "aanbieder": _IEDEREEN_LEZEN | {Rol.CONTRACTMANAGER: {L: R, S: R}, Rol.BEHEERDER: {L: R, S: R}},
    "contract": _IEDEREEN_LEZEN | {Rol.CONTRACTMANAGER: {L: R, S: R}, Rol.BEHEERDER: {L: R, S: R}},
    "gemeente": _IEDEREEN_LEZEN,
    "structuur": _IEDEREEN_LEZEN,
    "bibob": {
        Rol.CONSULENT: {L: R},
        Rol.KWALITEITSMEDEWERKER: {L: R, S: EG},
        Rol.RMZ_MEDEWERKER: {L: R},
        Rol.CONTRACTMANAGER: {L: R, S: R},
    },
}
"""Per resource: the most each role may get, per actie (toegang.md matrix). Absent = never."""

_BREEDTE = {Bereik.EIGEN_GEMEENTE: 0, Bereik.EIGEN_ORGANISATIE: 0, Bereik.REGIO: 1}

BEHEER_VAN_BELEID = ("beheerder", "beleid", "schrijven", "regio", "beheer")
"""The rule that lets a beheerder change the policy at all: removing it would lock everyone out."""


def _routestap(resource: str, routes: Mapping[str, Route]) -> Grens | None:
    """``route.<naam>.<toestand>``: writing, by the roles the definition names, in their own organisation."""
    delen = resource.split(".")
    if len(delen) != 3 or delen[0] != "route" or delen[1] not in routes:
        return None
    toestand = routes[delen[1]].toestanden.get(delen[2])
    if toestand is None:
        return None
    return {rol: {S: EG if rol in GEMEENTEGEBONDEN else R} for rol in toestand.wie}


def grens(resource: str, routes: Mapping[str, Route] | None = None) -> Grens | None:
    """De grens van één resource; een routestap haalt haar grens uit de routedefinitie (``wie``)."""
    if resource in GRENZEN:
        return GRENZEN[resource]
    return _routestap(resource, routes or {})


def toets(
    regel: Beleidsregel, bekende_resources: set[str], routes: Mapping[str, Route] | None = None
) -> list[tuple[str, str]]:
    """Alle bezwaren tegen het toevoegen van ``regel``, als (veld, Nederlandse uitleg); leeg = toegestaan.

    ``routes``: the route definitions in use; a step of a route is known once its definition is.
    """
    try:
        rol = Rol(regel.rol)
    except ValueError:
        return [("rol", f"Onbekende rol {regel.rol!r}; kies uit {', '.join(sorted(Rol))}.")]
    if regel.actie not in set(Actie):
        return [("actie", f"Onbekende actie {regel.actie!r}; kies 'lezen' of 'schrijven'.")]
    if regel.bereik not in set(Bereik):
        return [("bereik", f"Onbekend bereik {regel.bereik!r}; kies uit {', '.join(sorted(Bereik))}.")]
    bezwaren: list[tuple[str, str]] = []
    if regel.doel != DOEL_VAN_ROL[rol]:
        bezwaren.append(
            ("doel", f"De rol {rol} dient het doel '{DOEL_VAN_ROL[rol]}' (toegang.md), niet '{regel.doel}'.")
        )
    g = grens(regel.resource, routes)
    if (regel.resource not in bekende_resources and _routestap(regel.resource, routes or {}) is None) or g is None:
        bezwaren.append(("resource", f"Onbekende resource {regel.resource!r}: het beleid kent die niet of heeft er "
                         "nog geen grens voor (domein/doelbinding.py)."))  # fmt: skip
        return bezwaren
    breedste = g.get(rol, {}).get(Actie(regel.actie))
    if breedste is None:
        bezwaren.append(("resource", f"'{regel.resource}' {regel.actie} hoort volgens toegang.md nooit bij de rol "
                         f"{rol} en haar doel '{DOEL_VAN_ROL[rol]}' (Bijlage 1 art. 1.2, doelbinding)."))  # fmt: skip
    elif _BREEDTE[Bereik(regel.bereik)] > _BREEDTE[breedste] or (
        Bereik(regel.bereik) is not breedste and _BREEDTE[breedste] == 0
    ):
        bezwaren.append(("bereik", f"'{regel.resource}' {regel.actie} krijgt de rol {rol} hoogstens met bereik "
                         f"'{breedste}' (toegang.md regel 1: gemeente-isolatie)."))  # fmt: skip
    return bezwaren
