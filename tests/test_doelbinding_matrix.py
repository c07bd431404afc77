"""Doelbinding (toegang.md matrix, regels 1-3): elke denkbare beleidsregel wordt getoetst tegen de matrix.

The expected matrix below is transcribed from /work/shared/docs/toegang.md by hand, independently of
``domein.doelbinding.GRENZEN``: if the code's bound drifts from the document, a cell here fails. The test
walks every rol x resource x actie x bereik over all resources the policy knows, plus every step of every
route (the shipped ones and the test-only route, whose bound comes from its definition file).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from beleid.beslisser import CasbinBeslisser
from domein.actor import Rol
from domein.doelbinding import GRENZEN, toets
from domein.route import laad_route, laad_routes
from domein.toegang import Actie, Beleidsregel, Bereik

TEST_ROUTES = Path(__file__).parent / "routes_test"

DOEL = {
    "consulent": "uitvoering",
    "kwaliteitsmedewerker": "uitvoering",
    "backoffice": "uitvoering",
    "rmz_medewerker": "kwaliteit_handhaving",
    "contractmanager": "contractmanagement",
    "privacy_officer": "verantwoording",
    "beheerder": "beheer",
}

ROL = {"con": "consulent", "kwm": "kwaliteitsmedewerker", "bo": "backoffice", "rmz": "rmz_medewerker",
       "cm": "contractmanager", "po": "privacy_officer", "bh": "beheerder"}  # fmt: skip

# resource: "rol:acties:bereik" per cell (R = lezen, W = schrijven; eg = eigen gemeente, eo = eigen organisatie,
# r = regio: the widest bereik). What is not listed is forbidden.
MATRIX = """
casus                       con:RW:eg kwm:R:eg bo:R:eg
persoonsgegevens.identificatie con:R:eg kwm:R:eg bo:R:eg
persoonsgegevens.zorgbehoefte con:R:eg kwm:R:eg bo:R:eg
signaal                     con:RW:eg kwm:RW:eg
melding                     con:R:eg kwm:R:eg rmz:R:r cm:R:r
melding.direct              con:W:eg kwm:W:eg
melding.behandelen          rmz:W:r cm:W:r
melding.betrokkenen         rmz:R:r cm:R:r
melding.pseudoniemen        rmz:R:r cm:R:r
persoonsgegevens.betrokkenen.rmz rmz:R:r
persoonsgegevens.betrokkenen.contractmanager cm:R:r
melding.inhoud              con:R:eg kwm:R:eg rmz:R:r cm:R:r
melding.inhoud.rmz          con:R:eg kwm:R:eg rmz:R:r
melding.inhoud.contractmanager con:R:eg kwm:R:eg rmz:R:r cm:R:r
route.stap                  con:R:eg kwm:R:eg rmz:R:r cm:R:r
auditlog                    po:R:eo
inzage                      po:R:eo
privacymelding              po:R:eo po:W:r
datalek                     po:RW:eo
beleid                      po:R:r bh:RW:r
statistiek                  con:R:eg kwm:R:eg bo:R:eg rmz:R:r cm:R:r
uitnutting                  con:R:eg kwm:R:eg bo:R:eg rmz:R:r cm:R:r
zorgkosten                  con:R:eg kwm:R:eg bo:W:eg cm:R:r
zorgkosten.aanlevering      bo:R:eg
aanbieder                   con:R:r kwm:R:r bo:R:r rmz:R:r cm:RW:r po:R:r bh:RW:r
contract                    con:R:r kwm:R:r bo:R:r rmz:R:r cm:RW:r po:R:r bh:RW:r
gemeente                    con:R:r kwm:R:r bo:R:r rmz:R:r cm:R:r po:R:r bh:R:r
structuur                   con:R:r kwm:R:r bo:R:r rmz:R:r cm:R:r po:R:r bh:R:r
bibob                       con:R:r kwm:R:r kwm:W:eg rmz:R:r cm:RW:r
route.rob-signaal.stap_1    con:W:eg
route.rob-signaal.stap_2    kwm:W:eg
route.rob-signaal.stap_3    kwm:W:eg
route.wbw-arrangement.stap_1 con:W:eg
route.wbw-arrangement.stap_2 kwm:W:eg
route.wbw-arrangement.stap_3 kwm:W:eg
route.wbw-arrangement.stap_4 kwm:W:eg
route.wbw-arrangement.opgelost con:W:eg kwm:W:eg
route.wbw-arrangement.uitspraak kwm:W:eg
route.rmz-melding.ONTVANGEN kwm:W:eg
route.rmz-melding.IN_BEHANDELING rmz:W:r
route.rmz-melding.NIET_IN_BEHANDELING rmz:W:r
route.rmz-melding.CONTRACTMANAGER_GEINFORMEERD rmz:W:r
route.rmz-melding.AFGEROND rmz:W:r
route.contractmanager-direct.ONTVANGEN con:W:eg kwm:W:eg
route.contractmanager-direct.IN_BEHANDELING cm:W:r
route.contractmanager-direct.NIET_IN_BEHANDELING cm:W:r
route.contractmanager-direct.AFGEROND cm:W:r
melding.intake              con:W:eg kwm:W:eg rmz:W:r
melding.inhoud.rmz.gepseudonimiseerd cm:R:r
melding.archief             rmz:RW:r cm:RW:r
route.rmz-intake.ONTVANGEN  con:W:eg kwm:W:eg rmz:W:r
route.rmz-intake.IN_BEHANDELING rmz:W:r
route.rmz-intake.NIET_IN_BEHANDELING rmz:W:r
route.rmz-intake.CONTRACTMANAGER_GEINFORMEERD rmz:W:r
route.rmz-intake.AFGEROND   rmz:W:r
route.regio-test.melden     con:W:eg
route.regio-test.besloten   kwm:W:eg
"""
_BEREIK = {"eg": Bereik.EIGEN_GEMEENTE, "eo": Bereik.EIGEN_ORGANISATIE, "r": Bereik.REGIO}
_ACTIE = {"R": Actie.LEZEN, "W": Actie.SCHRIJVEN}


def _verwacht() -> dict[tuple[str, str, Actie], Bereik]:
    uit: dict[tuple[str, str, Actie], Bereik] = {}
    for regel in MATRIX.strip().splitlines():
        resource, *cellen = regel.split()
        for cel in cellen:
            rol, acties, bereik = cel.split(":")
            for a in acties:
                uit[(resource, ROL[rol], _ACTIE[a])] = _BEREIK[bereik]
    return uit


VERWACHT = _verwacht()
ROUTES = laad_routes(TEST_ROUTES)
BESLISSER = CasbinBeslisser(extra=(TEST_ROUTES / "regio-test.csv",))
ROUTESTAPPEN = {r.resource(t) for r in ROUTES.values() for t in r.toestanden}
RESOURCES = sorted(BESLISSER.bekende_resources() | set(GRENZEN) | ROUTESTAPPEN | {r for r, _, _ in VERWACHT})


def _mag_volgens_matrix(resource: str, rol: str, actie: Actie, bereik: Bereik) -> bool:
    breedste = VERWACHT.get((resource, rol, actie))
    if breedste is None:
        return False
    # A narrower scope than regio is never a privacy risk; eigen gemeente/organisatie is exact (rule 1).
    return bereik is breedste or breedste is Bereik.REGIO


def test_elke_combinatie_van_rol_resource_actie_en_bereik_volgt_de_matrix_van_toegang_md():
    afwijkingen = []
    for resource, rol, actie, bereik in itertools.product(RESOURCES, Rol, Actie, Bereik):
        regel = Beleidsregel(str(rol), resource, str(actie), str(bereik), DOEL[rol])
        toegestaan = not toets(regel, BESLISSER.bekende_resources(), ROUTES)
        if toegestaan != _mag_volgens_matrix(resource, str(rol), actie, bereik):
            afwijkingen.append(
                (resource, str(rol), str(actie), str(bereik), "toegestaan" if toegestaan else "geweigerd")
            )
    assert not afwijkingen, f"{len(afwijkingen)} cellen wijken af van toegang.md: {afwijkingen[:20]}"
    # the walk must cover every resource of the matrix, and every step of every route
    assert {r for r, _, _ in VERWACHT} <= set(RESOURCES) and ROUTESTAPPEN <= set(RESOURCES)


@pytest.mark.parametrize("rol", list(Rol))
def test_een_regel_met_een_ander_doel_dan_dat_van_de_rol_wordt_geweigerd(rol):
    for (resource, r, actie), bereik in VERWACHT.items():
        if r != rol:
            continue
        for doel in set(DOEL.values()) - {DOEL[rol]}:
            assert toets(Beleidsregel(rol, resource, str(actie), str(bereik), doel), set(RESOURCES), ROUTES)


def test_het_meegeleverde_beleid_en_de_testroute_blijven_binnen_de_matrix():
    buiten = [
        r.als_tupel()
        for r in BESLISSER.regels()
        if not _mag_volgens_matrix(r.resource, r.rol, Actie(r.actie), Bereik(r.bereik)) or r.doel != DOEL[r.rol]
    ]
    assert not buiten


def test_een_route_zonder_wie_geeft_niemand_een_stap():
    """Deny by default: a route file that names no role for a toestand gives no one that step."""
    kaal = dict(ROUTES)
    regio = kaal["regio-test"]
    kaal["regio-test"] = replace(regio, toestanden={c: replace(t, wie=()) for c, t in regio.toestanden.items()})
    regel = Beleidsregel("consulent", "route.regio-test.melden", "schrijven", "eigen_gemeente", "uitvoering")
    assert not toets(regel, set(RESOURCES), ROUTES)
    assert toets(regel, set(RESOURCES), kaal)


@pytest.mark.parametrize("wie", ['["beheerder"]', '["privacy_officer"]', '["iemand"]'])
def test_een_routedefinitie_geeft_een_stap_nooit_aan_verantwoording_beheer_of_een_onbekende_rol(tmp_path, wie):
    tekst = (TEST_ROUTES / "regio-test.toml").read_text(encoding="utf-8")
    pad = tmp_path / "regio-fout.toml"
    pad.write_text(tekst.replace('wie = ["consulent"]', f"wie = {wie}"), encoding="utf-8")
    with pytest.raises(ValueError, match="wie"):
        laad_route(pad)
