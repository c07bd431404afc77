"""Waar het product de seeds volgt: ladderregels en termijnen via de API, elk met het seedartikel (issue 10).

- seed 000 stap 2 en 3: alleen 'bij herhaling'; klachten van cliënten gaan naar de klachtencommissie van de aanbieder;
- seed 001 art. 2.2g: geen RMZ-handhaving bij aanbieders van alleen hulpmiddelen en trapliften;
- seed 003 §41.4: een arrangementgeschil is geen RMZ-onderwerp;
- seed 002 §2.3 en §1.3: 'opgelost' vraagt akkoord van beide partijen; de klok loopt vanaf het moment dat de seed noemt;
- termijnen die geen seed noemt zijn regionale standaarden, instelbaar.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from api.app import maak_app
from api.auth import TokenVerifier
from api.instellingen import Instellingen
from domein import meldingen
from domein.fouten import DomeinFout, KlachtNietBijRmz
from domein.opslag.tabellen import melding, signaal
from domein.route import met_termijnen, standaard_routes
from domein.waarden import Categorie
from domein.werkdagen import plus_werkdagen
from tests.conftest import Api, codes
from tests.hulp import NIJMEGEN, intern_id
from tests.hulp_signalen import (
    DIRECT,
    ESCALEER,
    REGISTREER,
    aanbieder,
    naar_stap_2,
    signaal_in_stap_1,
    stap_1,
    stap_3,
)

CONTRACT = "mutation($i: RegistreerContractInput!) { registreerContract(input: $i) { id soort } }"
SIGNALEN = "{ signalen(first: 50) { totalCount edges { node { id stap categorie termijn } } } }"
AANTAL_MELDINGEN = "{ meldingen(first: 50) { totalCount } }"


async def _aantal_meldingen(api: Any) -> int:
    return int((await api.als("rmz_medewerker", None, AANTAL_MELDINGEN))["data"]["meldingen"]["totalCount"])


async def _stap_van(api: Any, signaal_id: str) -> str:
    r = await api.als("consulent", NIJMEGEN, SIGNALEN)
    return next(e["node"]["stap"] for e in r["data"]["signalen"]["edges"] if e["node"]["id"] == signaal_id)


# --- seed 000: herhaling ---------------------------------------------------------------------------------------


async def test_seed_000_stap_3_weigert_zonder_herhaling_na_interne_opschaling(api):
    """Seed 000 stap 3: 'bij herhaling niet volgens afspraken ..., ook niet na interne opschaling'."""
    s = await signaal_in_stap_1(api)
    await naar_stap_2(api, s["id"])
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"], herhaling=False)})
    assert codes(r) == ["BAD_USER_INPUT"] and r["data"] is None
    fout = r["errors"][0]
    assert fout["extensions"]["veld"] == "herhaling" and "Seed 000 stap 3" in fout["message"]
    assert await _aantal_meldingen(api) == 0 and await _stap_van(api, s["id"]) == "stap_2"
    zonder = {k: v for k, v in stap_3(s["id"]).items() if k != "herhaling"}
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": zonder})
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "herhaling"
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
    assert "errors" not in r, r
    assert await _aantal_meldingen(api) == 1


async def test_seed_000_stap_2_alleen_bij_herhaling(api):
    """Seed 000 stap 2: 'Medewerker(s) van een zorgaanbieder handelen bij herhaling niet volgens afspraken'."""
    s = await signaal_in_stap_1(api)
    invoer = {"signaalId": s["id"], "naarStap": "2", "toelichting": "Eenmalig", "herhaling": False}
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": invoer})
    assert codes(r) == ["BAD_USER_INPUT"] and "Seed 000 stap 2" in r["errors"][0]["message"]
    assert await _stap_van(api, s["id"]) == "stap_1"


async def test_seed_000_herhaling_van_stap_2_is_achteraf_niet_weg_te_aanvullen(api):
    """Een aanvulling van stap 2 kan 'herhaling' niet op nee zetten: dan zou stap 3 op een andere grond staan."""
    s = await signaal_in_stap_1(api)
    await naar_stap_2(api, s["id"])
    r = await api.als(
        "kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": {"signaalId": s["id"], "naarStap": "2", "herhaling": False}}
    )
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "herhaling"


# --- seed 000: klachten van cliënten ---------------------------------------------------------------------------


def _is_klachtweigering(r: dict[str, Any]) -> bool:
    bericht = r["errors"][0]["message"] if r.get("errors") else ""
    return codes(r) == ["KLACHT_NIET_BIJ_RMZ"] and "klachtencommissie" in bericht and "zorgaanbieder zelf" in bericht


async def test_seed_000_klacht_van_client_al_bij_stap_1_geweigerd(api):
    """Seed 000: 'Het meldpunt neemt geen klachten van cliënten in behandeling. Deze moeten gemeld worden bij de
    zorgorganisatie zelf': niet eerst twee stappen werk en dan pas weigeren."""
    aid = await aanbieder(api)
    r = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": stap_1(aid, categorie="KLACHT_CLIENT")})
    assert _is_klachtweigering(r) and r["data"] is None
    wbw = {
        "aanbiederId": aid,
        "categorie": "KLACHT_CLIENT",
        "omschrijving": "x",
        "route": "wbw-arrangement",
        "toelichting": "x",
        "gegevens": {"discussiepunt": "1", "zorgcontinuiteit": True},
    }
    assert _is_klachtweigering(await api.als("consulent", NIJMEGEN, REGISTREER, {"i": wbw}))
    assert (await api.als("consulent", NIJMEGEN, SIGNALEN))["data"]["signalen"]["totalCount"] == 0


