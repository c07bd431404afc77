"""De ROB-escalatieladder via de API, stap voor stap (seed 000; seed 003 §41.4; Bijlage 1 art. 2.3)."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN
from tests.hulp_signalen import (
    DIRECT,
    ESCALEER,
    REGISTREER,
    aanbieder,
    behandel,
    melding_bij_rmz,
    naar_stap_2,
    signaal_in_stap_1,
    stap_1,
    stap_3,
)

INBOX = """{ meldingen(first: 50) { totalCount edges { node { id route status gemeente { code } categorie
  samenvatting stappen { stap toelichting } betrokkenen { soort naam bsn } pseudoniem terugkoppeling termijn
  aanbieder { naam } } } } }"""


async def test_seed_000_stap_1_consulent_wijst_aanbieder_op_de_afspraken(api):
    s = await signaal_in_stap_1(api)
    assert s["stap"] == "stap_1" and s["route"] == "rob-signaal"
    assert s["stappen"][0]["afspraken"] == "PvE: bereikbaarheid binnen 24 uur"
    assert s["stappen"][0]["door"] == "consulent"


async def test_seed_000_stap_2_alleen_door_kwaliteitsmedewerker(api):
    s = await signaal_in_stap_1(api)
    als_consulent = await api.als(
        "consulent",
        NIJMEGEN,
        ESCALEER,
        {
            "i": {
                "signaalId": s["id"],
                "naarStap": "2",
                "toelichting": "x",
                "herhaling": True,
                "afspraken": "y",
                "afgesprokenOp": "2026-11-16",
            }
        },
    )
    assert codes(als_consulent) == ["FORBIDDEN"]
    s2 = await naar_stap_2(api, s["id"])
    assert s2["stap"] == "stap_2" and s2["termijn"] is not None


async def test_seed_000_stap_3_maakt_melding_bij_rmz_met_stappen_en_betrokkenen(api):
    m = await melding_bij_rmz(api)
    assert (m["status"], m["route"]) == ("ONTVANGEN", "RMZ") and m["termijn"]
    inbox = await api.als("rmz_medewerker", None, INBOX)
    knoop = inbox["data"]["meldingen"]["edges"][0]["node"]
    assert [s["stap"] for s in knoop["stappen"]] == ["stap_1", "stap_2", "stap_3"]
    assert {b["soort"] for b in knoop["betrokkenen"]} == {"MEDEWERKER", "CLIENT"}


async def test_rmz_weigert_melding_zonder_stap_2(api):
    """Seed 000: een melding wordt pas in behandeling genomen als stap 1 en 2 volledig zijn doorlopen."""
    s = await signaal_in_stap_1(api)
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
    assert codes(r) == ["STAPPEN_ONVOLLEDIG"] and "Stap 2" in r["errors"][0]["message"]
    assert r["data"] is None


async def test_rmz_weigert_melding_met_onvolledige_stap_2_tot_die_is_aangevuld(api):
    s = await signaal_in_stap_1(api)
    licht = await api.als(
        "kwaliteitsmedewerker",
        NIJMEGEN,
        ESCALEER,
        {"i": {"signaalId": s["id"], "naarStap": "2", "toelichting": "Herhaling", "herhaling": True}},
    )
    assert "errors" not in licht, licht
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
    assert codes(r) == ["STAPPEN_ONVOLLEDIG"] and "verbeterafspraken_management" in r["errors"][0]["message"]
    aangevuld = await api.als(
        "kwaliteitsmedewerker",
        NIJMEGEN,
        ESCALEER,
        {
            "i": {
                "signaalId": s["id"],
                "naarStap": "2",
                "afspraken": "Verbeterafspraken met het management",
                "afgesprokenOp": "2026-11-20",
            }
        },
    )
    assert aangevuld["data"]["escaleerSignaal"]["stap"] == "stap_2"
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
    assert "errors" not in r, r
    assert r["data"]["escaleerSignaal"]["melding"]["status"] == "ONTVANGEN"


async def test_melding_met_client_vraagt_bevestiging_dat_client_is_geinformeerd(api):
    """Bijlage 1 art. 2.3."""
    s = await signaal_in_stap_1(api)
    await naar_stap_2(api, s["id"])
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"], betrokkeneGeinformeerd=False)})
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"]


async def test_klacht_van_client_gaat_niet_naar_rmz(api):
    """Seed 000: al bij stap 1 geweigerd; zie tests/test_seedregels.py voor stap 2, 3 en de directe route."""
    r = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": stap_1(await aanbieder(api), categorie="KLACHT_CLIENT")})
    assert codes(r) == ["KLACHT_NIET_BIJ_RMZ"] and "klachtencommissie" in r["errors"][0]["message"]


async def test_financieringsvraag_hoort_bij_de_gemeente(api):
    s = await signaal_in_stap_1(api, categorie="FINANCIERINGSVRAAG")
    await naar_stap_2(api, s["id"])
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
    assert codes(r) == ["BAD_USER_INPUT"] and "gemeente" in r["errors"][0]["message"]


async def test_rmz_behandelt_met_terugkoppeling_die_de_melder_leest(api):
    m = await melding_bij_rmz(api)
    zonder = await behandel(api, "rmz_medewerker", m["id"], "IN_BEHANDELING")
    assert codes(zonder) == ["BAD_USER_INPUT"]  # always with feedback (seed 003 §41.4)
    r = await behandel(
        api, "rmz_medewerker", m["id"], "IN_BEHANDELING", terugkoppeling="Wij nemen uw melding in behandeling"
    )
    assert r["data"]["behandelMelding"]["status"] == "IN_BEHANDELING"
    te_vroeg = await behandel(
        api, "rmz_medewerker", m["id"], "AFGEROND", uitkomst="handhavingstraject", terugkoppeling="x"
    )
    assert codes(te_vroeg) == ["ONGELDIGE_OVERGANG"]  # the contractmanager must be informed first
    await behandel(api, "rmz_medewerker", m["id"], "CONTRACTMANAGER_GEINFORMEERD", toelichting="CM op de hoogte")
    klaar = await behandel(
        api,
        "rmz_medewerker",
        m["id"],
        "AFGEROND",
        uitkomst="inwonersstop",
        actieAanbieder="Inwonersstop aangekondigd",
        terugkoppeling="Inwonersstop voor deze aanbieder",
    )
    assert klaar["data"]["behandelMelding"]["uitkomst"] == "inwonersstop"
    melder = await api.als("consulent", NIJMEGEN, "{ meldingen { edges { node { status terugkoppeling } } } }")
    knoop = melder["data"]["meldingen"]["edges"][0]["node"]
    assert knoop == {
        "status": "AFGEROND",
        "terugkoppeling": ["Wij nemen uw melding in behandeling", "Inwonersstop voor deze aanbieder"],
    }


async def test_melder_ziet_geen_betrokkenen_meer_via_de_api_en_rmz_niet_het_signaal(api):
    m = await melding_bij_rmz(api)
    melder = await api.als("consulent", NIJMEGEN, "{ meldingen { edges { node { betrokkenen { naam } } } } }")
    assert codes(melder) == ["FORBIDDEN"]
    rmz = await api.als(
        "rmz_medewerker",
        None,
        "query($id: ID!) { node(id: $id) { ... on Melding { signaal { id casus { id } } } } }",
        {"id": m["id"]},
    )
    assert codes(rmz) == ["FORBIDDEN"] and "casus" not in json.dumps(rmz.get("data") or {})


async def test_contractmanager_leest_rmz_meldingen_gepseudonimiseerd(api):
    await melding_bij_rmz(api)
    await melding_bij_rmz(api, WIJCHEN)
    q = "{ meldingen { totalCount edges { node { route pseudoniem betrokkenen { naam } gemeente { code } } } } }"
    r = await api.als("contractmanager", None, q)
    assert r["data"]["meldingen"]["totalCount"] == 2
    for e in r["data"]["meldingen"]["edges"]:
        assert e["node"]["betrokkenen"] is None and len(e["node"]["pseudoniem"]) == 2
    tekst = json.dumps(r)
    assert "999990019" not in tekst and "Fictief" not in tekst and "Voorbeeld" not in tekst
    # the same cliënt in two meldingen has the same pseudonym
    p1, p2 = (set(e["node"]["pseudoniem"]) for e in r["data"]["meldingen"]["edges"])
    assert p1 & p2


async def test_directe_route_naar_contractmanager_met_hoor_en_wederhoor(api):
    """Seed 000: de aanbieder stopt zorg per direct; de contractmanager past hoor en wederhoor toe."""
    aid = await aanbieder(api)
    r = await api.als(
        "consulent",
        NIJMEGEN,
        DIRECT,
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "ONGEWENSTE_WERKWIJZE",
                "samenvatting": "Aanbieder stopte de zorg per direct zonder opzegtermijn, tegen de wens van de cliënt",
                "betrokkenen": [{"soort": "CLIENT", "naam": "Cliënt Direct", "bsn": "999990020"}],
                "betrokkeneGeinformeerd": True,
            }
        },
    )
    m = r["data"]["meldBijContractmanager"]
    assert (m["route"], m["status"]) == ("CONTRACTMANAGER", "ONTVANGEN")
    cm = await api.als("contractmanager", None, "{ meldingen { edges { node { betrokkenen { naam bsn } } } } }")
    assert cm["data"]["meldingen"]["edges"][0]["node"]["betrokkenen"] == [{"naam": "Cliënt Direct", "bsn": "999990020"}]
    rmz_mag_niet = await behandel(api, "rmz_medewerker", m["id"], "IN_BEHANDELING", hoorEnWederhoor="x")
    assert codes(rmz_mag_niet) == ["FORBIDDEN"]
    await behandel(api, "contractmanager", m["id"], "IN_BEHANDELING", hoorEnWederhoor="Cliënt en aanbieder gehoord")
    klaar = await behandel(
        api,
        "contractmanager",
        m["id"],
        "AFGEROND",
        interventie="Zorg hervat, aanbieder in gebreke gesteld",
        uitkomst="handhavingstraject",
        terugkoppeling="Zorg is hervat",
    )
    assert klaar["data"]["behandelMelding"]["terugkoppeling"] == ["Zorg is hervat"]


async def test_directe_route_vraagt_ook_bevestiging_betrokkene_geinformeerd(api):
    aid = await aanbieder(api)
    r = await api.als(
        "consulent",
        NIJMEGEN,
        DIRECT,
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "KWALITEIT",
                "samenvatting": "x",
                "betrokkenen": [{"soort": "CLIENT", "naam": "C"}],
            }
        },
    )
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"]


async def test_elfde_pgb_kwaliteitstoets_in_een_jaar_wordt_geweigerd(api):
    """Seed 001 art. 2.2.e: het ROB doet maximaal 10 pgb-kwaliteitstoetsen per jaar."""
    for i in range(11):
        m = await melding_bij_rmz(api)
        for status, extra in (
            ("IN_BEHANDELING", {"terugkoppeling": "ok"}),
            ("CONTRACTMANAGER_GEINFORMEERD", {"toelichting": "cm"}),
        ):
            await behandel(api, "rmz_medewerker", m["id"], status, **extra)
        r = await behandel(
            api, "rmz_medewerker", m["id"], "AFGEROND", uitkomst="pgb_kwaliteitstoets", terugkoppeling="t"
        )
        if i < 10:
            assert "errors" not in r, r
        else:
            assert codes(r) == ["ONGELDIGE_OVERGANG"] and "10 pgb-kwaliteitstoetsen" in r["errors"][0]["message"]


async def test_andere_gemeente_ziet_geen_signalen_of_meldingen(api):
    m = await melding_bij_rmz(api)
    for rol in ("consulent", "kwaliteitsmedewerker"):
        r = await api.als(rol, WIJCHEN, "{ signalen { totalCount } meldingen { totalCount } }")
        assert r["data"] == {"signalen": {"totalCount": 0}, "meldingen": {"totalCount": 0}}
        n = await api.als(rol, WIJCHEN, "query($id: ID!) { node(id: $id) { id } }", {"id": m["id"]})
        assert n["data"] == {"node": None} and codes(n) == ["NOT_FOUND"]
    for rol in ("backoffice", "privacy_officer"):
        gemeente = WIJCHEN if rol == "backoffice" else None
        r = await api.als(rol, gemeente, "{ meldingen { totalCount } }")
        assert codes(r) == ["FORBIDDEN"]


async def test_signaal_kan_geen_casus_van_andere_gemeente_koppelen(api):
    from tests.hulp import registreer_casus
    from tests.hulp_signalen import REGISTREER, stap_1

    casus = await registreer_casus(api, NIJMEGEN)
    aid = await aanbieder(api)
    r = await api.als("consulent", WIJCHEN, REGISTREER, {"i": stap_1(aid, casusId=casus["id"])})
    assert codes(r) == ["NOT_FOUND"] and r["data"] is None


async def test_verlopen_termijnen_zijn_op_te_vragen(api):
    import sqlalchemy as sa

    from domein.opslag.tabellen import melding

    await melding_bij_rmz(api)
    await melding_bij_rmz(api)
    async with api.engine.begin() as conn:
        eerste = await conn.scalar(sa.select(melding.c.id).order_by(melding.c.aangemaakt_op).limit(1))
        await conn.execute(melding.update().where(melding.c.id == eerste).values(termijn=date(2026, 1, 2)))
    r = await api.als(
        "rmz_medewerker",
        None,
        "{ meldingen(alleenVerlopen: true) { totalCount edges { node { termijnVerstreken } } } }",
    )
    assert r["data"]["meldingen"]["totalCount"] == 1
    assert r["data"]["meldingen"]["edges"][0]["node"]["termijnVerstreken"] is True


async def test_contractmanager_krijgt_geen_vrije_tekst_van_rmz_meldingen_wel_van_directe(api):
    """toegang.md regel 3: vrije tekst kan persoonsgegevens bevatten; alleen de directe route is aan hen gericht."""
    await melding_bij_rmz(api)
    aid = await aanbieder(api)
    await api.als(
        "consulent",
        NIJMEGEN,
        DIRECT,
        {"i": {"aanbiederId": aid, "categorie": "KWALITEIT", "samenvatting": "Zorg per direct gestopt"}},
    )
    q = "{ meldingen { edges { node { route samenvatting stappen { stap } terugkoppeling handelingen { op } } } } }"
    r = await api.als("contractmanager", None, q)
    per_route = {e["node"]["route"]: e["node"] for e in r["data"]["meldingen"]["edges"]}
    assert per_route["RMZ"] | {"route": None} == {
        "route": None,
        "samenvatting": None,
        "stappen": None,
        "terugkoppeling": None,
        "handelingen": None,
    }
    assert per_route["CONTRACTMANAGER"]["samenvatting"] == "Zorg per direct gestopt"
    rmz = await api.als("rmz_medewerker", None, q)
    assert all(e["node"]["samenvatting"] for e in rmz["data"]["meldingen"]["edges"])
