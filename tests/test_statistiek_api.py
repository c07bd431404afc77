"""Signaalstatistiek door de API: bereik per rol, onderdrukking, aanvallen door een analist, audit (toegang.md regel 5).

History is made by registering signalen through the API with the clock set to an earlier, completed
month (only completed months are published).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from domein.maandtabellen import Dimensie
from domein.opslag.tabellen import auditregel
from domein.verzoek import Verzoek
from domein.werkdagen import werkdagen_tussen
from tests.aanval import Gepubliceerd, teruggevonden
from tests.conftest import codes
from tests.hulp_signalen import aanbieder, signaal_in_stap_1

NIJMEGEN, WIJCHEN, BEUNINGEN = "0268", "0296", "0209"
K = 5
STATISTIEK = """query($g: [Dimensie!]!, $van: Date, $tot: Date) {
  signaalStatistiek(groepeerOp: $g, van: $van, tot: $tot) {
    aanbieder { id } gemeente { code } stap categorie maand aantal onderdrukt
    doorlooptijdMediaan doorlooptijdP90 binnenTermijn } }"""


def vorige_maanden() -> tuple[date, date]:
    """The first day of the month before last, and of last month: both completed."""
    deze = datetime.now(UTC).date().replace(day=1)
    vorige = (deze - timedelta(days=1)).replace(day=1)
    return (vorige - timedelta(days=1)).replace(day=1), vorige


def einde(maand: date) -> date:
    return (maand.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def klok(monkeypatch: pytest.MonkeyPatch, dag: date) -> None:
    moment = datetime(dag.year, dag.month, dag.day, 10, tzinfo=UTC)
    monkeypatch.setattr(Verzoek, "nu", staticmethod(lambda: moment))


@pytest.fixture
async def geschiedenis(api: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Last month: aanbieder A with 6 signalen in Nijmegen, 2 in Wijchen, 7 in Beuningen; B with 7 in Wijchen."""
    _, maand = vorige_maanden()
    a, b = await aanbieder(api), await aanbieder(api)
    klok(monkeypatch, maand.replace(day=10))
    for aid, gemeente, n in [(a, NIJMEGEN, 6), (a, WIJCHEN, 2), (a, BEUNINGEN, 7), (b, WIJCHEN, 7)]:
        for _ in range(n):
            await signaal_in_stap_1(api, gemeente, aanbieder_id=aid)
    monkeypatch.undo()
    return {
        "a": a,
        "b": b,
        "maand": maand,
        "waarheid": {(a, NIJMEGEN): 6, (a, WIJCHEN): 2, (a, BEUNINGEN): 7, (b, WIJCHEN): 7},
    }


async def statistiek(api: Any, rol: str, gemeente: str | None, dims: list[str], van: date, tot: date) -> Any:
    r = await api.als(rol, gemeente, STATISTIEK, {"g": dims, "van": van.isoformat(), "tot": tot.isoformat()})
    assert "errors" not in r, r
    return r["data"]["signaalStatistiek"]


def _cel(cellen: list[dict[str, Any]], **waarden: Any) -> dict[str, Any]:
    def past(c: dict[str, Any]) -> bool:
        return all(
            (c[k]["id"] if k == "aanbieder" else c[k]["code"] if k == "gemeente" else c[k]) == v
            for k, v in waarden.items()
        )

    gevonden = [c for c in cellen if past(c)]
    assert len(gevonden) == 1, (waarden, gevonden)
    return gevonden[0]


async def test_contractmanager_ziet_de_regio_en_een_kleine_groep_met_zijn_complementen_onderdrukt(
    api: Any, geschiedenis: dict[str, Any]
) -> None:
    g, a, b = geschiedenis, geschiedenis["a"], geschiedenis["b"]
    m = g["maand"]
    cellen = await statistiek(api, "contractmanager", None, ["AANBIEDER", "GEMEENTE"], m, einde(m))
    klein = _cel(cellen, aanbieder=a, gemeente=WIJCHEN)
    assert klein["aantal"] is None and klein["onderdrukt"] is True
    # Two complements: with one, Nijmegen (knowing its own 6) could subtract A's total to find Wijchen's 2.
    assert _cel(cellen, aanbieder=a, gemeente=NIJMEGEN)["aantal"] is None
    assert _cel(cellen, aanbieder=a, gemeente=BEUNINGEN)["aantal"] is None
    assert _cel(cellen, aanbieder=b, gemeente=WIJCHEN)["aantal"] == 7
    assert _cel(cellen, aanbieder=b, gemeente=NIJMEGEN) == _cel(cellen, aanbieder=b, gemeente=NIJMEGEN) | {
        "aantal": 0,
        "onderdrukt": False,
    }, "zero is shown"
    totalen = await statistiek(api, "contractmanager", None, ["AANBIEDER"], m, einde(m))
    assert _cel(totalen, aanbieder=a)["aantal"] == 15
    assert _cel(totalen, aanbieder=b)["aantal"] == 7
    per_gemeente = await statistiek(api, "rmz_medewerker", None, ["GEMEENTE"], m, einde(m))
    assert _cel(per_gemeente, gemeente=WIJCHEN)["aantal"] is None, "Wijchen 9 = 2 + 7 would give away A's 2"