async def test_seed_000_klacht_van_client_niet_via_de_directe_route(api):
    """Seed 000: ook de contractmanager is niet de plek voor een klacht; die gaat naar de zorgorganisatie zelf."""
    aid = await aanbieder(api)
    invoer = {"aanbiederId": aid, "categorie": "KLACHT_CLIENT", "samenvatting": "Cliënt is ontevreden over de zorg"}
    assert _is_klachtweigering(await api.als("consulent", NIJMEGEN, DIRECT, {"i": invoer}))
    cm = await api.als("contractmanager", None, AANTAL_MELDINGEN)
    assert cm["data"]["meldingen"]["totalCount"] == 0


async def test_seed_000_eerder_geregistreerde_klacht_gaat_niet_naar_stap_2_of_3(api):
    """Signalen die vóór deze regel als klacht zijn geregistreerd, worden bij elke escalatie geweigerd."""
    s2 = await signaal_in_stap_1(api)
    s3 = await signaal_in_stap_1(api)
    await naar_stap_2(api, s3["id"])
    async with api.engine.begin() as conn:
        await conn.execute(
            signaal.update()
            .where(signaal.c.id.in_([intern_id(s2["id"]), intern_id(s3["id"])]))
            .values(categorie="klacht_client")
        )
    naar_2 = {"signaalId": s2["id"], "naarStap": "2", "toelichting": "Herhaling", "herhaling": True}
    assert _is_klachtweigering(await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": naar_2}))
    assert _is_klachtweigering(await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s3["id"])}))
    assert await _stap_van(api, s2["id"]) == "stap_1" and await _stap_van(api, s3["id"]) == "stap_2"
    assert await _aantal_meldingen(api) == 0


async def test_eerder_geregistreerde_klacht_kan_nog_wel_worden_afgesloten(api):
    """Escaleren nee, afsluiten ja: een eindtoestand zonder gevolg (hier 'opgelost' van seed 002) blijft open."""
    s = await _wbw(api)
    async with api.engine.begin() as conn:
        await conn.execute(signaal.update().where(signaal.c.id == intern_id(s["id"])).values(categorie="klacht_client"))
    assert _is_klachtweigering(await _wbw_stap(api, s["id"], "2", "Lokale aanstuurder", zorgcontinuiteit=True))
    akkoord = {"akkoord_toegang": True, "akkoord_aanbieder": True, "bevestigd_per_mail": True}
    r = await _wbw_stap(api, s["id"], "opgelost", **akkoord)
    assert "errors" not in r, r


# --- seed 001 art. 2.2g en seed 003 §41.4: wat het RMZ niet handhaaft ------------------------------------------


