"""Invoervalidatie in het domein: BSN met elfproef, KvK en AGB met 8 cijfers."""

from __future__ import annotations

import pytest

from domein.actor import Actor, OngeldigeActor
from domein.demo import fictieve_bsns
from domein.fouten import OngeldigeInvoer
from domein.waarden import controleer_agb, controleer_bsn, controleer_kvk


@pytest.mark.parametrize("bsn", ["999990019", "999990020", "111222333"])
def test_bsn_dat_de_elfproef_doorstaat_wordt_aanvaard(bsn):
    assert controleer_bsn(bsn) == bsn


@pytest.mark.parametrize("bsn", ["999990018", "12345678", "1234567890", "abcdefghi", "000000000", ""])
def test_bsn_dat_de_elfproef_niet_doorstaat_wordt_geweigerd(bsn):
    with pytest.raises(OngeldigeInvoer) as fout:
        controleer_bsn(bsn)
    assert fout.value.veld == "bsn"


def test_demobsns_komen_uit_de_testreeks_en_doorstaan_de_elfproef():
    bsns = [b for _, b in zip(range(20), fictieve_bsns(), strict=False)]
    assert all(b.startswith("99999") for b in bsns) and len(set(bsns)) == 20


@pytest.mark.parametrize("functie", [controleer_kvk, controleer_agb])
def test_kvk_en_agb_hebben_precies_acht_cijfers(functie):
    assert functie("90000001") == "90000001"
    for fout in ("9000001", "900000011", "9000000a"):
        with pytest.raises(OngeldigeInvoer):
            functie(fout)


def test_gemeentegebonden_rol_zonder_gemeente_wordt_geweigerd():
    with pytest.raises(OngeldigeActor):
        Actor.uit_claims("x", "consulent", None)
    with pytest.raises(OngeldigeActor):
        Actor.uit_claims("x", "consulent", "9999")
    with pytest.raises(OngeldigeActor):
        Actor.uit_claims("x", "contractmanager", "0268")
    assert Actor.uit_claims("x", "privacy_officer", None).organisatie == "ROB"
    assert Actor.uit_claims("x", "privacy_officer", "0296").organisatie == "0296"
