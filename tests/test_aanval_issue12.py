"""Aanvallen op het werk van issue 12 (filters, idempotentie, OIDC, console, vertaalde fouten).

Each test is an attack written as the rule it guards; a test that passes means the attack is blocked.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.hulp import NIJMEGEN

BSN = "999990019"
_FILTER = "query Q($f: CasusFilter) { casussen(first: 5, filter: $f) { totalCount } }"


@pytest.mark.parametrize(
    ("query", "variabelen"),
    [
        ('{ inzageverzoek(bsn "999990019") { kenmerk } }', None),  # syntax: a string where ':' belongs
        ("{ casussen(first: 5) { totalCount } } 999990019", None),  # syntax: a number after the operation
        ('{ casussen(first: 5) { "999990019" } }', None),
        ("{ casussen(first: 5, filter: {status: X999990019}) { totalCount } }", None),  # enum literal
        (_FILTER, {"f": {"status": [BSN]}}),  # enum value in the variables
        (_FILTER, {"f": {"urgentie": [BSN]}}),
        (_FILTER, {"f": {BSN: True}}),  # a JSON key in the variables is a value, not a schema name
    ],
)
async def test_vertaalde_foutmelding_herhaalt_geen_ingevoerde_waarde(api: Any, query: str, variabelen: Any) -> None:
    antwoord = await api.als("consulent", NIJMEGEN, query, variabelen)
    assert antwoord.get("errors"), antwoord
    assert antwoord["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert BSN not in json.dumps(antwoord), antwoord["errors"]