async def _contract(api: Any, aanbieder_id: str, soort: str) -> None:
    invoer = {
        "aanbiederId": aanbieder_id,
        "soort": soort,
        "naam": f"Contract {soort.lower()}",
        "percelen": ["Trapliften"] if soort == "HULPMIDDELEN_TRAPLIFTEN" else ["Begeleiding"],
        "ingangsdatum": "2026-01-01",
        "einddatum": "2027-12-31",
        "deelnemendeGemeenten": [NIJMEGEN],
        "contractmanager": "Contractmanager ROB",
        "budgetplafonds": [],
    }
    r = await api.als("contractmanager", None, CONTRACT, {"i": invoer})
    assert "errors" not in r, r


async def _naar_rmz(api: Any, aanbieder_id: str, categorie: str = "NIET_CONFORM_AFSPRAKEN") -> dict[str, Any]:
    s = await signaal_in_stap_1(api, aanbieder_id=aanbieder_id, categorie=categorie)
    await naar_stap_2(api, s["id"])
    return await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})


async def test_seed_001_art_2_2g_geen_rmz_melding_over_aanbieder_met_alleen_hulpmiddelen_en_trapliften(api):
    """Seed 001 art. 2.2g: 'Handhaving, met uitzondering van de hulpmiddelen en trapliften'."""
    traplift = await aanbieder(api)
    await _contract(api, traplift, "HULPMIDDELEN_TRAPLIFTEN")
    r = await _naar_rmz(api, traplift)
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "aanbiederId"
    assert "2.2g" in r["errors"][0]["message"] and "hulpmiddelen en trapliften" in r["errors"][0]["message"]
    assert await _aantal_meldingen(api) == 0
    # Also zorg under contract: that part is the RMZ's to enforce.
    gemengd = await aanbieder(api)
    await _contract(api, gemengd, "HULPMIDDELEN_TRAPLIFTEN")
    await _contract(api, gemengd, "DEELCONTRACT")
    assert "errors" not in await _naar_rmz(api, gemengd)
    assert await _aantal_meldingen(api) == 1


async def test_seed_001_directe_route_blijft_open_voor_aanbieder_van_trapliften(api):
    """De uitzondering van art. 2.2g geldt de handhaving door het RMZ, niet de eigen contractmanager (art. 7)."""
    traplift = await aanbieder(api)
    await _contract(api, traplift, "HULPMIDDELEN_TRAPLIFTEN")
    invoer = {"aanbiederId": traplift, "categorie": "ONGEWENSTE_WERKWIJZE", "samenvatting": "Traplift niet geplaatst"}
    assert "errors" not in await api.als("consulent", NIJMEGEN, DIRECT, {"i": invoer})


async def test_seed_003_41_4_arrangementgeschil_gaat_naar_de_gemeente_niet_naar_het_rmz(api):
    """Seed 003 §41.4: 'Het RMZ is niet voor signalen over onduidelijke regels, ontbrekend aanbod of
    financieringsvraagstukken. Deze signalen kunnen bij de Opdrachtgever worden gemeld.'"""
    r = await _naar_rmz(api, await aanbieder(api), categorie="ARRANGEMENT")
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "categorie"
    assert "seed 003 §41.4" in r["errors"][0]["message"] and "gemeente" in r["errors"][0]["message"]
    assert await _aantal_meldingen(api) == 0


# --- seed 002: akkoord van beide partijen en de klok vanaf het juiste moment -----------------------------------


async def _wbw(api: Any, **gegevens: Any) -> dict[str, Any]:
    r = await api.als(
        "consulent",
        NIJMEGEN,
        REGISTREER,
        {
            "i": {
                "aanbiederId": await aanbieder(api),
                "categorie": "ARRANGEMENT",
                "omschrijving": "Geen overeenstemming over de PIC",
                "route": "wbw-arrangement",
                "toelichting": "Intakegesprek",
                "gegevens": {"discussiepunt": "1", "zorgcontinuiteit": True} | gegevens,
            }
        },
    )
    assert "errors" not in r, r
    return dict(r["data"]["registreerSignaal"])


async def _wbw_stap(
    api: Any, signaal_id: str, naar: str, toelichting: str | None = None, **gegevens: Any
) -> dict[str, Any]:
    invoer = {"signaalId": signaal_id, "naarStap": naar, "toelichting": toelichting, "gegevens": gegevens}
    return await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": invoer})


