"""Datalekken (Bijlage 1 art. 4.2, AVG art. 33): de anderen meteen geïnformeerd, de 72 uur bewaakt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from domein.actor import GEMEENTEN
from domein.opslag.tabellen import auditregel, datalek
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, registreer_casus

REGISTREER = """mutation($i: RegistreerDatalekInput!) { registreerDatalek(input: $i) {
  id omschrijving ontdektOp categorieen geregistreerdDoor apDeadline apStatus urenTotApDeadline
  betrokkenGemeenten { code } meldingen { organisatie gemeente { code } gemeldOp }
  objecten { objectType objectId } } }"""
LIJST = """{ datalekken { totalCount edges { node { id geregistreerdDoor apStatus betrokkenGemeenten { code }
  objecten { objectId } } } } }"""
AP = (
    """mutation($i: MeldDatalekBijApInput!) { meldDatalekBijAp(input: $i) { apStatus apGemeldOp urenTotApDeadline } }"""
)


def _invoer(ontdekt: datetime, **kw):
    return {
        "omschrijving": "Een overzicht met casussen is naar een verkeerd e-mailadres gestuurd.",
        "ontdektOp": ontdekt.isoformat(),
        "categorieen": ["IDENTIFICATIE", "ZORGBEHOEFTE"],
    } | kw


async def test_art_4_2_datalek_bereikt_elke_andere_gemeente_en_het_rob(api):
    casus = await registreer_casus(api, NIJMEGEN)
    ontdekt = datetime.now(UTC) - timedelta(hours=2)
    r = await api.als("privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(ontdekt, casusIds=[casus["id"]])})
    assert "errors" not in r, r
    lek = r["data"]["registreerDatalek"]
    assert lek["geregistreerdDoor"] == NIJMEGEN and lek["betrokkenGemeenten"] == [{"code": NIJMEGEN}]
    assert sorted(m["organisatie"] for m in lek["meldingen"]) == sorted(
        [*(g for g in GEMEENTEN if g != NIJMEGEN), "ROB"]
    )
    assert datetime.fromisoformat(lek["apDeadline"]) == ontdekt + timedelta(hours=72)
    assert lek["apStatus"] == "OPEN" and 69 < lek["urenTotApDeadline"] <= 70
    assert len(lek["objecten"]) == 1
    for organisatie in [*GEMEENTEN, None]:
        gezien = await api.als("privacy_officer", organisatie, LIJST)
        knopen = [e["node"] for e in gezien["data"]["datalekken"]["edges"]]
        assert [k["id"] for k in knopen] == [lek["id"]], organisatie
        # Others learn which gemeente is involved, never the casus behind it.
        assert knopen[0]["objecten"] == (
            [{"objectId": lek["objecten"][0]["objectId"]}] if organisatie == NIJMEGEN else []
        )
    async with api.engine.connect() as conn:
        ontvangers = (
            (
                await conn.execute(
                    sa.select(auditregel.c.verantwoordelijke).where(
                        auditregel.c.object_type == "datalek", auditregel.c.operatie == "registreren"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(ontvangers) == sorted([*GEMEENTEN, "ROB"])  # each organisation's own audit log shows it


async def test_72_uur_termijn_verloopt_en_melding_bij_ap_wordt_op_tijd_of_te_laat(api):
    ontdekt = datetime.now(UTC) - timedelta(hours=80)
    lek = (await api.als("privacy_officer", WIJCHEN, REGISTREER, {"i": _invoer(ontdekt)}))["data"]["registreerDatalek"]
    assert lek["apStatus"] == "VERLOPEN" and lek["urenTotApDeadline"] < 0
    assert lek["betrokkenGemeenten"] == [{"code": WIJCHEN}]
    op_tijd = (ontdekt + timedelta(hours=70)).isoformat()
    vreemd = await api.als("privacy_officer", NIJMEGEN, AP, {"i": {"datalekId": lek["id"], "gemeldOp": op_tijd}})
    assert codes(vreemd) == ["NOT_FOUND"]  # only the registering organisation reports to the AP
    r = await api.als(
        "privacy_officer", WIJCHEN, AP, {"i": {"datalekId": lek["id"], "gemeldOp": op_tijd, "kenmerk": "AP-1"}}
    )
    assert (
        r["data"]["meldDatalekBijAp"]["apStatus"] == "OP_TIJD"
        and r["data"]["meldDatalekBijAp"]["urenTotApDeadline"] is None
    )
    nog_eens = await api.als("privacy_officer", WIJCHEN, AP, {"i": {"datalekId": lek["id"], "gemeldOp": op_tijd}})
    assert codes(nog_eens) == ["ONGELDIGE_OVERGANG"]
    laat = (await api.als("privacy_officer", WIJCHEN, REGISTREER, {"i": _invoer(ontdekt)}))["data"]["registreerDatalek"]
    te_laat = await api.als(
        "privacy_officer", WIJCHEN, AP, {"i": {"datalekId": laat["id"], "gemeldOp": datetime.now(UTC).isoformat()}}
    )
    assert te_laat["data"]["meldDatalekBijAp"]["apStatus"] == "TE_LAAT"


async def test_casus_van_andere_gemeente_in_datalek_bestaat_niet_en_niets_wordt_vastgelegd(api):
    vreemd = await registreer_casus(api, WIJCHEN)
    r = await api.als(
        "privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC), casusIds=[vreemd["id"]])}
    )
    assert codes(r) == ["NOT_FOUND"]
    onbekend = await api.als(
        "privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC), casusIds=["Q2FzdXM6bmlldHM"])}
    )
    assert onbekend["errors"][0]["message"] == r["errors"][0]["message"]
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(datalek)) == 0


async def test_datalek_vraagt_privacy_officer_categorie_en_geen_toekomst(api):
    assert codes(await api.als("consulent", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC))})) == ["FORBIDDEN"]
    assert codes(await api.als("beheerder", None, LIJST)) == ["FORBIDDEN"]
    toekomst = await api.als(
        "privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC) + timedelta(days=1))}
    )
    assert codes(toekomst) == ["BAD_USER_INPUT"]
    leeg = await api.als("privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC), categorieen=[])})
    assert codes(leeg) == ["BAD_USER_INPUT"]


async def test_omschrijving_met_een_bsn_wordt_geweigerd_want_alle_gemeenten_lezen_haar(api):
    r = await api.als(
        "privacy_officer",
        NIJMEGEN,
        REGISTREER,
        {"i": _invoer(datetime.now(UTC), omschrijving="Lijst met 999990019 gelekt")},
    )
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "omschrijving"
    ok = await api.als(
        "privacy_officer",
        NIJMEGEN,
        REGISTREER,
        {"i": _invoer(datetime.now(UTC), omschrijving="Kenmerk 123456789 intern")},
    )
    assert "errors" not in ok  # nine digits that fail the elfproef are not a BSN
    gespreid = await api.als(
        "privacy_officer",
        NIJMEGEN,
        REGISTREER,
        {"i": _invoer(datetime.now(UTC), omschrijving="BSN 999 990 019 gelekt")},
    )
    assert codes(gespreid) == ["BAD_USER_INPUT"]


async def test_poging_op_andermans_datalek_of_casus_komt_in_het_log_van_de_eigenaar(api):
    vreemd = await registreer_casus(api, WIJCHEN)
    await api.als("privacy_officer", NIJMEGEN, REGISTREER, {"i": _invoer(datetime.now(UTC), casusIds=[vreemd["id"]])})
    lek = (await api.als("privacy_officer", WIJCHEN, REGISTREER, {"i": _invoer(datetime.now(UTC))}))["data"]
    await api.als("privacy_officer", NIJMEGEN, AP, {"i": {"datalekId": lek["registreerDatalek"]["id"],
                                                          "gemeldOp": datetime.now(UTC).isoformat()}})  # fmt: skip
    async with api.engine.connect() as conn:
        pogingen = (
            await conn.execute(
                sa.select(auditregel.c.object_type, auditregel.c.verantwoordelijke, auditregel.c.organisatie).where(
                    auditregel.c.uitkomst == "niet_gevonden"
                )
            )
        ).all()
    assert sorted(map(tuple, pogingen)) == [("casus", WIJCHEN, NIJMEGEN), ("datalek", WIJCHEN, NIJMEGEN)]
