"""Aanvallersreview van het veldplan (issue 11): het plan per operatie in plaats van de bewaking per cel.

Each test names the rule it guards. The plan (api/veldplan.py) decides per ``Type.veld`` before execution;
the per-field guard only runs when the plan denies a field, and reads of persoonsgegevens are audited when
a casus is handed out (api/casussen.py ``Casus.uit``). These tests try to reach a denied field without a
denial, reuse a plan across roles or policy versions, and look for reads that are audited wrongly.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from api.limieten import Limieten
from domein.opslag.tabellen import auditregel
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, casus_invoer, intern_id, registreer_casus
from tests.hulp_signalen import signaal_in_stap_1

IDENTIFICATIE = "persoonsgegevens.identificatie"
ZORGBEHOEFTE = "persoonsgegevens.zorgbehoefte"
WIJZIG = """mutation($i: WijzigBeleidInput!) { wijzigBeleid(input: $i) { id } }"""


async def _lezingen(api: Any, casus_id: str | None = None) -> list[dict[str, Any]]:
    """De auditregels 'lezen' van casussen (of van één casus), oudste eerst."""
    query = sa.select(auditregel).where(auditregel.c.operatie == "lezen", auditregel.c.object_type == "casus")
    if casus_id is not None:
        query = query.where(auditregel.c.object_id == casus_id)
    async with api.engine.connect() as conn:
        rijen = await conn.execute(query.order_by(auditregel.c.volgnummer))
        return [dict(r) for r in rijen.mappings()]


def _heeft_bsn(antwoord: Any) -> bool:
    return '"bsn"' in repr(antwoord).replace("'", '"')


# --- een geweigerd veld blijft geweigerd, hoe het document het ook bereikt


async def test_regel_2_contractmanager_leest_geen_inwoner_via_node_fragment_op_interface(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = """query($id: ID!) { node(id: $id) { ...N } }
    fragment N on Node { id ... on Casus { ...I } }
    fragment I on Casus { wie: inwoner { bsn naam } hulpvraag }"""
    for rol, gemeente in [("contractmanager", None), ("rmz_medewerker", None), ("privacy_officer", NIJMEGEN)]:
        antwoord = await api.als(rol, gemeente, document, {"id": casus["id"]})
        assert "errors" in antwoord and not _heeft_bsn(antwoord), antwoord
        assert not (antwoord.get("data") or {}).get("node"), antwoord


async def test_regel_2_skip_en_include_met_variabelen_omzeilen_de_weigering_niet(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = """query($id: ID!, $a: Boolean!, $b: Boolean!) {
      gemeenten { naam }
      casus(id: $id) @skip(if: $a) { inwoner @include(if: $b) { bsn } } }"""
    antwoord = await api.als("rmz_medewerker", None, document, {"id": casus["id"], "a": False, "b": True})
    assert codes(antwoord) == ["FORBIDDEN"] and not _heeft_bsn(antwoord)
    assert antwoord["data"]["gemeenten"], "de rest van het antwoord blijft"


async def test_regel_2_operationname_kiest_geen_operatie_buiten_het_plan(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = """query Onschuldig { gemeenten { naam } }
    query Gevaarlijk($id: ID!) { casus(id: $id) { inwoner { bsn } } }"""
    antwoord = await api.als("contractmanager", None, document, {"id": casus["id"]}, operationName="Onschuldig")
    assert "errors" not in antwoord
    antwoord = await api.als("contractmanager", None, document, {"id": casus["id"]}, operationName="Gevaarlijk")
    assert "FORBIDDEN" in codes(antwoord) and not _heeft_bsn(antwoord)
    for naam in ["", "gevaarlijk", "Gevaarlijk ", None]:
        antwoord = await api.als("contractmanager", None, document, {"id": casus["id"]}, operationName=naam)
        assert "errors" in antwoord and not _heeft_bsn(antwoord), (naam, antwoord)


async def test_regel_2_een_plan_van_de_consulent_geldt_niet_voor_een_andere_rol(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = "query($id: ID!) { node(id: $id) { ... on Casus { inwoner { bsn } } } }"
    eerst = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]})
    assert eerst["data"]["node"]["inwoner"]["bsn"]
    for rol, gemeente in [("rmz_medewerker", None), ("contractmanager", None), ("beheerder", None)]:
        antwoord = await api.als(rol, gemeente, document, {"id": casus["id"]})
        assert "errors" in antwoord and not _heeft_bsn(antwoord), (rol, antwoord)
    # the same role of another gemeente: the casus does not exist for it (domain scope, not the plan)
    antwoord = await api.als("consulent", WIJCHEN, document, {"id": casus["id"]})
    assert "errors" in antwoord and not _heeft_bsn(antwoord)


async def test_regel_9_na_wijzigbeleid_geldt_het_gecachete_plan_niet_meer(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = "query($id: ID!) { casus(id: $id) { status inwoner { bsn } } }"
    assert (await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]}))["data"]["casus"]["inwoner"]
    regel = {
        "rol": "consulent",
        "resource": IDENTIFICATIE,
        "actie": "lezen",
        "bereik": "eigen_gemeente",
        "doel": "uitvoering",
    }
    weg = await api.als("beheerder", None, WIJZIG, {"i": {"soort": "VERWIJDEREN", "reden": "Test", "regel": regel}})
    assert "errors" not in weg, weg
    voor = len(await _lezingen(api, intern_id(casus["id"])))
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]})
    assert codes(antwoord) == ["FORBIDDEN"] and not _heeft_bsn(antwoord), antwoord
    assert antwoord["data"]["casus"]["status"], "de casus zelf blijft leesbaar"
    assert (await _lezingen(api, intern_id(casus["id"])))[voor:] == [], "niets gelezen, niets als lezing geaudit"


class TestMetIntrospectie:
    """Introspection on (demo and development mode): its fields are outside the plan, the data next to it not."""

    @pytest.fixture
    def limieten(self) -> Limieten:
        return Limieten(introspectie=True)

    async def test_regel_2_introspectie_naast_data_omzeilt_het_plan_niet(self, api):
        await _introspectie_naast_data(api)


async def _introspectie_naast_data(api: Any) -> None:
    casus = await registreer_casus(api, NIJMEGEN)
    document = """query($id: ID!) { __typename __type(name: "Inwoner") { name }
      casus(id: $id) { __typename inwoner { __typename bsn } } }"""
    antwoord = await api.als("rmz_medewerker", None, document, {"id": casus["id"]})
    assert "FORBIDDEN" in codes(antwoord) and not _heeft_bsn(antwoord)
    voor = len(await _lezingen(api, intern_id(casus["id"])))
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]})
    assert antwoord["data"]["casus"]["inwoner"]["bsn"]
    nieuw = (await _lezingen(api, intern_id(casus["id"])))[voor:]
    assert [r["categorieen"] for r in nieuw] == [[IDENTIFICATIE]]


# --- elke lezing van persoonsgegevens geaudit, met doel en verantwoordelijke


async def test_regel_7_casus_via_signaal_wordt_geaudit_met_doel_en_verantwoordelijke(api):
    casus = await registreer_casus(api, NIJMEGEN)
    await signaal_in_stap_1(api, casusId=casus["id"])
    voor = len(await _lezingen(api, intern_id(casus["id"])))
    document = "{ signalen { edges { node { casus { inwoner { naam } hulpvraag } } } } }"
    antwoord = await api.als("kwaliteitsmedewerker", NIJMEGEN, document)
    assert antwoord["data"]["signalen"]["edges"][0]["node"]["casus"]["inwoner"]["naam"], antwoord
    nieuw = (await _lezingen(api, intern_id(casus["id"])))[voor:]
    assert len(nieuw) == 1
    assert sorted(nieuw[0]["categorieen"]) == [IDENTIFICATIE, ZORGBEHOEFTE]
    assert nieuw[0]["doel"] == "uitvoering" and nieuw[0]["verantwoordelijke"] == NIJMEGEN
    assert nieuw[0]["rol"] == "kwaliteitsmedewerker"


async def test_regel_7_registreer_en_sluit_casus_met_inwoner_in_het_antwoord_worden_als_lezing_geaudit(api):
    mutatie = """mutation($input: RegistreerCasusInput!) { registreerCasus(input: $input) { id inwoner { bsn } } }"""
    antwoord = await api.als("consulent", NIJMEGEN, mutatie, {"input": casus_invoer()})
    casus_id = intern_id(antwoord["data"]["registreerCasus"]["id"])
    assert [r["categorieen"] for r in await _lezingen(api, casus_id)] == [[IDENTIFICATIE]]
    sluit = """mutation($i: SluitCasusInput!) { sluitCasus(input: $i) { status hulpvraag } }"""
    antwoord = await api.als(
        "consulent",
        NIJMEGEN,
        sluit,
        {"i": {"casusId": antwoord["data"]["registreerCasus"]["id"], "reden": "DOEL_BEREIKT"}},
    )
    assert "errors" not in antwoord, antwoord
    assert [r["categorieen"] for r in await _lezingen(api, casus_id)][1:] == [[ZORGBEHOEFTE]]


async def test_regel_7_geweigerd_veld_naast_persoonsgegevens_de_lezing_blijft_geaudit(api):
    casus = await registreer_casus(api, NIJMEGEN)
    signaal = await signaal_in_stap_1(api)
    # the backoffice reads casussen but no signalen: Signaal.id is denied, so the per-field guard runs
    document = """query($id: ID!, $s: ID!) { node(id: $s) { ... on Signaal { id } }
      casus(id: $id) { inwoner { bsn } } }"""
    voor = len(await _lezingen(api, intern_id(casus["id"])))
    antwoord = await api.als("backoffice", NIJMEGEN, document, {"id": casus["id"], "s": signaal["id"]})
    assert "errors" in antwoord and antwoord["data"]["casus"]["inwoner"]["bsn"], antwoord
    assert [r["categorieen"] for r in (await _lezingen(api, intern_id(casus["id"])))[voor:]] == [[IDENTIFICATIE]]


# --- geen lezing geaudit die niet gebeurde (toegang.md regel 7: welke categorieën; inzage, datalekken)


async def test_regel_7_casus_waarvan_alleen_het_id_getoond_wordt_telt_niet_als_lezing_van_een_inwoner(api):
    """A read of one casus' inwoner must not be recorded as a read of every casus listed next to it."""
    gezien = await registreer_casus(api, NIJMEGEN)
    alleen_id = [await registreer_casus(api, NIJMEGEN) for _ in range(3)]
    document = """query($id: ID!) { casussen(first: 10) { edges { node { id } } }
      casus(id: $id) { inwoner { bsn } } }"""
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": gezien["id"]})
    assert antwoord["data"]["casus"]["inwoner"]["bsn"]
    assert len(antwoord["data"]["casussen"]["edges"]) == 4
    for casus in alleen_id:
        lezingen = await _lezingen(api, intern_id(casus["id"]))
        assert [r["categorieen"] for r in lezingen] == [[IDENTIFICATIE]], "alleen de registratie, niet de lijst"