async def test_een_gemeente_ziet_alleen_haar_eigen_cellen_ook_zonder_te_groeperen_op_gemeente(
    api: Any, geschiedenis: dict[str, Any]
) -> None:
    m, a, b = geschiedenis["maand"], geschiedenis["a"], geschiedenis["b"]
    for rol in ("consulent", "kwaliteitsmedewerker", "backoffice"):
        cellen = await statistiek(api, rol, NIJMEGEN, ["AANBIEDER"], m, einde(m))
        assert {c["gemeente"]["code"] for c in cellen} == {NIJMEGEN}
        assert [c["aanbieder"]["id"] for c in cellen] == [a], "B has nothing in Nijmegen, so it does not appear"
        assert cellen[0]["aantal"] is None, "the regional protection applies to the own view as well"
        totaal = await statistiek(api, rol, NIJMEGEN, [], m, einde(m))
        assert len(totaal) == 1 and totaal[0]["gemeente"]["code"] == NIJMEGEN
    wijchen = await statistiek(api, "consulent", WIJCHEN, ["AANBIEDER"], m, einde(m))
    assert _cel(wijchen, aanbieder=b)["aantal"] == 7
    assert a in {c["aanbieder"]["id"] for c in wijchen}


@pytest.mark.parametrize(
    "rol,gemeente", [("privacy_officer", NIJMEGEN), ("privacy_officer", None), ("beheerder", None)]
)
async def test_rollen_zonder_aggregaatdoel_krijgen_geen_statistiek(api: Any, rol: str, gemeente: str | None) -> None:
    r = await api.als(rol, gemeente, STATISTIEK, {"g": ["AANBIEDER"]})
    assert codes(r) == ["FORBIDDEN"]


async def test_alleen_hele_afgesloten_maanden_worden_gepubliceerd(api: Any) -> None:
    deze = datetime.now(UTC).date().replace(day=1)
    for van, tot, veld in [
        (deze - timedelta(days=40), None, "van"),  # not the first of a month
        (None, deze - timedelta(days=2), "tot"),  # not the last day of a month
        (None, einde(deze), "tot"),  # the current month is not complete
    ]:
        r = await api.als(
            "contractmanager",
            None,
            STATISTIEK,
            {"g": ["STAP"], "van": van and van.isoformat(), "tot": tot and tot.isoformat()},
        )
        assert codes(r) == ["BAD_USER_INPUT"]
        assert r["errors"][0]["extensions"]["veld"] == veld


async def test_elke_statistiekopvraging_wordt_geaudit_met_doel(api: Any, geschiedenis: dict[str, Any]) -> None:
    m = geschiedenis["maand"]
    await statistiek(api, "contractmanager", None, ["AANBIEDER", "STAP"], m, einde(m))
    await statistiek(api, "consulent", WIJCHEN, ["CATEGORIE"], m, einde(m))
    async with api.engine.connect() as conn:
        rijen = (
            await conn.execute(
                sa.select(auditregel.c.rol, auditregel.c.doel, auditregel.c.object_id, auditregel.c.verantwoordelijke)
                .where(auditregel.c.object_type == "statistiek")
                .order_by(auditregel.c.volgnummer)
            )
        ).all()
    maand = f"{m:%Y-%m}"
    assert [tuple(r) for r in rijen] == [
        ("contractmanager", "contractmanagement", f"AANBIEDER,STAP|{maand}..{maand}", "ROB"),
        ("consulent", "uitvoering", f"CATEGORIE|{maand}..{maand}", WIJCHEN),
    ]


