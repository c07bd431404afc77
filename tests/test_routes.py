"""Routes als gegevens: de ROB-ladder (seed 000) en de WBW-route (seed 002), stap voor stap; werkdagen."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domein.fouten import OngeldigeInvoer, OngeldigeOvergang, StappenOnvolledig
from domein.route import laad_route, laad_routes, met_termijnen
from domein.werkdagen import is_werkdag, plus_werkdagen, werkdagen_tussen

ROUTES = laad_routes()
ROB = ROUTES["rob-signaal"]
WBW = ROUTES["wbw-arrangement"]
VANDAAG = date(2026, 11, 24)
STAP_1 = {
    "toelichting": "Medewerker hield zich niet aan de afspraken",
    "afspraken": "PvE §3",
    "afgesproken_op": "2026-11-02",
    "aanbieder_gewezen_op": ["programma_van_eisen"],
}
STAP_2 = {
    "toelichting": "Herhaling",
    "herhaling": True,
    "verbeterafspraken_management": "Evaluatie over 4 weken",
    "afgesproken_op": "2026-11-16",
}


def test_seed_000_stap_1_tot_3_met_volledige_vastlegging():
    """Seed 000: stap 1 wijzen op de afspraken, stap 2 interne opschaling, stap 3 melding bij het RMZ."""
    b1 = ROB.begin(STAP_1, VANDAAG)
    assert b1.naar.code == "stap_1"
    b2 = ROB.overgang("stap_1", "stap_2", STAP_2, {"stap_1": b1.gegevens}, VANDAAG)
    assert b2.naar.code == "stap_2" and b2.termijn == plus_werkdagen(VANDAAG, 20)
    b3 = ROB.overgang(
        "stap_2",
        "stap_3",
        {"toelichting": "Nog steeds", "herhaling": True},
        {"stap_1": b1.gegevens, "stap_2": b2.gegevens},
        VANDAAG,
    )
    assert b3.naar.eind and b3.naar.gevolg == "melding_rmz"


def test_seed_000_rmz_weigert_stap_3_zonder_volledige_stap_2():
    """Seed 000: 'in behandeling genomen als alle stappen uit stap 1 en 2 volledig doorlopen zijn'."""
    onvolledig = {k: v for k, v in STAP_2.items() if k != "verbeterafspraken_management"}
    assert ROB.overgang("stap_1", "stap_2", onvolledig, {"stap_1": STAP_1}, VANDAAG)  # may start light
    with pytest.raises(StappenOnvolledig):
        ROB.overgang(
            "stap_2",
            "stap_3",
            {"toelichting": "x", "herhaling": True},
            {"stap_1": STAP_1, "stap_2": onvolledig},
            VANDAAG,
        )
    with pytest.raises(StappenOnvolledig):
        ROB.overgang("stap_2", "stap_3", {"toelichting": "x", "herhaling": True}, {"stap_2": STAP_2}, VANDAAG)


def test_seed_000_stap_2_overslaan_geeft_stappen_onvolledig():
    with pytest.raises(StappenOnvolledig) as fout:
        ROB.overgang("stap_1", "stap_3", {"toelichting": "x", "herhaling": True}, {"stap_1": STAP_1}, VANDAAG)
    assert "Stap 2" in fout.value.bericht
    with pytest.raises(OngeldigeOvergang):
        ROB.overgang("stap_3", "stap_2", STAP_2, {}, VANDAAG)  # stap 3 is final


def test_stap_1_vraagt_minstens_wat_er_gebeurde_en_waarop_gewezen_is():
    with pytest.raises(OngeldigeInvoer) as fout:
        ROB.begin({k: v for k, v in STAP_1.items() if k != "aanbieder_gewezen_op"}, VANDAAG)
    assert fout.value.veld == "aanbieder_gewezen_op"
    with pytest.raises(OngeldigeInvoer):
        ROB.begin(STAP_1 | {"aanbieder_gewezen_op": ["iets_anders"]}, VANDAAG)
    with pytest.raises(OngeldigeInvoer):
        ROB.begin(STAP_1 | {"onbekend_veld": "x"}, VANDAAG)


def test_lichte_stap_1_moet_worden_aangevuld_voor_het_rmz():
    """Seed 000: 'bij voorkeur schriftelijk vastleggen'; voor het RMZ moeten stap 1 en 2 volledig zijn."""
    licht = ROB.begin({"toelichting": "Mondeling gewezen", "aanbieder_gewezen_op": ["productomschrijving"]}, VANDAAG)
    vast = {"stap_1": licht.gegevens, "stap_2": STAP_2}
    with pytest.raises(StappenOnvolledig) as fout:
        ROB.overgang("stap_2", "stap_3", {"toelichting": "x", "herhaling": True}, vast, VANDAAG)
    assert "afspraken" in fout.value.bericht and "afgesproken_op" in fout.value.bericht
    aanvulling = ROB.aanvulling("stap_1", {"afspraken": "PvE §3", "afgesproken_op": "2026-11-02"}, vast)
    vast["stap_1"] = {**licht.gegevens, **aanvulling}
    assert ROB.overgang("stap_2", "stap_3", {"toelichting": "x", "herhaling": True}, vast, VANDAAG).naar.eind


def test_seed_002_vier_stappen_tot_de_geschillencommissie():
    """Seed 002 §2.3: gesprek, lokale aanstuurder, Zi2T-advies, Geschillencommissie Sociaal Domein."""
    s1 = WBW.begin(
        {
            "discussiepunt": "1",
            "toelichting": "PIC",
            "advies_van": "expertteam",
            "zorgcontinuiteit": True,
            "eerste_gesprek_gezin": "2026-11-10",
        },
        VANDAAG,
    )
    assert s1.termijn == date(2026, 12, 1)  # arrangement within 3 weeks of the first conversation (002 §1.3)
    s2 = WBW.overgang(
        "stap_1",
        "stap_2",
        {"toelichting": "Geen akkoord", "zorgcontinuiteit": True, "arrangement_aangeleverd_op": "2026-11-20"},
        {"stap_1": s1.gegevens},
        VANDAAG,
    )
    assert s2.termijn == plus_werkdagen(date(2026, 11, 20), 10)  # gemeente: 10 werkdagen after aanlevering
    vast = {"stap_1": s1.gegevens, "stap_2": s2.gegevens}
    s3 = WBW.overgang(
        "stap_2",
        "stap_3",
        {"toelichting": "Naar Zi2T", "advies_zi2t": "PIC 3B", "zorgcontinuiteit": True},
        vast,
        VANDAAG,
    )
    vast["stap_3"] = s3.gegevens
    s4 = WBW.overgang(
        "stap_3",
        "stap_4",
        {"toelichting": "Geschil", "subcommissie": "inkoop_jeugdwet_wmo", "zorgcontinuiteit": True},
        vast,
        VANDAAG,
    )
    assert s4.naar.code == "stap_4"
    eind = WBW.overgang("stap_4", "uitspraak", {"uitspraak": "Aanbieder krijgt gelijk"}, vast, VANDAAG)
    assert eind.naar.eind


def test_seed_002_zorgcontinuiteit_moet_bij_elke_stap_vastliggen():
    with pytest.raises(OngeldigeInvoer) as fout:
        WBW.begin({"discussiepunt": "2", "toelichting": "x"}, VANDAAG)
    assert fout.value.veld == "zorgcontinuiteit"


def test_seed_002_oplossen_vraagt_akkoord_van_beide_partijen():
    """'Zowel de jeugdprofessional en de jeugdhulpaanbieder moeten akkoord zijn' (seed 002 stap 1)."""
    with pytest.raises(OngeldigeInvoer):
        WBW.overgang("stap_1", "opgelost", {"akkoord_toegang": True, "bevestigd_per_mail": True}, {}, VANDAAG)
    for nee in ("akkoord_toegang", "akkoord_aanbieder"):
        with pytest.raises(OngeldigeInvoer) as fout:
            WBW.overgang(
                "stap_1",
                "opgelost",
                {"akkoord_toegang": True, "akkoord_aanbieder": True, "bevestigd_per_mail": True} | {nee: False},
                {},
                VANDAAG,
            )
        assert fout.value.veld == nee and "seed 002 §2.3" in fout.value.bericht.lower()
    opgelost = WBW.overgang(
        "stap_1",
        "opgelost",
        {
            "akkoord_toegang": True,
            "akkoord_aanbieder": True,
            "bevestigd_per_mail": True,
            "arrangement_goedgekeurd_op": "2026-11-24",
        },
        {},
        VANDAAG,
    )
    assert opgelost.naar.eind and opgelost.termijn == date(2026, 12, 15)  # start zorg within 3 weeks (002 §1.3)


def test_seed_002_subcommissie_is_een_van_de_twee():
    with pytest.raises(OngeldigeInvoer):
        WBW.overgang(
            "stap_3",
            "stap_4",
            {"toelichting": "x", "subcommissie": "andere", "zorgcontinuiteit": True},
            {
                "stap_1": {"discussiepunt": "1", "toelichting": "x", "zorgcontinuiteit": True},
                "stap_2": {"toelichting": "x", "zorgcontinuiteit": True},
                "stap_3": {"toelichting": "x", "advies_zi2t": "y", "zorgcontinuiteit": True},
            },
            VANDAAG,
        )


def test_derde_route_is_alleen_een_definitiebestand():
    routes = laad_routes(Path(__file__).parent / "routes_test")
    route = routes["regio-test"]
    b = route.begin({"toelichting": "x"}, VANDAAG)
    assert route.overgang("melden", "besloten", {"besluit": "gegrond"}, {"melden": b.gegevens}, VANDAAG).naar.eind
    assert route.resource("besloten") == "route.regio-test.besloten"


def test_kapotte_definitie_wordt_bij_het_laden_geweigerd(tmp_path):
    (tmp_path / "kapot.toml").write_text('naam = "x"\nstart = "a"\n[[toestanden]]\ncode = "b"\n')
    with pytest.raises(ValueError, match="starttoestand"):
        laad_route(tmp_path / "kapot.toml")


def test_werkdagen_slaan_weekend_en_feestdagen_over():
    assert not is_werkdag(date(2026, 12, 25)) and not is_werkdag(date(2026, 12, 26))
    assert not is_werkdag(date(2026, 4, 27))  # Koningsdag
    assert plus_werkdagen(date(2026, 12, 23), 3) == date(2026, 12, 29)
    assert plus_werkdagen(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday + 1 = Monday
    assert werkdagen_tussen(date(2026, 12, 23), date(2026, 12, 29)) == 3


def _definitie(tmp_path: Path, toestand: str) -> Path:
    pad = tmp_path / "r.toml"
    pad.write_text(
        'naam = "r"\nstart = "a"\n[velden]\nok = { soort = "ja_nee" }\nop = { soort = "datum" }\n'
        'tekst = { soort = "tekst" }\n[[toestanden]]\ncode = "a"\n' + toestand
    )
    return pad


def test_vereist_waar_weigert_nee_en_geldt_ook_bij_aanvulling(tmp_path):
    """Het algemene mechanisme achter seed 000 stap 2/3 (herhaling) en seed 002 §2.3 (akkoord van beide partijen)."""
    route = laad_route(_definitie(tmp_path, 'verplicht = ["ok"]\nvereist_waar = { ok = "Omdat de seed het zegt." }\n'))
    assert route.begin({"ok": True}, VANDAAG).gegevens == {"ok": True}
    with pytest.raises(OngeldigeInvoer) as fout:
        route.begin({"ok": False}, VANDAAG)
    assert fout.value.veld == "ok" and fout.value.bericht.endswith("Omdat de seed het zegt.")
    with pytest.raises(OngeldigeInvoer):
        route.aanvulling("a", {"ok": False}, {"a": {"ok": True}})
    assert route.aanvulling("a", {"ok": True}, {"a": {"ok": True}}) == {"ok": True}


@pytest.mark.parametrize(
    ("toestand", "melding"),
    [
        ('verplicht = []\nvereist_waar = { ok = "x" }\n', "vereist_waar"),  # must be verplicht as well
        ('verplicht = ["tekst"]\nvereist_waar = { tekst = "x" }\n', "vereist_waar"),  # must be ja_nee
        ('termijn = { aantal = 3, eenheid = "weken", vanaf = "tekst" }\n', "geen datumveld"),
        ('termijn = { aantal = 3, eenheid = "weken", vanaf = "bestaat_niet" }\n', "geen datumveld"),
    ],
)
def test_definitie_met_ongeldige_vereist_waar_of_vanaf_wordt_geweigerd(tmp_path, toestand, melding):
    with pytest.raises(ValueError, match=melding):
        laad_route(_definitie(tmp_path, toestand))


def test_termijn_loopt_vanaf_vastgelegde_datum_en_zonder_bron_is_ze_regionaal(tmp_path):
    route = laad_route(_definitie(tmp_path, 'termijn = { aantal = 10, eenheid = "werkdagen", vanaf = "op" }\n'))
    termijn = route.toestanden["a"].termijn
    assert termijn is not None and termijn.bron == "regionale standaard" and termijn.regionaal
    assert route.begin({"op": "2026-12-22"}, VANDAAG).termijn == date(2027, 1, 7)  # Christmas and New Year skipped
    assert route.begin({}, VANDAAG).termijn is None  # the clock has not started
    assert route.termijn_na_aanvulling("a", {"a": {"op": "2026-11-02"}}) == plus_werkdagen(date(2026, 11, 2), 10)
    assert ROB.termijn_na_aanvulling("stap_2", {"stap_2": STAP_2}) is None  # no vanaf: entering the step counts
    assert not WBW.toestanden["stap_1"].termijn.regionaal  # type: ignore[union-attr]


def test_met_termijnen_past_alleen_bestaande_termijnen_aan():
    aangepast = met_termijnen(ROUTES, {"rmz-melding.ONTVANGEN": 3})
    rmz = aangepast["rmz-melding"]
    assert rmz.toestanden["ONTVANGEN"].termijn.aantal == 3  # type: ignore[union-attr]
    assert rmz.begin({}, VANDAAG).termijn == plus_werkdagen(VANDAAG, 3)
    assert ROUTES["rmz-melding"].begin({}, VANDAAG).termijn == plus_werkdagen(VANDAAG, 5)  # original untouched
    for fout in ({"rmz-melding.AFGEROND": 3}, {"onbekend.X": 3}, {"rmz-melding.ONTVANGEN": 0}, {"zonder-punt": 1}):
        with pytest.raises(ValueError, match="Termijninstelling"):
            met_termijnen(ROUTES, fout)