async def test_regel_7_overgeslagen_inwoner_met_include_false_wordt_niet_als_gelezen_geaudit(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = "query($id: ID!, $toon: Boolean!) { casus(id: $id) { status inwoner @include(if: $toon) { bsn } } }"
    voor = len(await _lezingen(api, intern_id(casus["id"])))
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"], "toon": False})
    assert antwoord["data"]["casus"] == {"status": "OPEN"} or "inwoner" not in antwoord["data"]["casus"]
    assert (await _lezingen(api, intern_id(casus["id"])))[voor:] == [], "geen persoonsgegevens getoond"


async def test_regel_7_fragment_van_een_andere_operatie_telt_niet_als_lezing(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = """query Status($id: ID!) { casus(id: $id) { status } }
    query Naam($id: ID!) { casus(id: $id) { ...P } }
    fragment P on Casus { inwoner { naam } }"""
    voor = len(await _lezingen(api, intern_id(casus["id"])))
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]}, operationName="Status")
    assert antwoord["data"]["casus"]["status"]
    assert (await _lezingen(api, intern_id(casus["id"])))[voor:] == [], "geen persoonsgegevens getoond"


async def test_regel_7_elk_persoonsgegevensveld_van_een_casus_wordt_bij_lezen_geaudit(api, beslisser):
    """Every field of Casus or Inwoner mapped to persoonsgegevens records its category when it is read alone."""
    velden = {v: r for v, r in beslisser.velden().items() if r.startswith("persoonsgegevens.")}
    assert velden
    for veld, resource in sorted(velden.items()):
        typenaam, naam = veld.split(".")
        selectie = {"Casus.inwoner": "inwoner { __typename }"}.get(
            veld, naam if typenaam == "Casus" else f"inwoner {{ {naam} }}"
        )
        casus = await registreer_casus(api, NIJMEGEN)
        voor = len(await _lezingen(api, intern_id(casus["id"])))
        antwoord = await api.als("consulent", NIJMEGEN, f'{{ casus(id: "{casus["id"]}") {{ {selectie} }} }}')
        assert "errors" not in antwoord, (veld, antwoord)
        nieuw = (await _lezingen(api, intern_id(casus["id"])))[voor:]
        assert [r["categorieen"] for r in nieuw] == [[resource]], veld
        assert nieuw[0]["doel"] == "uitvoering", veld


