"""Beleid is data (toegang.md regel 9): een beheerder wijzigt het tijdens bedrijf, getoetst en geaudit.

A change holds for every worker from its next request on: two apps on one database stand for two
worker processes, and the second one never restarts.
"""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from api.app import maak_app
from api.auth import TokenVerifier
from api.limieten import Limieten
from beleid.beslisser import CasbinBeslisser
from domein.doelbinding import grens, toets
from domein.opslag.tabellen import auditregel, beleidswijziging
from domein.route import standaard_routes
from tests.conftest import Api, codes
from tests.hulp import NIJMEGEN
from tests.hulp_signalen import aanbieder

WIJZIG = """mutation($i: WijzigBeleidInput!) { wijzigBeleid(input: $i) {
  id soort reden door regel { rol resource actie bereik doel } } }"""
ZORGKOSTEN = "{ zorgkosten(jaar: 2026) { maand bedrag } }"
AUDIT_BELEID = """{ auditLog(filter: {objectType: "beleid"}) {
  totalCount edges { node { rol operatie verwerkingsactiviteit } } } }"""


CONSULENT_ZORGKOSTEN = ("consulent", "zorgkosten", "lezen", "eigen_gemeente", "uitvoering")


def _wijziging(soort: str, rol: str, resource: str, actie: str, bereik: str, doel: str) -> dict:
    return {
        "i": {
            "soort": soort,
            "reden": "Afgesproken in het regionaal privacyoverleg",
            "regel": {"rol": rol, "resource": resource, "actie": actie, "bereik": bereik, "doel": doel},
        }
    }


async def _tweede_worker(api: Api, pseudonimiseerder, demosleutel) -> Api:
    verifier = TokenVerifier(public_key_pem=demosleutel.public_key_pem)
    app = maak_app(api.engine, verifier, pseudonimiseerder, Limieten(introspectie=False), CasbinBeslisser())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return Api(client, demosleutel, api.engine)


async def test_regel_9_wijziging_geldt_meteen_in_elke_worker_zonder_herstart(api, pseudonimiseerder, demosleutel):
    tweede = await _tweede_worker(api, pseudonimiseerder, demosleutel)
    assert "errors" not in await tweede.als("consulent", NIJMEGEN, ZORGKOSTEN)
    weg = await api.als("beheerder", None, WIJZIG, _wijziging("VERWIJDEREN", *CONSULENT_ZORGKOSTEN))
    assert weg["data"]["wijzigBeleid"]["soort"] == "verwijderen", weg
    assert codes(await tweede.als("consulent", NIJMEGEN, ZORGKOSTEN)) == ["FORBIDDEN"]
    terug = await api.als("beheerder", None, WIJZIG, _wijziging("TOEVOEGEN", *CONSULENT_ZORGKOSTEN))
    assert "errors" not in terug
    assert "errors" not in await tweede.als("consulent", NIJMEGEN, ZORGKOSTEN)
    await tweede.client.aclose()


async def test_regel_9_verwijderde_regel_sluit_toegang_ook_tot_een_veld(api):
    await api.als(
        "beheerder", None, WIJZIG, _wijziging("VERWIJDEREN", "consulent", "bibob", "lezen", "regio", "uitvoering")
    )
    regels = await api.als("privacy_officer", None, "{ beleidsregels { rol resource } }")
    assert {"rol": "consulent", "resource": "bibob"} not in regels["data"]["beleidsregels"]
    await aanbieder(api)
    r = await api.als("consulent", NIJMEGEN, "{ aanbieders { edges { node { bibobOnderzoeken { loopt } } } } }")
    assert codes(r) == ["FORBIDDEN"]


async def test_doelbinding_weigert_persoonsgegevens_buiten_het_doel_van_de_rol(api):
    verboden = [
        (
            "contractmanager",
            "persoonsgegevens.identificatie",
            "lezen",
            "regio",
            "contractmanagement",
        ),  # never an inwoner
        ("beheerder", "casus", "lezen", "regio", "beheer"),  # beheer never touches persoonsgegevens
        ("consulent", "casus", "lezen", "regio", "uitvoering"),  # gemeente isolation: own gemeente only
        ("rmz_medewerker", "auditlog", "lezen", "regio", "kwaliteit_handhaving"),
        ("privacy_officer", "inzage", "lezen", "regio", "verantwoording"),  # own organisation only
        ("contractmanager", "melding.inhoud.rmz", "lezen", "regio", "contractmanagement"),  # rule 3: pseudonymised
        ("privacy_officer", "privacymelding", "lezen", "regio", "verantwoording"),  # other organisations' notices
        ("kwaliteitsmedewerker", "casus", "schrijven", "eigen_gemeente", "uitvoering"),  # the matrix says R
        ("consulent", "statistiek", "lezen", "regio", "uitvoering"),  # aggregates: own gemeente only
        ("beheerder", "melding", "lezen", "regio", "beheer"),
        ("consulent", "bibob", "schrijven", "eigen_gemeente", "uitvoering"),  # kwaliteitsmw only
        ("backoffice", "aanbieder", "lezen", "regio", "beheer"),  # not the backoffice's doel
        ("consulent", "bestaat.niet", "lezen", "eigen_gemeente", "uitvoering"),
        ("iemand", "casus", "lezen", "regio", "uitvoering"),
    ]
    for regel in verboden:
        r = await api.als("beheerder", None, WIJZIG, _wijziging("TOEVOEGEN", *regel))
        assert codes(r) == ["BAD_USER_INPUT"], (regel, r)
        assert "geweigerd" in r["errors"][0]["message"] or "Onbekende" in r["errors"][0]["message"]
    slot = await api.als(
        "beheerder", None, WIJZIG, _wijziging("VERWIJDEREN", "beheerder", "beleid", "schrijven", "regio", "beheer")
    )
    assert codes(slot) == ["BAD_USER_INPUT"]
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(beleidswijziging)) == 0


