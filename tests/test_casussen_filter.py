"""Filters en volgorde op casussen (issue 12): binnen het bereik, met dezelfde besluiten als de velden zelf.

Attacks as an outsider would try them: another gemeente's rows in counts or order, a cursor of another
order or a tampered one, and a role without the right to read urgentie that filters, orders or counts on it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import sqlalchemy as sa
from graphql import GraphQLEnumType, GraphQLInputObjectType

from api.schema import maak_schema
from beleid.beslisser import CasbinBeslisser
from domein import casussen
from domein.opslag.tabellen import auditregel
from tests.conftest import codes
from tests.hulp import NIJMEGEN, REGISTREER_CASUS, WIJCHEN, casus_invoer, intern_id
from tests.test_beleidsbeheer import WIJZIG, _wijziging

LIJST = """
query($first: Int, $after: String, $filter: CasusFilter, $volgorde: CasusVolgorde) {
  casussen(first: $first, after: $after, filter: $filter, volgorde: $volgorde) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id status aangemaaktOp } }
  }
}
"""
ZORGBEHOEFTE = "persoonsgegevens.zorgbehoefte"
CONSULENT_ZORGBEHOEFTE = ("consulent", ZORGBEHOEFTE, "lezen", "eigen_gemeente", "uitvoering")


async def _casus(api: Any, gemeente: str, urgentie: str = "REGULIER") -> dict[str, Any]:
    invoer = {**casus_invoer(), "urgentie": urgentie}
    antwoord = await api.als("consulent", gemeente, REGISTREER_CASUS, {"input": invoer})
    assert "errors" not in antwoord, antwoord
    return dict(antwoord["data"]["registreerCasus"])


async def _lijst(api: Any, gemeente: str = NIJMEGEN, rol: str = "consulent", **variabelen: Any) -> dict[str, Any]:
    return await api.als(rol, gemeente, LIJST, variabelen)


def _data(antwoord: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in antwoord, antwoord
    return dict(antwoord["data"]["casussen"])


def _ids(verbinding: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in verbinding["edges"]]


async def _alles(api: Any, **variabelen: Any) -> list[str]:
    """Bladert de hele lijst door, één per pagina, en controleert onderweg het totaal."""
    gezien: list[str] = []
    after = None
    totaal = None
    while True:
        verbinding = _data(await _lijst(api, first=1, after=after, **variabelen))
        totaal = verbinding["totalCount"] if totaal is None else totaal
        assert verbinding["totalCount"] == totaal
        gezien += _ids(verbinding)
        if not verbinding["pageInfo"]["hasNextPage"]:
            break
        after = verbinding["pageInfo"]["endCursor"]
    assert len(gezien) == len(set(gezien)) == totaal
    return gezien


async def test_filter_op_status_en_urgentie_geeft_alleen_passende_casussen_en_hun_aantal(api):
    regulier = await _casus(api, NIJMEGEN, "REGULIER")
    crisis = await _casus(api, NIJMEGEN, "CRISIS")
    spoed = await _casus(api, NIJMEGEN, "SPOED")
    await api.als("consulent", NIJMEGEN, "mutation($i: SluitCasusInput!) { sluitCasus(input: $i) { id } }",
                  {"i": {"casusId": regulier["id"]}})  # fmt: skip
    open_ = _data(await _lijst(api, filter={"status": ["GEREGISTREERD"]}))
    assert _ids(open_) == [crisis["id"], spoed["id"]] and open_["totalCount"] == 2
    urgent = _data(await _lijst(api, filter={"urgentie": ["CRISIS", "SPOED"]}))
    assert set(_ids(urgent)) == {crisis["id"], spoed["id"]} and urgent["totalCount"] == 2
    samen = _data(await _lijst(api, filter={"status": ["GESLOTEN"], "urgentie": ["REGULIER"]}))
    assert _ids(samen) == [regulier["id"]] and samen["totalCount"] == 1
    niets = _data(await _lijst(api, filter={"status": ["GESLOTEN"], "urgentie": ["CRISIS"]}))
    assert niets["edges"] == [] and niets["totalCount"] == 0


async def test_periodefilter_vanaf_telt_mee_tot_niet(api):
    casussen_ = [await _casus(api, NIJMEGEN) for _ in range(3)]
    tijden = {e["node"]["id"]: e["node"]["aangemaaktOp"] for e in _data(await _lijst(api))["edges"]}
    tweede = tijden[casussen_[1]["id"]]
    vanaf = _data(await _lijst(api, filter={"aangemaaktVanaf": tweede}))
    assert _ids(vanaf) == [c["id"] for c in casussen_[1:]] and vanaf["totalCount"] == 2
    tot = _data(await _lijst(api, filter={"aangemaaktTot": tweede}))
    assert _ids(tot) == [casussen_[0]["id"]] and tot["totalCount"] == 1
    venster = _data(await _lijst(api, filter={"aangemaaktVanaf": tweede, "aangemaaktTot": tijden[casussen_[2]["id"]]}))
    assert _ids(venster) == [casussen_[1]["id"]]


async def test_ongeldig_filter_geeft_een_nederlandse_melding_met_het_veld(api):
    await _casus(api, NIJMEGEN)
    gevallen = [
        ({"filter": {"aangemaaktVanaf": "2026-05-01T00:00:00Z", "aangemaaktTot": "2026-04-01T00:00:00Z"}}, "vóór"),
        ({"filter": {"status": []}}, "minstens één status"),
        ({"filter": {"urgentie": []}}, "minstens één urgentie"),
    ]
    for variabelen, tekst in gevallen:
        antwoord = await _lijst(api, **variabelen)
        assert codes(antwoord) == ["BAD_USER_INPUT"], variabelen
        assert tekst in antwoord["errors"][0]["message"] and antwoord["errors"][0]["extensions"].get("veld")
    for variabelen in (
        {"filter": {"status": ["BESTAAT_NIET"]}},
        {"filter": {"aangemaaktVanaf": "gisteren"}},
        {"volgorde": {"veld": "NAAM"}},
    ):
        assert codes(await _lijst(api, **variabelen)) == ["BAD_USER_INPUT"], variabelen


async def test_volgorde_op_urgentie_aflopend_zet_crisis_voorop_en_bladert_zonder_dubbelen(api):
    r1, c1, s1, c2, r2 = [await _casus(api, NIJMEGEN, u) for u in ("REGULIER", "CRISIS", "SPOED", "CRISIS", "REGULIER")]
    volgorde = {"veld": "URGENTIE", "richting": "AFLOPEND"}
    # One direction for the whole key: within the same urgentie the newest first.
    assert await _alles(api, volgorde=volgorde) == [c2["id"], c1["id"], s1["id"], r2["id"], r1["id"]]
    oplopend = await _alles(api, volgorde={"veld": "URGENTIE", "richting": "OPLOPEND"})
    assert oplopend == [r1["id"], r2["id"], s1["id"], c1["id"], c2["id"]]


async def test_volgorde_op_aanmaakmoment_aflopend_geeft_de_nieuwste_eerst(api):
    ids = [(await _casus(api, NIJMEGEN))["id"] for _ in range(4)]
    assert await _alles(api) == ids
    assert await _alles(api, volgorde={"veld": "AANGEMAAKT_OP", "richting": "AFLOPEND"}) == ids[::-1]


async def test_cursor_van_de_ene_volgorde_wordt_in_een_andere_geweigerd(api):
    for u in ("REGULIER", "CRISIS", "SPOED"):
        await _casus(api, NIJMEGEN, u)
    volgorden = [
        None,
        {"veld": "AANGEMAAKT_OP", "richting": "AFLOPEND"},
        {"veld": "URGENTIE", "richting": "OPLOPEND"},
        {"veld": "URGENTIE", "richting": "AFLOPEND"},
    ]
    cursors = [_data(await _lijst(api, first=1, volgorde=v))["pageInfo"]["endCursor"] for v in volgorden]
    for i, cursor in enumerate(cursors):
        for j, volgorde in enumerate(volgorden):
            antwoord = await _lijst(api, first=1, after=cursor, volgorde=volgorde)
            if i == j:
                assert "errors" not in antwoord, antwoord
            else:
                assert codes(antwoord) == ["BAD_USER_INPUT"], (i, j)
                assert "andere volgorde" in antwoord["errors"][0]["message"]


def _cursor(*waarden: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(waarden)).encode()).decode().rstrip("=")


async def test_vervalste_cursor_is_ongeldige_invoer_of_blijft_binnen_de_eigen_gemeente(api):
    await _casus(api, NIJMEGEN, "SPOED")
    for _ in range(2):
        await _casus(api, WIJCHEN, "CRISIS")
    urgentie = {"veld": "URGENTIE", "richting": "AFLOPEND"}
    for kapot in (
        "!!geen-cursor",
        _cursor("urgentie.aflopend", 10**12, "2026-01-01T00:00:00", "x"),
        _cursor("urgentie.aflopend", "2", "2026-01-01T00:00:00", "x"),
        _cursor("urgentie.aflopend", 2, "9999-01-01T00:00:00", "x"),
        _cursor("urgentie.aflopend", 2, "2026-01-01T00:00:00", "a\x00b"),
        _cursor("urgentie.aflopend", 2, "2026-01-01T00:00:00"),
    ):
        assert codes(await _lijst(api, after=kapot, volgorde=urgentie)) == ["BAD_USER_INPUT"], kapot
    # A well-formed cursor from 'above crisis': the window moves, but only over Nijmegen's own rows.
    boven = _data(
        await _lijst(api, after=_cursor("urgentie.aflopend", 99, "2100-01-01T00:00:00", ""), volgorde=urgentie)
    )
    assert len(boven["edges"]) == 1 and boven["totalCount"] == 1


async def test_andere_gemeente_telt_nooit_mee_in_filter_volgorde_of_totaal(api):
    eigen = await _casus(api, NIJMEGEN, "REGULIER")
    for _ in range(3):
        await _casus(api, WIJCHEN, "CRISIS")
    for variabelen in (
        {"filter": {"urgentie": ["CRISIS"]}},
        {"filter": {"status": ["GEREGISTREERD"]}, "volgorde": {"veld": "URGENTIE", "richting": "AFLOPEND"}},
        {"volgorde": {"veld": "AANGEMAAKT_OP", "richting": "AFLOPEND"}},
    ):
        verbinding = _data(await _lijst(api, **variabelen))
        assert set(_ids(verbinding)) <= {eigen["id"]} and verbinding["totalCount"] == len(verbinding["edges"])
    crisis = _data(await _lijst(api, filter={"urgentie": ["CRISIS"]}))
    assert crisis["totalCount"] == 0 and not crisis["pageInfo"]["hasNextPage"]


async def test_rol_zonder_urgentie_kan_die_niet_afleiden_uit_filter_volgorde_of_totaal(api):
    """Een filter of volgorde op urgentie leest urgentie: zonder dat recht geweigerd, hoe de casussen ook liggen."""
    for u in ("CRISIS", "REGULIER", "REGULIER"):
        await _casus(api, NIJMEGEN, u)
    weg = await api.als("beheerder", None, WIJZIG, _wijziging("VERWIJDEREN", *CONSULENT_ZORGBEHOEFTE))
    assert "errors" not in weg, weg
    # Without urgentie the list itself still works.
    assert _data(await _lijst(api))["totalCount"] == 3
    antwoorden = []
    for variabelen in (
        {"filter": {"urgentie": ["CRISIS"]}},
        {"filter": {"urgentie": ["REGULIER"]}},
        {"filter": {"urgentie": ["SPOED"]}},
        {"volgorde": {"veld": "URGENTIE", "richting": "AFLOPEND"}},
        {"volgorde": {"veld": "URGENTIE", "richting": "OPLOPEND"}},
    ):
        antwoord = await _lijst(api, **variabelen)
        assert codes(antwoord) == ["FORBIDDEN"] and antwoord["data"] is None, variabelen
        antwoorden.append(json.dumps(antwoord["errors"][0]["message"]))
    assert len(set(antwoorden)) == 1, "elke weigering luidt hetzelfde: het antwoord verraadt geen aantallen"
    alleen_totaal = await api.als("consulent", NIJMEGEN, "{ casussen(filter: {urgentie: [CRISIS]}) { totalCount } }")
    assert codes(alleen_totaal) == ["FORBIDDEN"] and "totalCount" not in json.dumps(alleen_totaal["data"])
    async with api.engine.connect() as conn:
        geweigerd = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(auditregel)
            .where(auditregel.c.uitkomst == "geweigerd", auditregel.c.object_type == ZORGBEHOEFTE)
        )
    assert geweigerd >= 6, "elke geweigerde poging staat in het auditlog"
    terug = await api.als("beheerder", None, WIJZIG, _wijziging("TOEVOEGEN", *CONSULENT_ZORGBEHOEFTE))
    assert "errors" not in terug
    assert _data(await _lijst(api, filter={"urgentie": ["CRISIS"]}))["totalCount"] == 1


async def test_filter_op_urgentie_legt_de_lezing_van_de_zorgbehoefte_vast_per_getoonde_casus(api):
    crisis = await _casus(api, NIJMEGEN, "CRISIS")
    await _casus(api, NIJMEGEN, "REGULIER")
    _data(await _lijst(api, filter={"urgentie": ["CRISIS"]}))
    async with api.engine.connect() as conn:
        rijen = (
            await conn.execute(
                sa.select(auditregel.c.object_id, auditregel.c.categorieen, auditregel.c.doel).where(
                    auditregel.c.operatie == "lezen", auditregel.c.uitkomst == "geslaagd"
                )
            )
        ).all()
    gelezen = [r for r in rijen if ZORGBEHOEFTE in (r.categorieen or [])]
    assert [r.object_id for r in gelezen] == [intern_id(crisis["id"])], "alleen de getoonde casus, één keer"
    assert gelezen[0].doel == "uitvoering"


def test_filter_en_volgorde_vragen_hetzelfde_besluit_als_het_veld_dat_ze_lezen():
    """beleid/velden.csv: Casus.status, Casus.urgentie en Casus.aangemaaktOp; een nieuw filterveld zonder
    besluit laat deze test falen."""
    velden = CasbinBeslisser().velden()
    veld_van = {"status": "Casus.status", "urgentie": "Casus.urgentie", "aangemaakt": "Casus.aangemaaktOp"}
    assert set(casussen.LEEST) == set(veld_van)
    for sleutel, veld in veld_van.items():
        assert casussen.LEEST[sleutel] == velden[veld], sleutel
    schema = maak_schema()._schema
    filter_ = schema.type_map["CasusFilter"]
    assert isinstance(filter_, GraphQLInputObjectType)
    naar_sleutel = {
        "status": "status",
        "urgentie": "urgentie",
        "aangemaaktVanaf": "aangemaakt",
        "aangemaaktTot": "aangemaakt",
    }
    assert set(filter_.fields) == set(naar_sleutel), "elk filterveld heeft een besluit"
    sorteerveld = schema.type_map["CasusSorteerveld"]
    assert isinstance(sorteerveld, GraphQLEnumType)
    assert {v.lower().removesuffix("_op") for v in sorteerveld.values} <= set(casussen.LEEST)
    argumenten = set(schema.query_type.fields["casussen"].args)  # type: ignore[union-attr]
    assert argumenten == {"first", "after", "last", "before", "filter", "volgorde"}


GEFILTERD_GENEST = """
query($first: Int, $filter: CasusFilter, $volgorde: CasusVolgorde) {
  casussen(first: $first, filter: $filter, volgorde: $volgorde) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id status urgentie gemeente { code naam } inwoner { bsn naam } hulpvraag } } } }