async def test_regel_1_node_met_alleen_typename_onthult_geen_bestaan_aan_wie_het_niet_mag_zien(api):
    """``__typename`` is outside the plan (and was outside the per-field guard): the domain must still refuse."""
    casus = await registreer_casus(api, NIJMEGEN)
    signaal = await signaal_in_stap_1(api)
    document = "query($id: ID!) { node(id: $id) { __typename } }"
    gevallen = [
        (casus["id"], "rmz_medewerker", None),
        (casus["id"], "contractmanager", None),
        (casus["id"], "beheerder", None),
        (casus["id"], "privacy_officer", NIJMEGEN),
        (casus["id"], "consulent", WIJCHEN),
        (signaal["id"], "backoffice", NIJMEGEN),
        (signaal["id"], "contractmanager", None),
        (signaal["id"], "consulent", WIJCHEN),
    ]
    for id_, rol, gemeente in gevallen:
        antwoord = await api.als(rol, gemeente, document, {"id": id_})
        assert not (antwoord.get("data") or {}).get("node"), (rol, gemeente, antwoord)


# --- geen pre-ping meer: de andere ingangen na een herstart van PostgreSQL


async def test_auditlog_export_en_health_na_verbroken_verbindingen_antwoorden_gewoon(api):
    """The GraphQL route retries once on a connection the server closed; the export and /health must not fail."""
    if api.engine.dialect.name != "postgresql":
        pytest.skip("het verbreken van verbindingen door de server speelt op PostgreSQL")
    from tests.test_verbinding_herstel import _verbreek_alle_verbindingen

    await registreer_casus(api, NIJMEGEN)
    kop = {"Authorization": f"Bearer {api.token('privacy_officer', NIJMEGEN)}"}
    assert (await api.client.get("/auditlog/export", headers=kop)).status_code == 200
    assert (await api.client.get("/health")).status_code == 200
    assert await _verbreek_alle_verbindingen(api) >= 1
    export = await api.client.get("/auditlog/export", headers=kop)
    assert export.status_code == 200, export.text
    assert await _verbreek_alle_verbindingen(api) >= 0
    assert (await api.client.get("/health")).status_code == 200
    # /ready must not send the operator to 'regiekamer migrate' because a pooled connection was closed
    assert (await api.client.get("/ready")).status_code == 200
    assert await _verbreek_alle_verbindingen(api) >= 1
    gereed = await api.client.get("/ready")
    assert gereed.status_code == 200, gereed.text