async def test_alleen_de_beheerder_wijzigt_beleid_de_privacy_officer_leest_mee(api):
    wijziging = _wijziging("VERWIJDEREN", *CONSULENT_ZORGKOSTEN)
    for rol, gemeente in (("privacy_officer", None), ("contractmanager", None), ("consulent", NIJMEGEN)):
        assert codes(await api.als(rol, gemeente, WIJZIG, wijziging)) == ["FORBIDDEN"], rol
    await api.als("beheerder", None, WIJZIG, wijziging)
    lijst = await api.als("privacy_officer", None, "{ beleidswijzigingen { soort door regel { resource } } }")
    assert lijst["data"]["beleidswijzigingen"] == [
        {"soort": "verwijderen", "door": "test-beheerder-rob", "regel": {"resource": "zorgkosten"}}
    ]


async def test_beleidswijziging_staat_in_het_auditlog_van_het_rob(api):
    await api.als("beheerder", None, WIJZIG, _wijziging("VERWIJDEREN", *CONSULENT_ZORGKOSTEN))
    log = (await api.als("privacy_officer", None, AUDIT_BELEID))["data"]["auditLog"]
    assert log["totalCount"] == 1
    knoop = log["edges"][0]["node"]
    assert knoop["rol"] == "beheerder" and knoop["operatie"] == "wijzigen"
    assert "consulent, zorgkosten, lezen, eigen_gemeente, uitvoering" in knoop["verwerkingsactiviteit"]


async def test_tweede_regel_voor_dezelfde_rol_resource_en_actie_wordt_geweigerd(api):
    """Casbin answers with the first match: two rules for one triple would make the bereik depend on order."""
    smaller = _wijziging("TOEVOEGEN", "consulent", "aanbieder", "lezen", "eigen_gemeente", "uitvoering")
    r = await api.als("beheerder", None, WIJZIG, smaller)
    assert codes(r) == ["BAD_USER_INPUT"] and "haal die eerst weg" in r["errors"][0]["message"]


async def test_geweigerde_beleidswijziging_staat_ook_in_het_auditlog(api):
    await api.als(
        "beheerder", None, WIJZIG, _wijziging("TOEVOEGEN", "consulent", "casus", "lezen", "regio", "uitvoering")
    )
    async with api.engine.connect() as conn:
        rijen = (
            await conn.execute(
                sa.select(auditregel.c.rol, auditregel.c.uitkomst, auditregel.c.object_id).where(
                    auditregel.c.object_type == "beleid"
                )
            )
        ).all()
    assert [(r.rol, r.uitkomst) for r in rijen] == [("beheerder", "geweigerd")]
    assert "consulent, casus, lezen, regio" in rijen[0].object_id


def test_het_meegeleverde_beleid_blijft_binnen_de_grenzen_van_toegang_md():
    """Every rule of beleid/beleid.csv passes the same test as a run-time change: the file and the matrix agree."""
    b = CasbinBeslisser()
    bekend, routes = b.bekende_resources(), standaard_routes()
    buiten = {r.als_tupel(): toets(r, bekend, routes) for r in b.regels() if toets(r, bekend, routes)}
    assert not buiten
    assert all(grens(r, routes) is not None for r in {r.resource for r in b.regels()})


async def test_doelbinding_weigert_toegang_buiten_de_matrix_ook_zonder_persoonsgegevens(api):
    """Issue 10: zorgkosten and route steps are bounded per role and action exactly as toegang.md says."""
    verboden = [
        ("rmz_medewerker", "zorgkosten", "lezen", "regio", "kwaliteit_handhaving"),  # RMZ: nothing
        ("contractmanager", "zorgkosten", "schrijven", "regio", "contractmanagement"),  # contractmanager: R
        ("rmz_medewerker", "route.contractmanager-direct.IN_BEHANDELING", "schrijven", "regio", "kwaliteit_handhaving"),
        ("contractmanager", "route.rmz-melding.AFGEROND", "schrijven", "regio", "contractmanagement"),
        ("backoffice", "route.rob-signaal.stap_1", "schrijven", "eigen_gemeente", "uitvoering"),  # consulent only
        ("backoffice", "route.rob-signaal.stap_1", "lezen", "eigen_gemeente", "uitvoering"),
    ]
    for regel in verboden:
        r = await api.als("beheerder", None, WIJZIG, _wijziging("TOEVOEGEN", *regel))
        assert codes(r) == ["BAD_USER_INPUT"], (regel, r)
        assert "geweigerd" in r["errors"][0]["message"], r
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(beleidswijziging)) == 0
        geweigerd = await conn.scalar(
            sa.select(sa.func.count()).where(auditregel.c.object_type == "beleid", auditregel.c.uitkomst == "geweigerd")
        )
    assert geweigerd == len(verboden)