async def test_doorlooptijd_in_werkdagen_per_stap(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five signalen leave stap 1 after a known number of werkdagen; the median and p90 follow."""
    from tests.hulp_signalen import naar_stap_2

    _, maand = vorige_maanden()
    start = maand.replace(day=1)
    while start.weekday() != 0:  # a Monday, so 'n werkdagen later' is easy to reason about
        start += timedelta(days=1)
    aid = await aanbieder(api)
    klok(monkeypatch, start)
    ids = [(await signaal_in_stap_1(api, NIJMEGEN, aanbieder_id=aid))["id"] for _ in range(5)]
    for i, sid in enumerate(ids):  # 0, 1, 2, 3, 4 werkdagen in stap 1 (Monday to Friday)
        klok(monkeypatch, start + timedelta(days=i))
        await naar_stap_2(api, sid)
    monkeypatch.undo()
    cellen = await statistiek(api, "contractmanager", None, ["STAP"], maand, einde(maand))
    stap1 = _cel(cellen, stap="STAP_1")
    duur = sorted(werkdagen_tussen(start, start + timedelta(days=i)) for i in range(5))  # 0..4 unless a holiday
    assert stap1["aantal"] == 5
    assert stap1["doorlooptijdMediaan"] == duur[2]
    assert stap1["doorlooptijdP90"] == pytest.approx(duur[3] + 0.6 * (duur[4] - duur[3]))
    assert stap1["binnenTermijn"] is None, "stap 1 has no termijn"
    stap2 = _cel(cellen, stap="STAP_2")
    assert stap2["aantal"] == 5 and stap2["doorlooptijdMediaan"] is None, "nobody left stap 2 yet"


def _atomen_van(
    cel: dict[str, Any], dims: list[str], maanden: list[str], aanbieders: list[str], eigen: str | None
) -> frozenset[tuple[str, ...]]:
    uit = set()
    for m, a, g in itertools.product(maanden, aanbieders, GEMEENTEN_TEST):
        if eigen is not None and g != eigen:
            continue
        if "AANBIEDER" in dims and cel["aanbieder"]["id"] != a:
            continue
        if ("GEMEENTE" in dims or eigen) and cel["gemeente"]["code"] != g:
            continue
        if "MAAND" in dims and cel["maand"] != m:
            continue
        uit.add((m, a, g))
    return frozenset(uit)


GEMEENTEN_TEST = [NIJMEGEN, WIJCHEN, BEUNINGEN]


async def test_een_analist_die_indelingen_periodes_en_de_eigen_view_van_elkaar_aftrekt_vindt_niets(
    api: Any, geschiedenis: dict[str, Any]
) -> None:
    """All groupings over aanbieder, gemeente and maand, two periods (last month; the two last months), the regional
    view and two gemeenten's own views: solved together as linear equations, no count 1..k−1 comes out."""
    eerder, m = vorige_maanden()
    a, b = geschiedenis["a"], geschiedenis["b"]
    maanden = [f"{eerder:%Y-%m}", f"{m:%Y-%m}"]
    gezien: list[Gepubliceerd] = []
    for (rol, eigen), (van, periode), r in itertools.product(
        [("contractmanager", None), ("consulent", NIJMEGEN), ("consulent", WIJCHEN)],
        [(m, maanden[1:]), (eerder, maanden)],
        range(4),
    ):
        for dims in itertools.combinations(["AANBIEDER", "GEMEENTE", "MAAND"], r):
            for cel in await statistiek(api, rol, eigen, list(dims), van, einde(m)):
                if cel["gemeente"] is not None and cel["gemeente"]["code"] not in GEMEENTEN_TEST:
                    continue  # gemeenten without any data: zeros, outside this small universe
                leden = _atomen_van(cel, list(dims), periode, [a, b], eigen)
                gezien.append(Gepubliceerd(f"{rol} {eigen} {periode} {dims}", leden, cel["aantal"]))
    # Gemeenten outside the universe are zero everywhere; the analyst knows that from the published zeros.
    atomen = sorted({(mm, aa, gg) for mm in maanden for aa in (a, b) for gg in GEMEENTEN_TEST})
    waarheid = {(maanden[1], aa, gg): n for (aa, gg), n in geschiedenis["waarheid"].items()}
    assert teruggevonden(atomen, gezien, lambda leden: sum(waarheid.get(x, 0) for x in leden), K) == []
    bekend_nijmegen = {x: waarheid.get(x, 0) for x in atomen if x[2] == NIJMEGEN}
    assert teruggevonden(atomen, gezien, lambda leden: sum(waarheid.get(x, 0) for x in leden), K, bekend_nijmegen) == []


def test_dimensies_in_graphql_zijn_die_van_het_domein() -> None:
    assert [d.name for d in Dimensie] == ["AANBIEDER", "GEMEENTE", "STAP", "CATEGORIE", "MAAND"]


async def test_cijfers_van_een_afgesloten_maand_veranderen_niet_als_een_stap_later_wordt_afgerond(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything published for a closed month is frozen when it closes (toegang.md rule 5: asking again
    later reveals nothing): a stap left afterwards changes neither doorlooptijd nor binnenTermijn."""
    from tests.hulp_signalen import ESCALEER, naar_stap_2, stap_3

    _, maand = vorige_maanden()
    start = maand.replace(day=1)
    while start.weekday() != 0:
        start += timedelta(days=1)
    aid = await aanbieder(api)
    klok(monkeypatch, start)
    ids = [(await signaal_in_stap_1(api, NIJMEGEN, aanbieder_id=aid))["id"] for _ in range(K)]
    for sid in ids:
        await naar_stap_2(api, sid)
    monkeypatch.undo()
    dims = ["STAP", "AANBIEDER", "GEMEENTE"]
    voor = await statistiek(api, "contractmanager", None, dims, maand, einde(maand))
    assert _cel(voor, stap="STAP_2", aanbieder=aid, gemeente=NIJMEGEN)["aantal"] == K
    for sid in ids:  # today, in the current month: stap 2 is left for the RMZ
        r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(sid)})
        assert "errors" not in r, r
    na = await statistiek(api, "contractmanager", None, dims, maand, einde(maand))
    assert na == voor
    assert _cel(na, stap="STAP_2", aanbieder=aid, gemeente=NIJMEGEN)["doorlooptijdMediaan"] is None
