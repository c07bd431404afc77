"""Het veldplan: het beleid beslist één keer per veld van de operatie, niet per cel (issue 11).

The plan (api/veldplan.py) is made from the document before execution. These tests guard what it must keep
true: a decision per field and not per cell, no per-cell hook when nothing is denied, a denial still at its
own path, and every read of persoonsgegevens audited once per casus with the doel of the field's decision,
however the document reaches the field (alias, fragment, node, a second operation that is not run).
"""

from __future__ import annotations

from typing import Any

import hypothesis_graphql
import pytest
import sqlalchemy as sa

from api.veldbewaking import Veldbewaking
from beleid.beslisser import CasbinBeslisser
from domein.opslag.tabellen import auditregel
from tests.conftest import codes
from tests.hulp import NIJMEGEN, intern_id, registreer_casus

PAGINA = """query($first: Int) { casussen(first: $first) { edges { node {
  id gemeente { naam } inwoner { naam } } } } }"""
IDENTIFICATIE = "persoonsgegevens.identificatie"


async def _leesregels(api: Any, casus_id: str) -> list[dict[str, Any]]:
    async with api.engine.connect() as conn:
        rijen = await conn.execute(
            sa.select(auditregel)
            .where(auditregel.c.object_id == casus_id, auditregel.c.operatie == "lezen")
            .order_by(auditregel.c.volgnummer)
        )
        return [dict(r) for r in rijen.mappings()]


