"""Het publieke contract: schema.graphql is precies wat de server serveert, met de v1-namen."""

from __future__ import annotations

from pathlib import Path

from api.schema import maak_schema

SCHEMA = Path(__file__).parent.parent / "schema.graphql"


def test_geexporteerd_schema_is_gelijk_aan_geserveerd_schema():
    assert SCHEMA.read_text(encoding="utf-8") == maak_schema().as_str() + "\n", (
        "schema.graphql loopt achter; exporteer opnieuw met 'regiekamer schema'."
    )


def test_v1_namen_uit_contract_md_bestaan():
    schema = maak_schema()._schema
    query, mutatie = schema.query_type, schema.mutation_type
    assert query is not None and mutatie is not None
    for veld in ("ik", "gemeenten", "aanbieders", "contracten", "casussen", "casus", "node", "auditLog"):
        assert veld in query.fields, veld
    for veld in ("registreerCasus", "registreerAanbieder", "registreerContract"):
        assert veld in mutatie.fields, veld
    casus = schema.get_type("Casus")
    for veld in ("id", "gemeente", "inwoner", "hulpvraag", "leefdomeinen", "urgentie", "status"):
        assert veld in casus.fields  # type: ignore[union-attr]
    verbinding = schema.get_type("CasusConnection")
    assert {"edges", "pageInfo", "totalCount"} <= set(verbinding.fields)  # type: ignore[union-attr]
    audit = schema.get_type("AuditRegel")
    for veld in (
        "id",
        "tijdstip",
        "sub",
        "rol",
        "gemeente",
        "doel",
        "operatie",
        "objectType",
        "objectId",
        "categorieen",
        "uitkomst",
        "hash",
        "vorigeHash",
    ):
        assert veld in audit.fields, veld  # type: ignore[union-attr]
