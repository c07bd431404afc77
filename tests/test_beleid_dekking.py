"""Deny by default: elk veld van het geserveerde schema heeft een expliciet besluit in het beleid."""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType

from api.schema import maak_schema
from beleid.beslisser import CasbinBeslisser
from domein.actor import Actor, Rol
from domein.toegang import Actie


def _velden() -> list[str]:
    schema = maak_schema()._schema
    uit = []
    for naam, type_ in schema.type_map.items():
        if naam.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        uit += [f"{naam}.{veld}" for veld in type_.fields]
    return sorted(uit)


def test_elk_veld_van_het_schema_heeft_een_beleidsbesluit():
    gekoppeld = CasbinBeslisser().velden()
    zonder = [v for v in _velden() if v not in gekoppeld]
    assert not zonder, f"Velden zonder besluit in beleid/velden.csv: {zonder}"


def test_elke_veldkoppeling_wijst_naar_een_resource_uit_de_matrix():
    b = CasbinBeslisser()
    resources = {r.resource for r in b.regels()}
    zwevend = {v: r for v, r in b.velden().items() if r not in resources}
    assert not zwevend, f"Koppelingen naar onbekende resources: {zwevend}"


def test_geen_koppeling_voor_een_veld_dat_niet_bestaat():
    """Een verouderde regel in velden.csv is een besluit over niets: opruimen."""
    velden = set(_velden())
    verweesd = [v for v in CasbinBeslisser().velden() if v not in velden]
    assert not verweesd, verweesd


def test_interfaces_hebben_alleen_velden_die_hun_typen_ook_hebben():
    schema = maak_schema()._schema
    for naam, type_ in schema.type_map.items():
        if isinstance(type_, GraphQLInterfaceType) and not naam.startswith("__"):
            for impl in schema.get_implementations(type_).objects:
                assert set(type_.fields) <= set(impl.fields)


def test_onbekend_veld_wordt_voor_elke_rol_geweigerd():
    b = CasbinBeslisser()
    for rol in Rol:
        actor = Actor("x", rol, "0268" if rol in ("consulent", "kwaliteitsmedewerker", "backoffice") else None)
        assert not b.beslis(actor, "Casus.nieuwVeldZonderBesluit", Actie.LEZEN).toegestaan


def test_contractmanager_en_beheerder_krijgen_nooit_persoonsgegevens():
    """toegang.md: 'the contractmanager and beheerder never receive an inwoner'."""
    b = CasbinBeslisser()
    pg_velden = [v for v, r in b.velden().items() if r.startswith("persoonsgegevens.")]
    assert "Inwoner.bsn" in pg_velden
    for rol in (Rol.CONTRACTMANAGER, Rol.BEHEERDER, Rol.RMZ_MEDEWERKER, Rol.PRIVACY_OFFICER):
        for veld in pg_velden:
            assert not b.beslis(Actor("x", rol, None), veld, Actie.LEZEN).toegestaan, (rol, veld)


def test_elk_besluit_noemt_een_doel_en_bereik():
    """toegang.md regel 2: elke toegangsbeslissing noemt het doel dat ze dient."""
    for regel in CasbinBeslisser().regels():
        assert regel.doel and regel.bereik
