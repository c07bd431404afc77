"""Inzageverzoek (Bijlage 1 art. 5.1, AVG art. 15) en het auditlog voor de privacy officer.

Rules guarded here: the report holds only that person and only the own organisation's processing;
another gemeente where the person appears is informed without persoonsgegevens, and the requester does
not learn which gemeente that is; the BSN filter of auditLog finds the person through the pseudonym.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from domein.opslag.tabellen import auditregel, privacymelding
from tests.conftest import SLEUTEL, codes
from tests.hulp import CASUSSEN, NIJMEGEN, WIJCHEN, intern_id, nieuw_bsn, registreer_casus

INZAGE = """query($bsn: String!) { inzageverzoek(bsn: $bsn) {
  kenmerk bsn verwerkingen { tijdstip doel operatie organisatie objectType verwerkingsactiviteit } } }"""
MELDINGEN = (
    """{ privacymeldingen { totalCount edges { node { soort vanOrganisatie objecten { objectType objectId } } } } }"""
)
AUDITLOG = """query($f: AuditFilter) { auditLog(first: 100, filter: $f) {
  totalCount edges { node { verantwoordelijke objectType objectId betrokkenen operatie } } } }"""


async def _personen(api):
    """P in Nijmegen en Wijchen, Q alleen in Nijmegen; de consulent van Nijmegen leest beide casussen."""
    p, q = nieuw_bsn(), nieuw_bsn()
    p_nijmegen = await registreer_casus(api, NIJMEGEN, bsn=p, naam="Piet Inzage")
    q_nijmegen = await registreer_casus(api, NIJMEGEN, bsn=q, naam="Quinta Anders")
    p_wijchen = await registreer_casus(api, WIJCHEN, bsn=p, naam="Piet Inzage")
    await api.als("consulent", NIJMEGEN, CASUSSEN)
    return p, q, p_nijmegen, q_nijmegen, p_wijchen


async def test_art_5_1_inzage_geeft_alleen_deze_persoon_en_de_eigen_organisatie(api):
    p, q, p_nijmegen, q_nijmegen, p_wijchen = await _personen(api)
    antwoord = await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": p})
    assert "errors" not in antwoord, antwoord
    rapport = antwoord["data"]["inzageverzoek"]
    assert rapport["bsn"] == p
    soorten = sorted((v["operatie"], v["organisatie"], v["objectType"], v["doel"]) for v in rapport["verwerkingen"])
    # registered (and read back in the mutation's answer), then read in the list
    lezen, registreren = ("lezen", NIJMEGEN, "casus", "uitvoering"), ("registreren", NIJMEGEN, "casus", "uitvoering")
    assert soorten == [lezen, lezen, registreren]
    tekst = json.dumps(antwoord)
    # Q shares the read request with P, yet never appears; nor does Wijchen, nor any object id.
    for vreemd in (
        q,
        "Quinta",
        intern_id(q_nijmegen["id"]),
        intern_id(p_wijchen["id"]),
        intern_id(p_nijmegen["id"]),
        WIJCHEN,
    ):
        assert vreemd not in tekst


async def test_art_5_1_andere_gemeente_wordt_geinformeerd_zonder_persoonsgegevens(api):
    p, _q, _pn, _qn, p_wijchen = await _personen(api)
    await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": p})
    wijchen = await api.als("privacy_officer", WIJCHEN, MELDINGEN)
    meldingen = wijchen["data"]["privacymeldingen"]
    assert meldingen["totalCount"] == 1
    knoop = meldingen["edges"][0]["node"]
    assert knoop == {
        "soort": "INZAGEVERZOEK",
        "vanOrganisatie": NIJMEGEN,
        "objecten": [{"objectType": "casus", "objectId": intern_id(p_wijchen["id"])}],
    }
    nijmegen = await api.als("privacy_officer", NIJMEGEN, MELDINGEN)
    assert nijmegen["data"]["privacymeldingen"]["totalCount"] == 0
    from domein.audit import Pseudonimiseerder

    pseudoniem = Pseudonimiseerder(SLEUTEL).pseudoniem(p)
    async with api.engine.connect() as conn:
        rijen = json.dumps([list(r) for r in (await conn.execute(sa.select(privacymelding))).all()], default=str)
    assert p not in rijen and pseudoniem not in rijen and "Piet" not in rijen


async def test_persoon_zonder_gegevens_elders_geeft_geen_melding(api):
    _p, q, *_ = await _personen(api)
    await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": q})
    for gemeente in (WIJCHEN, "0252"):
        assert (await api.als("privacy_officer", gemeente, MELDINGEN))["data"]["privacymeldingen"]["totalCount"] == 0


async def test_inzage_wordt_zelf_geaudit_met_pseudoniem_nooit_met_bsn(api):
    p, *_ = await _personen(api)
    await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": p})
    async with api.engine.connect() as conn:
        regels = [dict(r) for r in (await conn.execute(sa.select(auditregel))).mappings()]
    inzage = [r for r in regels if r["object_type"] == "inzage"]
    assert len(inzage) == 1 and inzage[0]["doel"] == "verantwoording" and len(inzage[0]["betrokkenen"]) == 1
    assert p not in json.dumps(regels, default=str)


async def test_inzage_is_alleen_voor_de_privacy_officer_en_vraagt_een_geldig_bsn(api):
    p, *_ = await _personen(api)
    for rol, gemeente in (("consulent", NIJMEGEN), ("contractmanager", None), ("beheerder", None)):
        assert codes(await api.als(rol, gemeente, INZAGE, {"bsn": p})) == ["FORBIDDEN"]
    fout = await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": "123456789"})
    assert codes(fout) == ["BAD_USER_INPUT"] and fout["errors"][0]["extensions"]["veld"] == "bsn"


async def test_auditlog_filter_op_bsn_vindt_de_persoon_via_het_pseudoniem(api):
    p, q, p_nijmegen, q_nijmegen, _pw = await _personen(api)
    antwoord = await api.als("privacy_officer", NIJMEGEN, AUDITLOG, {"f": {"bsn": p}})
    log = antwoord["data"]["auditLog"]
    assert log["totalCount"] == 3 == len(log["edges"])
    assert {e["node"]["objectId"] for e in log["edges"]} == {intern_id(p_nijmegen["id"])}
    assert all(e["node"]["verantwoordelijke"] == NIJMEGEN for e in log["edges"])
    gefilterd = await api.als("privacy_officer", NIJMEGEN, AUDITLOG, {"f": {"bsn": q, "operatie": "lezen"}})
    assert {e["node"]["objectId"] for e in gefilterd["data"]["auditLog"]["edges"]} == {intern_id(q_nijmegen["id"])}
    assert gefilterd["data"]["auditLog"]["totalCount"] == 2
    assert codes(await api.als("privacy_officer", NIJMEGEN, AUDITLOG, {"f": {"bsn": "12345"}})) == ["BAD_USER_INPUT"]


async def test_wijchen_ziet_in_het_auditlog_niets_van_nijmegen_ook_niet_met_het_bsn(api):
    p, *_ = await _personen(api)
    antwoord = await api.als("privacy_officer", WIJCHEN, AUDITLOG, {"f": {"bsn": p}})
    log = antwoord["data"]["auditLog"]
    assert log["totalCount"] == 2  # only Wijchen's own registration and its read-back
    assert {e["node"]["verantwoordelijke"] for e in log["edges"]} == {WIJCHEN}


async def test_rob_privacy_officer_ziet_de_verwerking_door_het_rmz(api):
    from tests.hulp_signalen import melding_bij_rmz

    await melding_bij_rmz(api)
    await api.als("rmz_medewerker", None, "{ meldingen { edges { node { id betrokkenen { naam bsn } } } } }")
    bsn = "999990019"  # the client named in the stap 3 melding (tests/hulp_signalen.py)
    rob = (await api.als("privacy_officer", None, INZAGE, {"bsn": bsn}))["data"]["inzageverzoek"]
    assert {v["organisatie"] for v in rob["verwerkingen"]} == {"ROB"}
    assert any(v["operatie"] == "lezen" and v["objectType"] == "melding" for v in rob["verwerkingen"])
    nijmegen = (await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": bsn}))["data"]["inzageverzoek"]
    assert {v["organisatie"] for v in nijmegen["verwerkingen"]} >= {NIJMEGEN}


def _alle_waarden(x: object) -> list[str]:
    """Every string value in a JSON structure, at any depth."""
    if isinstance(x, dict):
        return [w for v in x.values() for w in _alle_waarden(v)]
    if isinstance(x, list):
        return [w for v in x for w in _alle_waarden(v)]
    return [x] if isinstance(x, str) else []


async def test_rob_privacy_officer_leert_niet_welke_gemeente_gegevens_over_een_bsn_heeft(api):
    """Its notices to gemeenten are not 'ROB processing' in its own log: they would name the gemeente."""
    bsn = nieuw_bsn()
    await registreer_casus(api, WIJCHEN, bsn=bsn)
    await api.als("privacy_officer", None, INZAGE, {"bsn": bsn})
    log = await api.als("privacy_officer", None, AUDITLOG, {"f": {"objectType": "privacymelding"}})
    assert log["data"]["auditLog"]["totalCount"] == 0
    export = await api.client.get(
        "/auditlog/export", headers={"Authorization": f"Bearer {api.token('privacy_officer')}"}
    )
    # Compare whole words of values (split on ':', '/', spaces): a hash or uuid may contain the digits 0296 by chance.
    waarden = _alle_waarden([json.loads(r) for r in export.text.splitlines()])
    assert not [w for w in waarden if WIJCHEN in re.split(r"[:/\s]+", w)]
    assert "Wijchen" not in export.text
    wijchen = await api.als("privacy_officer", WIJCHEN, MELDINGEN)
    assert wijchen["data"]["privacymeldingen"]["edges"][0]["node"]["vanOrganisatie"] == "ROB"


async def test_zoeken_in_het_eigen_log_maakt_geen_struikeldraad_voor_inzage_elders(api):
    """A privacy officer who searched a BSN must not be told later that this person asked elsewhere."""
    bsn = nieuw_bsn()
    await registreer_casus(api, WIJCHEN, bsn=bsn)
    await api.als("privacy_officer", NIJMEGEN, AUDITLOG, {"f": {"bsn": bsn}})
    await api.als("privacy_officer", NIJMEGEN, INZAGE, {"bsn": bsn})
    await api.als("privacy_officer", WIJCHEN, INZAGE, {"bsn": bsn})
    nijmegen = await api.als("privacy_officer", NIJMEGEN, MELDINGEN)
    assert nijmegen["data"]["privacymeldingen"]["totalCount"] == 0