async def test_seed_002_2_3_opgelost_vraagt_akkoord_van_jeugdprofessional_en_aanbieder(api):
    """Seed 002 §2.3: 'Zowel de jeugdprofessional en de jeugdhulpaanbieder moeten akkoord zijn met deze oplossing.'"""
    s = await _wbw(api)
    akkoord = {"akkoord_toegang": True, "akkoord_aanbieder": True, "bevestigd_per_mail": True}
    r = await _wbw_stap(api, s["id"], "opgelost", **(akkoord | {"akkoord_aanbieder": False}))
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "akkoord_aanbieder"
    assert "Seed 002 §2.3" in r["errors"][0]["message"]
    r = await _wbw_stap(api, s["id"], "opgelost", **(akkoord | {"akkoord_toegang": False}))
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "akkoord_toegang"
    assert await _stap_van(api, s["id"]) == "stap_1"
    r = await _wbw_stap(api, s["id"], "opgelost", **akkoord)
    assert "errors" not in r, r
    assert r["data"]["escaleerSignaal"]["stap"] == "opgelost"


async def test_seed_002_1_3_arrangementtermijn_loopt_vanaf_het_eerste_gesprek_met_het_gezin(api):
    """Seed 002 §1.3: 'Binnen 3 weken na het eerste gesprek met het gezin stuurt de aanbieder het arrangement.'"""
    s = await _wbw(api, eerste_gesprek_gezin="2026-11-02")
    assert s["termijn"] == "2026-11-23"
    zonder = await _wbw(api)
    assert zonder["termijn"] is None  # no first conversation recorded: no clock to show


async def test_seed_002_1_3_reactie_gemeente_10_werkdagen_na_aanlevering_ook_als_die_later_wordt_vastgelegd(api):
    """Seed 002 §1.3: 'Reactie op arrangement: binnen 10 werkdagen na aanlevering' (werkdagen zonder feestdagen)."""
    s = await _wbw(api, eerste_gesprek_gezin="2026-12-01")
    r = await _wbw_stap(api, s["id"], "2", "Lokale aanstuurder ingeschakeld", zorgcontinuiteit=True)
    assert "errors" not in r, r
    assert r["data"]["escaleerSignaal"]["termijn"] is None  # no arrangement delivered yet
    # Delivered on Tuesday 22 December: 25/26 December and 1 January are no werkdagen.
    r = await _wbw_stap(api, s["id"], "2", arrangement_aangeleverd_op="2026-12-22")
    assert "errors" not in r, r
    assert r["data"]["escaleerSignaal"]["stap"] == "stap_2"
    assert r["data"]["escaleerSignaal"]["termijn"] == "2027-01-07"


async def test_seed_002_1_3_start_zorg_3_weken_na_goedgekeurd_arrangement(api):
    """Seed 002 §1.3: 'Start zorg binnen 3 weken na een goedgekeurd arrangement.'"""
    s = await _wbw(api)
    r = await _wbw_stap(
        api,
        s["id"],
        "opgelost",
        akkoord_toegang=True,
        akkoord_aanbieder=True,
        bevestigd_per_mail=True,
        arrangement_goedgekeurd_op="2026-11-16",
    )
    assert "errors" not in r, r
    assert r["data"]["escaleerSignaal"]["termijn"] == "2026-12-07"


# --- termijnen die geen seed noemt: regionale standaarden, instelbaar ------------------------------------------


async def test_regionale_rmz_termijn_is_instelbaar(engine, demosleutel, beslisser, pseudonimiseerder, limieten):
    """De 5 werkdagen voor 'in behandeling of niet' staan in geen seed: een installatie kiest er zelf één."""
    routes = met_termijnen(standaard_routes(), {"rmz-melding.ONTVANGEN": 3})
    app = maak_app(
        engine, TokenVerifier(public_key_pem=demosleutel.public_key_pem), pseudonimiseerder, limieten, beslisser,
        routes=routes,
    )  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        api = Api(client, demosleutel, engine)
        s = await signaal_in_stap_1(api)
        await naar_stap_2(api, s["id"])
        r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
        assert "errors" not in r, r
    async with engine.connect() as conn:
        termijn = await conn.scalar(sa.select(melding.c.termijn))
    assert termijn == plus_werkdagen(datetime.now(UTC).date(), 3)


