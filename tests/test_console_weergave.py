"""Weergave in de console: tijden in Europe/Amsterdam met de zone erbij, resterende tijd in woorden, BSN gemaskeerd."""

from __future__ import annotations

from api.console.weergave import gemaskeerd_bsn, resterend, tijd


def test_tijd_staat_in_amsterdamse_wintertijd_met_cet():
    assert tijd("2026-12-03T18:05:00") == "3 december 2026 19:05 CET"  # the API's times are UTC


def test_tijd_staat_in_amsterdamse_zomertijd_met_cest():
    assert tijd("2026-07-03T12:05:00+00:00") == "3 juli 2026 14:05 CEST"


def test_tijd_ontbreekt_als_streepje():
    assert tijd(None) == "–"


def test_resterende_tijd_tot_de_ap_deadline_in_woorden():
    assert resterend(52.0) == "nog 2 dagen en 4 uur"
    assert resterend(0.5) == "nog 30 minuten"
    assert resterend(1.25) == "nog 1 uur en 15 minuten"
    assert resterend(-3.0) == "verstreken sinds 3 uur"
    assert resterend(None) == "gemeld"


def test_bsn_toont_alleen_de_laatste_drie_cijfers():
    assert gemaskeerd_bsn("999990007") == "••••••007"