@pytest.fixture
def veldbesluiten(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every policy decision about a field (``Type.veld``) the app asks for."""
    gevraagd: list[str] = []
    origineel = CasbinBeslisser.beslis

    def tel(self: CasbinBeslisser, actor: Any, resource: str, actie: Any) -> Any:
        if "." in resource and resource[:1].isupper():
            gevraagd.append(resource)
        return origineel(self, actor, resource, actie)

    monkeypatch.setattr(CasbinBeslisser, "beslis", tel)
    return gevraagd


async def test_beleid_beslist_eenmaal_per_veld_van_de_operatie_niet_per_cel(api, veldbesluiten):
    for _ in range(12):
        await registreer_casus(api, NIJMEGEN)
    veldbesluiten.clear()
    antwoord = await api.als("consulent", NIJMEGEN, PAGINA, {"first": 12})
    assert len(antwoord["data"]["casussen"]["edges"]) == 12
    # Query.casussen, connection, edge, Casus.id/gemeente/inwoner, Gemeente.naam, Inwoner.naam: once each
    assert sorted(set(veldbesluiten)) == sorted(veldbesluiten), "geen veld twee keer gevraagd"
    assert {"Casus.inwoner", "Inwoner.naam", "Gemeente.naam"} <= set(veldbesluiten)
    veldbesluiten.clear()
    await api.als("consulent", NIJMEGEN, PAGINA, {"first": 2})
    assert veldbesluiten == [], "hetzelfde document, dezelfde rol en beleidsversie: het plan van de vorige keer"


async def test_zonder_geweigerd_veld_draait_geen_bewaking_per_cel(api, monkeypatch):
    await registreer_casus(api, NIJMEGEN)
    aangeroepen: list[str] = []
    origineel = Veldbewaking.resolve

    def tel(self: Veldbewaking, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        aangeroepen.append(f"{info.parent_type.name}.{info.field_name}")
        return origineel(self, _next, root, info, *args, **kwargs)

    monkeypatch.setattr(Veldbewaking, "resolve", tel)
    antwoord = await api.als("consulent", NIJMEGEN, PAGINA, {"first": 5})
    assert "errors" not in antwoord and aangeroepen == []
    # One denied field (a consulent may not read the audit log): the guard runs and denies it at its own path.
    document = "{ gemeenten { naam } ik { rol } auditLog(first: 1) { totalCount } }"
    antwoord = await api.als("consulent", NIJMEGEN, document)
    assert codes(antwoord) == ["FORBIDDEN"]
    assert antwoord["errors"][0]["path"] == ["auditLog"]
    assert "Query.auditLog" in aangeroepen


@pytest.mark.parametrize(
    "query",
    [
        "query($id: ID!) { x: node(id: $id) { ... on Casus { wie: inwoner { naam } } } }",
        "query($id: ID!) { casus(id: $id) { ...C } } fragment C on Casus { inwoner { bsn } }",
        "query($id: ID!) { casus(id: $id) { a: inwoner { naam } b: inwoner { geboortedatum } } }",
    ],
    ids=["node-alias", "fragment", "twee-aliassen"],
)
async def test_persoonsgegevens_via_alias_fragment_of_node_eenmaal_geaudit_met_het_doel(api, query):
    casus = await registreer_casus(api, NIJMEGEN)
    voor = len(await _leesregels(api, intern_id(casus["id"])))
    antwoord = await api.als("consulent", NIJMEGEN, query, {"id": casus["id"]})
    assert "errors" not in antwoord, antwoord
    nieuw = (await _leesregels(api, intern_id(casus["id"])))[voor:]
    assert len(nieuw) == 1, "één regel per casus per verzoek"
    assert nieuw[0]["categorieen"] == [IDENTIFICATIE] and nieuw[0]["doel"] == "uitvoering"
    assert nieuw[0]["verantwoordelijke"] == NIJMEGEN and len(nieuw[0]["betrokkenen"]) == 1


async def test_een_andere_operatie_in_het_document_telt_niet_mee(api):
    casus = await registreer_casus(api, NIJMEGEN)
    document = """query Status($id: ID!) { casus(id: $id) { status } }
    query Naam($id: ID!) { casus(id: $id) { inwoner { naam } } }"""
    voor = len(await _leesregels(api, intern_id(casus["id"])))
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]}, operationName="Status")
    assert antwoord["data"]["casus"]["status"]
    assert (await _leesregels(api, intern_id(casus["id"])))[voor:] == [], "geen persoonsgegevens gelezen"
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": casus["id"]}, operationName="Naam")
    assert antwoord["data"]["casus"]["inwoner"]["naam"]
    assert len((await _leesregels(api, intern_id(casus["id"])))[voor:]) == 1


def test_elk_type_met_persoonsgegevens_hoort_bij_een_casus_die_de_lezing_vastlegt(beslisser):
    """A type with a persoonsgegevens field must be one whose reads are recorded on its casus (api.casussen)."""
    from api.casussen import GEAUDITEERDE_TYPEN

    typen = {
        veld.split(".")[0] for veld, resource in beslisser.velden().items() if resource.startswith("persoonsgegevens.")
    }
    assert typen and typen <= set(GEAUDITEERDE_TYPEN), typen - set(GEAUDITEERDE_TYPEN)


async def test_het_plan_kent_elk_veld_dat_de_uitvoering_raakt(api, monkeypatch):
    """Generated documents (fragments, aliases, nesting), guarded on purpose: every field reached is in the plan.

    Without a denied field no per-field guard runs, so a field missing from the plan would be neither checked
    nor audited. Here the guard is forced on and asserts, for every resolved field, that the plan had it.
    """
    import api.app as app_module
    from tests.test_fuzz import SCALARS, SCHEMA, _verzamel

    buiten_plan: list[str] = []
    origineel = Veldbewaking.resolve

    def controleer(self: Veldbewaking, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        sleutel = (info.parent_type.name, info.field_name)
        if not sleutel[0].startswith("__") and not sleutel[1].startswith("__"):
            if sleutel not in info.context.plan.gekozen:
                buiten_plan.append(".".join(sleutel))
        return origineel(self, _next, root, info, *args, **kwargs)

    monkeypatch.setattr(Veldbewaking, "resolve", controleer)
    monkeypatch.setattr(app_module, "VELDBEWAKING", _AltijdBewaken())
    casus = await registreer_casus(api, NIJMEGEN)
    via_interface = [  # fields asked on the Node interface, resolved on a Casus
        f'{{ node(id: "{casus["id"]}") {{ id ... on Casus {{ wie: inwoner {{ naam }} }} }} }}',
        "{ casussen(first: 2) { edges { node { ...N } } } }\n"
        "fragment N on Node { id ... on Casus { gemeente { naam } } }",
    ]
    documenten = [*_verzamel(hypothesis_graphql.queries(SCHEMA, custom_scalars=SCALARS), 40), *via_interface]
    for document in documenten:
        for rol, gemeente in [("consulent", NIJMEGEN), ("privacy_officer", None)]:
            await api.als(rol, gemeente, document)
    assert not buiten_plan, sorted(set(buiten_plan))


class _AltijdBewaken:
    """Stands in for the ContextVar in api.app: the guard runs for every operation."""

    def set(self, _waarde: bool) -> object:
        from api.veldbewaking import VELDBEWAKING

        return VELDBEWAKING.set(True)

    def reset(self, token: Any) -> None:
        from api.veldbewaking import VELDBEWAKING

        VELDBEWAKING.reset(token)


async def test_een_pagina_leest_alleen_persoonsgegevens_die_haar_eigen_knopen_tonen(api, monkeypatch):
    """Preloading follows the page's own selection: no persoonsgegevens of casussen whose inwoner is not shown."""
    from domein import casussen

    gevraagd: list[list[str]] = []
    origineel = casussen.persoonsgegevens

    async def tel(vz: Any, ids: Any) -> Any:
        gevraagd.append(sorted(ids))
        return await origineel(vz, ids)

    monkeypatch.setattr(casussen, "persoonsgegevens", tel)
    gekozen = await registreer_casus(api, NIJMEGEN)
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    gevraagd.clear()
    document = """query($id: ID!, $toon: Boolean!) {
      casussen(first: 10) { edges { node { id inwoner @include(if: $toon) { naam } } } }
      casus(id: $id) { inwoner { naam } } }"""
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": gekozen["id"], "toon": False})
    assert "errors" not in antwoord, antwoord
    assert gevraagd == [[intern_id(gekozen["id"])]], "alleen de ene casus waarvan de inwoner getoond wordt"
    gevraagd.clear()
    antwoord = await api.als("consulent", NIJMEGEN, document, {"id": gekozen["id"], "toon": True})
    assert len(antwoord["data"]["casussen"]["edges"]) == 4
    assert [len(ids) for ids in gevraagd] == [4], "de hele pagina in één keer, de losse casus uit de cache"
