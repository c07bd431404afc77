"""Foutmeldingen in het Nederlands: geen Engels van graphql-core in een antwoord, met code en plaats.

A corpus of invalid documents, at least one per validation rule of the spec that this schema can
trigger, plus syntax errors and bad variable values, goes through the real app. Every answer must be
a coded error (BAD_USER_INPUT) whose message has none of graphql-core's English words, and the
validation errors name the place in the query.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from graphql import GraphQLError

from api.vertaling import ONBEKEND, vertaal_tekst
from tests.conftest import Api

# (naam, query, variables, operationName)
CASUS_IN = (
    '{inwoner: {bsn: "999990019", naam: "A", geboortedatum: "1980-01-01"}, '
    'hulpvraag: "h", leefdomeinen: [WERK_DAGBESTEDING], urgentie: REGULIER'
)
REG = "mutation($input: RegistreerCasusInput!) { registreerCasus(input: $input) { id } }"
GOED = {
    "inwoner": {"bsn": "999990019", "naam": "A", "geboortedatum": "1980-01-01"},
    "hulpvraag": "h",
    "leefdomeinen": ["WERK_DAGBESTEDING"],
    "urgentie": "REGULIER",
}
CORPUS = [
    ("syntax_eof", "{ ik { sub }", None, None),
    ("syntax_unexpected", "{ ik { sub } } }", None, None),
    ("syntax_unterminated", '{ aanbieders(zoek: "abc) { totalCount } }', None, None),
    ("syntax_character", "{ ik { sub % } }", None, None),
    ("syntax_nul", "{ casussen(first: 01) { totalCount } }", None, None),
    ("syntax_escape", '{ aanbieders(zoek: "\\x") { totalCount } }', None, None),
    ("syntax_const_var", "query ($a: Int = $b) { casussen(first: $a) { totalCount } }", None, None),
    ("syntax_quote", "{ aanbieders(zoek: 'abc') { totalCount } }", None, None),
    ("syntax_name", "{ ik { sub } } fragment on on Gebruiker { sub }", None, None),
    ("syntax_number", "{ casussen(first: 1.) { totalCount } }", None, None),
    ("syntax_dots", "{ ik { ..F } }", None, None),
    ("syntax_expected_value", "{ casussen(first: ) { totalCount } }", None, None),
    ("syntax_unicode", '{ aanbieders(zoek: "\\u12") { totalCount } }', None, None),
    ("syntax_reserved", "{ signaalStatistiek(groepeerOp: [true]) { aantal } }", None, None),
    ("executable", "{ ik { sub } } type X { a: Int }", None, None),
    ("field", "{ ik { bestaatNiet } }", None, None),
    ("field_root", "{ bestaatNiet }", None, None),
    ("fragment_composite_inline", "{ ik { ... on String { x } } }", None, None),
    ("fragment_composite_named", "{ ik { ...F } } fragment F on String { x }", None, None),
    ("argument_field", "{ ik(x: 1) { sub } }", None, None),
    ("argument_directive", "{ ik @include(als: true, if: true) { sub } }", None, None),
    ("directive_unknown", "{ ik @onbekend { sub } }", None, None),
    ("directive_location", "query @include(if: true) { ik { sub } }", None, None),
    ("fragment_unknown", "{ ik { ...F } }", None, None),
    ("type_unknown", "query ($a: Onbekend) { ik { sub } }", None, None),
    ("lone_anonymous", "query A { ik { sub } } { ik { rol } }", None, "A"),
    ("fragment_cycle", "{ ik { ...A } } fragment A on Gebruiker { ...B } fragment B on Gebruiker { ...A }", None, None),
    ("fragment_self", "{ ik { ...A } } fragment A on Gebruiker { sub ...A }", None, None),
    ("variable_undefined", "{ casussen(first: $n) { totalCount } }", None, None),
    ("variable_undefined_named", "query Q { casussen(first: $n) { totalCount } }", None, None),
    ("fragment_unused", "{ ik { sub } } fragment F on Gebruiker { sub }", None, None),
    ("variable_unused", "query Q($n: Int) { ik { sub } }", None, None),
    ("variable_unused_anon", "query ($n: Int) { ik { sub } }", None, None),
    ("overlap", "{ ik { a: sub a: rol } }", None, None),
    ("overlap_args", "{ casussen(first: 1) { totalCount } casussen(first: 2) { totalCount } }", None, None),
    ("overlap_type", "{ ik { sub } ik: gemeenten { code } }", None, None),
    ("spread_impossible_inline", "{ ik { ... on Gemeente { code } } }", None, None),
    ("spread_impossible_named", "{ ik { ...G } } fragment G on Gemeente { code }", None, None),
    ("required_argument", "{ casus { id } }", None, None),
    ("required_argument_directive", "{ ik @include { sub } }", None, None),
    ("leaf_selection_missing", "{ ik }", None, None),
    ("leaf_selection_forbidden", "{ ik { sub { x } } }", None, None),
    ("subscription", "subscription { ik { sub } }", None, None),
    ("unique_argument", "{ casussen(first: 1, first: 2) { totalCount } }", None, None),
    ("unique_directive", "{ ik @skip(if: false) @skip(if: false) { sub } }", None, None),
    ("unique_fragment", "{ ik { ...F } } fragment F on Gebruiker { sub } fragment F on Gebruiker { rol }", None, None),
    ("unique_input_field", "mutation { registreerCasus(input: " + CASUS_IN + ', hulpvraag: "b"}) { id } }', None, None),
    ("unique_operation", "query Q { ik { sub } } query Q { ik { rol } }", None, "Q"),
    ("unique_variable", "query ($a: Int, $a: Int) { casussen(first: $a) { totalCount } }", None, None),
    ("value_int", '{ casussen(first: "tien") { totalCount } }', None, None),
    ("value_int_32", "{ casussen(first: 99999999999) { totalCount } }", None, None),
    ("value_boolean", '{ ik @skip(if: "ja") { sub } }', None, None),
    ("value_string", "{ aanbieders(zoek: 5) { totalCount } }", None, None),
    ("value_id", "{ casus(id: 1.5) { id } }", None, None),
    ("value_enum", "{ signaalStatistiek(groepeerOp: [ONBEKEND]) { aantal } }", None, None),
    ("value_enum_string", '{ signaalStatistiek(groepeerOp: ["MAAND"]) { aantal } }', None, None),
    ("value_null", "{ casus(id: null) { id } }", None, None),
    ("value_list_null", "{ signaalStatistiek(groepeerOp: [null]) { aantal } }", None, None),
    ("value_input_missing", 'mutation { registreerCasus(input: {hulpvraag: "x"}) { id } }', None, None),
    ("value_input_unknown", "mutation { registreerCasus(input: " + CASUS_IN + ", x: 1}) { id } }", None, None),
    ("value_input_not_object", 'mutation { registreerCasus(input: "abc") { id } }', None, None),
    ("value_date", '{ signaalStatistiek(groepeerOp: [MAAND], van: "gisteren") { aantal } }', None, None),
    ("variable_non_input", "query ($a: Gebruiker) { ik { sub } }", None, None),
    ("variable_position", "query ($a: Int) { casus(id: $a) { id } }", None, None),
    ("variable_position_null", "query ($a: ID) { casus(id: $a) { id } }", None, None),
    ("var_value_int", "query ($n: Int) { casussen(first: $n) { totalCount } }", {"n": "tien"}, None),
    ("var_required", "query ($id: ID!) { casus(id: $id) { id } }", {}, None),
    ("var_null", "query ($id: ID!) { casus(id: $id) { id } }", {"id": None}, None),
    ("var_input_missing", REG, {"input": {"hulpvraag": "x"}}, None),
    ("var_input_unknown", REG, {"input": {**GOED, "x": 1}}, None),
    ("var_input_not_object", REG, {"input": "abc"}, None),
    ("var_enum", REG, {"input": {**GOED, "urgentie": "HEEL_HOOG"}}, None),
    ("var_list_item", REG, {"input": {**GOED, "leefdomeinen": [None]}}, None),
    ("var_date", REG, {"input": {**GOED, "inwoner": {**GOED["inwoner"], "geboortedatum": "gisteren"}}}, None),
    ("var_date_type", REG, {"input": {**GOED, "inwoner": {**GOED["inwoner"], "geboortedatum": 5}}}, None),
    ("var_string", REG, {"input": {**GOED, "hulpvraag": 5}}, None),
    ("var_boolean", "query ($b: Boolean!) { ik @skip(if: $b) { sub } }", {"b": "ja"}, None),
    ("var_int_32", "query ($n: Int) { casussen(first: $n) { totalCount } }", {"n": 2**40}, None),
    ("var_float", "query ($n: Int) { casussen(first: $n) { totalCount } }", {"n": 1.5}, None),
    ("var_id", "query ($id: ID!) { casus(id: $id) { id } }", {"id": True}, None),
    ("var_default", 'query ($n: Int = "tien") { casussen(first: $n) { totalCount } }', None, None),
]


ENGELS = re.compile(
    r"\b(Cannot|Unknown|must|Expected|Variable|Field|Fields|Syntax|Error|Unexpected|Invalid|cannot|represent|"
    r"provided|required|defined|never|used|There|only|named|Did you mean|conflict|found|not|"
    r"selection|subfields|value|type of|Directive|may|operation is|anonymous|Enum|does|exist|include|be an)\b"
)


@pytest.mark.parametrize(("naam", "query", "variabelen", "operatie"), CORPUS, ids=[c[0] for c in CORPUS])
async def test_ongeldig_document_geeft_nederlandse_melding_met_code_zonder_engels(
    api: Api, naam: str, query: str, variabelen: dict[str, Any] | None, operatie: str | None
) -> None:
    extra: dict[str, Any] = {"operationName": operatie} if operatie else {}
    antwoord = await api.als("consulent", "0268", query, variabelen, **extra)
    fouten = antwoord.get("errors")
    assert fouten, antwoord
    for fout in fouten:
        assert fout["extensions"]["code"] == "BAD_USER_INPUT", fout
        # Names from the schema or the query stand between quotes ('@include', 'Query.ik'): not prose.
        engels = ENGELS.findall(re.sub(r"'[^']*'", "''", fout["message"]))
        assert not engels, (fout["message"], engels)
        assert ONBEKEND not in fout["message"], f"geen vertaling voor {naam}: {fout['message']}"


@pytest.mark.parametrize(
    "query",
    ["{ ik { bestaatNiet } }", "{ ik { sub } } fragment F on Gebruiker { sub }", "{ ik { sub }"],
)
async def test_validatiefout_noemt_regel_en_kolom_in_de_query(api: Api, query: str) -> None:
    antwoord = await api.als("consulent", "0268", query)
    assert re.search(r"\(regel 1, kolom \d+\)", antwoord["errors"][0]["message"]), antwoord


async def test_fout_in_een_variabele_houdt_veld_en_plaats(api: Api) -> None:
    antwoord = await api.als(
        "consulent", "0268", "query ($n: Int) {\n  casussen(first: $n) { totalCount }\n}", {"n": "tien"}
    )
    [fout] = antwoord["errors"]
    assert fout["extensions"]["code"] == "BAD_USER_INPUT"
    assert fout["extensions"]["veld"] == "n"
    assert fout["locations"] == [{"line": 1, "column": 8}]
    assert "Variabele '$n'" in fout["message"] and "geheel getal" in fout["message"]


async def test_ingevoerde_waarden_komen_niet_terug_in_de_melding(api: Api) -> None:
    """graphql-core echoes the whole input object ('found: {...}'); with a BSN in it that must not come back."""
    variabelen = {"input": {**GOED, "onbekend": 1}}
    antwoord = await api.als("consulent", "0268", REG, variabelen)
    bericht = antwoord["errors"][0]["message"]
    assert "onbekend" in bericht and "999990019" not in bericht


def test_onbekende_engelse_melding_wordt_een_algemene_nederlandse_tekst() -> None:
    assert vertaal_tekst("Some future graphql-core message about 'x'.") == ONBEKEND
    assert vertaal_tekst("'gisteren' is geen Date (ISO 8601).") == "'gisteren' is geen Date (ISO 8601)."


def test_suggesties_met_veldnamen_worden_weggelaten() -> None:
    fout = GraphQLError("Cannot query field 'bs' on type 'Inwoner'. Did you mean 'bsn'?")
    assert vertaal_tekst(fout.message) == "Het type 'Inwoner' heeft geen veld 'bs'."