"""


async def _statements(api: Any, first: int, **variabelen: Any) -> int:
    api.sql.reset()
    antwoord = await api.als("consulent", NIJMEGEN, GEFILTERD_GENEST, {"first": first, **variabelen})
    assert "errors" not in antwoord, antwoord
    assert len(antwoord["data"]["casussen"]["edges"]) == min(first, 12)
    return int(api.sql.aantal)


async def test_gefilterde_en_geordende_lijst_draait_een_vast_aantal_statements(api):
    for i in range(12):
        await _casus(api, NIJMEGEN, ("CRISIS", "SPOED")[i % 2])
        await _casus(api, WIJCHEN, "CRISIS")
    zonder = await _statements(api, 50)
    filter_ = {"status": ["GEREGISTREERD"], "urgentie": ["CRISIS", "SPOED"], "aangemaaktVanaf": "2000-01-01T00:00:00Z"}
    volgorde = {"veld": "URGENTIE", "richting": "AFLOPEND"}
    klein = await _statements(api, 2, filter=filter_, volgorde=volgorde)
    groot = await _statements(api, 50, filter=filter_, volgorde=volgorde)
    assert klein == groot, "geen statement per rij"
    # hasPreviousPage without 'after' asks nothing; filter and order are conditions of the same two queries.
    assert groot == zonder, api.sql.statements
