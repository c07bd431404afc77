"""Querylimieten (minstens GraphQL Armor's standaard): diepte, aliassen, tokens, directives, kosten."""

from __future__ import annotations

import pytest
from graphql import build_schema

from api.limieten import (
    Limieten,
    OngeldigeQuery,
    QueryTeComplex,
    controleer_batch,
    controleer_body,
    controleer_query,
)

SCHEMA = build_schema("""
type Gemeente { code: String naam: String }
type Casus { id: ID naam: String gemeente: Gemeente casus: Casus casussen(first: Int): [Casus] }
type Query { casus: Casus casussen(first: Int): [Casus] }
""")
L = Limieten()


def _diep(n: int) -> str:
    """Een query met precies n niveaus volgens Armor (het blad telt mee)."""
    return "{ " + "casus { " * (n - 1) + "id" + " }" * (n - 1) + " }"


def _te_complex(query: str, limieten: Limieten = L) -> str:
    with pytest.raises(QueryTeComplex) as fout:
        controleer_query(SCHEMA, query, limieten)
    return fout.value.bericht


def test_gewone_query_binnen_limieten_wordt_doorgelaten():
    controleer_query(SCHEMA, "{ casussen(first: 10) { id naam gemeente { code naam } } }", L)


def test_diepte_precies_op_de_grens_mag():
    controleer_query(SCHEMA, _diep(6), L)


def test_te_diepe_query_wordt_geweigerd():
    assert "te diep" in _te_complex(_diep(7))


def test_fragmenten_maken_een_query_niet_ondieper():
    q = "query { casus { ...A } } fragment A on Casus { casus { casus { casus { casus { id } } } } }"
    _te_complex(q)


def test_aliassen_op_de_grens_mogen_en_een_meer_niet():
    controleer_query(SCHEMA, "{ " + " ".join(f"a{i}: casus {{ id }}" for i in range(15)) + " }", L)
    assert "aliassen" in _te_complex("{ " + " ".join(f"a{i}: casus {{ id }}" for i in range(16)) + " }")


def test_aliassen_via_fragmenten_tellen_mee_bij_elk_gebruik():
    q = (
        "query { casus { ...F } c2: casus { ...F } c3: casus { ...F } c4: casus { ...F } c5: casus { ...F } } "
        "fragment F on Casus { x: id y: naam z: id }"
    )
    # 4 top-level aliases + 5 spreads × 3 aliases = 19 > 15
    assert "aliassen" in _te_complex(q)


def test_te_veel_tokens_wordt_geweigerd():
    q = "{ casus { " + " ".join(["id"] * 1200) + " } }"
    assert "tokens" in _te_complex(q)


def test_te_veel_directives_wordt_geweigerd():
    q = "{ casus { " + " ".join(["id @include(if: true)"] * 51) + " } }"
    assert "directives" in _te_complex(q, Limieten(max_tokens=10_000))


def test_te_dure_query_wordt_geweigerd():
    breed = " ".join(f"a{i}: naam" for i in range(14))
    q = "{ casus { casus { casus { casus { " + breed + " gemeente { code naam } } } } } }"
    assert "te zwaar" in _te_complex(q, Limieten(max_kosten=100))


def test_veldsuggesties_lekken_geen_schema():
    with pytest.raises(OngeldigeQuery) as fout:
        controleer_query(SCHEMA, "{ casus { nam } }", L)
    assert "Did you mean" not in fout.value.bericht and "naam" not in fout.value.bericht.replace("nam ", "")


def test_introspectie_uit_buiten_demo():
    with pytest.raises(OngeldigeQuery) as fout:
        controleer_query(SCHEMA, "{ __schema { types { name } } }", L)
    assert "Introspectie" in fout.value.bericht
    controleer_query(SCHEMA, "{ __schema { types { name } } }", Limieten(introspectie=True))


def test_cyclische_fragmenten_geven_nette_fout():
    q = "query { casus { ...A } } fragment A on Casus { casus { ...B } } fragment B on Casus { casus { ...A } }"
    with pytest.raises((OngeldigeQuery, QueryTeComplex)):
        controleer_query(SCHEMA, q, L)


def test_syntaxfout_geeft_nederlandse_melding():
    with pytest.raises(OngeldigeQuery) as fout:
        controleer_query(SCHEMA, "{ casus { ", L)
    assert "geen geldige GraphQL" in fout.value.bericht


def test_batch_en_body_hebben_een_grens():
    controleer_batch(5, L)
    with pytest.raises(QueryTeComplex):
        controleer_batch(6, L)
    controleer_body(100_000, L)
    with pytest.raises(QueryTeComplex):
        controleer_body(100_001, L)


def test_elke_operatie_in_het_document_wordt_gemeten():
    diep = _diep(7).replace("{", "query Diep {", 1)
    q = "query Klein { casus { id } } " + diep
    with pytest.raises(QueryTeComplex):
        controleer_query(SCHEMA, q, L, operation_name="Klein")
    with pytest.raises(QueryTeComplex):
        controleer_query(SCHEMA, q, L, operation_name="BestaatNiet")
