"""Rekenwerk van de statistiek: percentielen in werkdagen, 'binnen termijn', periodes van hele maanden."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from domein.fouten import OngeldigeInvoer
from domein.inzicht import _meting, percentiel, periode, sluitdag


def test_percentielen_zoals_percentile_cont_van_postgresql() -> None:
    verdeling = Counter({0: 1, 1: 1, 2: 1, 3: 1, 10: 1})
    assert percentiel(verdeling, 0.5) == 2
    assert percentiel(verdeling, 0.9) == 7.2  # 3 + 0.6 × (10 − 3)
    assert percentiel(Counter({4: 3}), 0.9) == 4
    assert percentiel(Counter({1: 1, 2: 1}), 0.5) == 1.5
    assert percentiel(Counter(), 0.5) is None


def test_binnen_termijn_telt_alleen_wat_beslist_is() -> None:
    gesloten = date(2026, 6, 15)
    termijn = date(2026, 6, 10)
    op_tijd = _meting(termijn, date(2026, 6, 10), date(2026, 6, 12), 3, gesloten)
    assert (op_tijd.beslist, op_tijd.binnen_termijn, dict(op_tijd.doorlooptijden)) == (1, 1, {3: 1})
    te_laat = _meting(termijn, date(2026, 6, 11), None, None, gesloten)
    assert (te_laat.beslist, te_laat.binnen_termijn) == (1, 0)
    verlopen_zonder_actie = _meting(termijn, None, None, None, gesloten)
    assert (verlopen_zonder_actie.beslist, verlopen_zonder_actie.binnen_termijn) == (1, 0)
    nog_open = _meting(date(2026, 6, 20), None, None, None, gesloten)
    assert nog_open.beslist == 0, "the termijn has not passed and nothing happened yet: undecided"
    zonder_termijn = _meting(None, date(2026, 6, 1), date(2026, 6, 3), 2, gesloten)
    assert zonder_termijn.beslist == 0


def test_een_afgesloten_maand_telt_alleen_wat_bij_het_sluiten_bekend_was() -> None:
    """What happens after the closing day (a stap left, a first action) never changes the month's figures."""
    assert sluitdag("2026-05") == date(2026, 6, 1) and sluitdag("2026-12") == date(2027, 1, 1)
    gesloten = sluitdag("2026-05")
    later_afgerond = _meting(None, date(2026, 5, 20), date(2026, 6, 3), 10, gesloten)
    assert dict(later_afgerond.doorlooptijden) == {}, "left stap after the month closed: no doorlooptijd"
    later_actie = _meting(date(2026, 6, 5), date(2026, 6, 2), None, None, gesloten)
    assert later_actie.beslist == 0, "termijn open and no action when the month closed: undecided, and stays so"
    verlopen = _meting(date(2026, 5, 29), date(2026, 6, 2), None, None, gesloten)
    assert (verlopen.beslist, verlopen.binnen_termijn) == (1, 0), "termijn passed before closing, action after"


def test_standaardperiode_is_de_laatste_twaalf_afgesloten_maanden() -> None:
    assert periode(None, None, date(2026, 11, 25)) == (date(2025, 11, 1), date(2026, 10, 31))
    assert periode(None, None, date(2026, 1, 3)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert periode(date(2026, 2, 1), date(2026, 2, 28), date(2026, 11, 25)) == (date(2026, 2, 1), date(2026, 2, 28))


@pytest.mark.parametrize(
    "van,tot,veld",
    [
        (date(2026, 2, 2), None, "van"),
        (None, date(2026, 2, 27), "tot"),
        (None, date(2026, 11, 30), "tot"),
        (date(2026, 3, 1), date(2026, 2, 28), "van"),
        (date(2010, 1, 1), date(2026, 10, 31), "van"),
    ],
)
def test_periodes_buiten_hele_afgesloten_maanden_worden_geweigerd(van: date, tot: date, veld: str) -> None:
    with pytest.raises(OngeldigeInvoer) as fout:
        periode(van, tot, date(2026, 11, 25))
    assert fout.value.veld == veld
