"""Routes via de use cases en de API: seed 002 (West-Brabant West) en een derde, test-only regio."""

from __future__ import annotations

from pathlib import Path

from beleid.beslisser import CasbinBeslisser
from domein import signalen
from domein.actor import Actor, Rol
from domein.audit import Pseudonimiseerder
from domein.fouten import Geweigerd
from domein.route import laad_routes
from domein.verzoek import Verzoek
from domein.waarden import Categorie
from tests.conftest import SLEUTEL, codes
from tests.hulp import NIJMEGEN
from tests.hulp_signalen import ESCALEER, REGISTREER, aanbieder

TEST_ROUTES = Path(__file__).parent / "routes_test"


async def test_seed_002_arrangementgeschil_van_gesprek_tot_geschillencommissie(api):
    """Seed 002 §2.3 stap 1-4 met zorgcontinuïteit en termijnen, via de publieke mutaties."""
    aid = await aanbieder(api)
    r = await api.als(
        "consulent",
        NIJMEGEN,
        REGISTREER,
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "ARRANGEMENT",
                "omschrijving": "Geen overeenstemming over de PIC",
                "route": "wbw-arrangement",
                "toelichting": "Intakegesprek",
                "gegevens": {
                    "discussiepunt": "1",
                    "zorgcontinuiteit": True,
                    "advies_van": "zorgmakelaar",
                    "eerste_gesprek_gezin": "2026-11-02",
                },
            }
        },
    )
    assert "errors" not in r, r
    s = r["data"]["registreerSignaal"]
    assert (s["route"], s["stap"]) == ("wbw-arrangement", "stap_1") and s["termijn"] == "2026-11-23"
    stappen = [
        ("2", {"toelichting": "Lokale aanstuurder ingeschakeld", "gegevens": {"zorgcontinuiteit": True}}),
        ("3", {"toelichting": "Voorgelegd aan Zi2T", "gegevens": {"zorgcontinuiteit": True, "advies_zi2t": "PIC 2B"}}),
        (
            "4",
            {"toelichting": "Geschil", "gegevens": {"zorgcontinuiteit": True, "subcommissie": "inkoop_jeugdwet_wmo"}},
        ),
        ("uitspraak", {"gegevens": {"uitspraak": "Advies Zi2T gevolgd"}}),
    ]
    for naar, extra in stappen:
        r = await api.als(
            "kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": {"signaalId": s["id"], "naarStap": naar} | extra}
        )
        assert "errors" not in r, (naar, r)
    assert r["data"]["escaleerSignaal"]["stap"] == "uitspraak"


async def test_seed_002_zonder_zorgcontinuiteit_geen_volgende_stap(api):
    aid = await aanbieder(api)
    r = await api.als(
        "consulent",
        NIJMEGEN,
        REGISTREER,
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "ARRANGEMENT",
                "omschrijving": "x",
                "route": "wbw-arrangement",
                "toelichting": "x",
                "gegevens": {"discussiepunt": "3"},
            }
        },
    )
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "zorgcontinuiteit"


async def test_derde_regio_is_een_definitie_plus_beleidsregels_zonder_code(api):
    """Issue 3: een nieuwe regio-route = een definitiebestand + beleidsregels (tests/routes_test/)."""
    beslisser = CasbinBeslisser(extra=(TEST_ROUTES / "regio-test.csv",))
    routes = laad_routes(TEST_ROUTES)
    aid = await aanbieder(api)
    from api.relay import lees_globale_id

    aanbieder_id = lees_globale_id(aid, "Aanbieder")[1]
    async with api.engine.connect() as conn:
        await conn.begin()
        pseudo = Pseudonimiseerder(SLEUTEL)
        consulent = Verzoek(Actor("c", Rol.CONSULENT, NIJMEGEN), conn, beslisser, pseudo, "r1", routes=routes)
        rij = await signalen.registreer(
            consulent,
            signalen.SignaalInvoer(
                aanbieder_id=aanbieder_id,
                categorie=Categorie.KWALITEIT,
                omschrijving="x",
                route="regio-test",
                gegevens={"toelichting": "eerste melding"},
            ),
        )
        assert rij.toestand == "melden" and rij.termijn is not None
        try:
            await signalen.escaleer(consulent, signalen.Escalatie(rij.id, "besloten", {"besluit": "gegrond"}))
            raise AssertionError("consulent mag in regio-test niet besluiten")
        except Geweigerd:
            pass
        kwal = Verzoek(Actor("k", Rol.KWALITEITSMEDEWERKER, NIJMEGEN), conn, beslisser, pseudo, "r2", routes=routes)
        klaar = await signalen.escaleer(kwal, signalen.Escalatie(rij.id, "besloten", {"besluit": "gegrond"}))
        assert klaar.toestand == "besloten"
        assert {r.verwerkingsactiviteit for r in kwal.audit.alle() if r.uitkomst == "geslaagd"} == {
            "regio-test: besloten"
        }
        await conn.rollback()