def test_termijnen_uit_de_omgeving_en_een_onbekende_sleutel_houdt_de_start_tegen(monkeypatch):
    monkeypatch.setenv("REGIEKAMER_TERMIJNEN", '{"contractmanager-direct.ONTVANGEN": 1, "rob-signaal.stap_2": 15}')
    routes = Instellingen().routes()
    assert routes["contractmanager-direct"].toestanden["ONTVANGEN"].termijn.aantal == 1  # type: ignore[union-attr]
    stap_2 = routes["rob-signaal"].toestanden["stap_2"].termijn
    assert stap_2 is not None and stap_2.aantal == 15 and stap_2.regionaal and "20 werkdagen" in stap_2.bron
    assert standaard_routes()["rob-signaal"].toestanden["stap_2"].termijn.aantal == 20  # type: ignore[union-attr]
    for fout in ('{"rmz-melding.ONBEKEND": 3}', '{"rob-signaal.stap_1": 3}', '{"rmz-melding.ONTVANGEN": 0}'):
        monkeypatch.setenv("REGIEKAMER_TERMIJNEN", fout)
        with pytest.raises(ValidationError, match="Termijninstelling"):
            Instellingen()


def test_cli_weigert_te_starten_met_een_onbekende_termijninstelling(monkeypatch, capsys, tmp_path):
    from api.cli import main

    monkeypatch.setenv("REGIEKAMER_TERMIJNEN", '{"rmz-melding.BESTAAT_NIET": 3}')
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert main(["migrate"]) == 2
    assert "Termijninstelling" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_elke_termijn_noemt_zijn_bron_en_alleen_seed_002_zet_termijnen_zelf():
    """Seed 000, 001 en 003 noemen geen termijnen voor de ladder, het RMZ of de directe route; seed 002 §1.3 wel."""
    bronnen = {
        f"{r.naam}.{t.code}": (t.termijn.aantal, t.termijn.eenheid, t.termijn.bron, t.termijn.vanaf)
        for r in standaard_routes().values()
        for t in r.toestanden.values()
        if t.termijn is not None
        and r.naam in {"rob-signaal", "rmz-melding", "contractmanager-direct", "wbw-arrangement"}
    }
    assert bronnen == {
        "rob-signaal.stap_2": (20, "werkdagen", "regionale standaard", None),
        "rmz-melding.ONTVANGEN": (5, "werkdagen", "regionale standaard", None),
        "rmz-melding.IN_BEHANDELING": (30, "werkdagen", "regionale standaard", None),
        "rmz-melding.CONTRACTMANAGER_GEINFORMEERD": (30, "werkdagen", "regionale standaard", None),
        "contractmanager-direct.ONTVANGEN": (2, "werkdagen", "regionale standaard", None),
        "contractmanager-direct.IN_BEHANDELING": (10, "werkdagen", "regionale standaard", None),
        "wbw-arrangement.stap_1": (3, "weken", "seed 002 §1.3", "eerste_gesprek_gezin"),
        "wbw-arrangement.stap_2": (10, "werkdagen", "seed 002 §1.3", "arrangement_aangeleverd_op"),
        "wbw-arrangement.opgelost": (3, "weken", "seed 002 §1.3", "arrangement_goedgekeurd_op"),
    }


@pytest.mark.parametrize("categorie", list(Categorie))
def test_rmz_onderwerp_per_categorie_volgt_seed_000_en_003(categorie):
    """Zonder server: welke categorie het RMZ behandelt (003 §41.4) en welke nergens op de ladder hoort (000)."""
    if categorie is Categorie.KLACHT_CLIENT:
        with pytest.raises(KlachtNietBijRmz):
            meldingen.controleer_geen_klacht(categorie)
    else:
        meldingen.controleer_geen_klacht(categorie)
    niet_rmz = {
        Categorie.KLACHT_CLIENT,
        Categorie.ONDUIDELIJKE_REGELS,
        Categorie.ONTBREKEND_AANBOD,
        Categorie.FINANCIERINGSVRAAG,
        Categorie.ARRANGEMENT,
    }
    if categorie in niet_rmz:
        with pytest.raises(DomeinFout):
            meldingen.controleer_rmz_onderwerp(categorie)
    else:
        meldingen.controleer_rmz_onderwerp(categorie)
