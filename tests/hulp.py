"""Gedeelde GraphQL-teksten en helpers voor de tests."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa

from domein.demo import fictieve_bsns

_BSNS = itertools.cycle(list(fictieve_bsns(999990000)))
"""The test range has ~900 valid BSNs; the whole suite on two databases uses more. Each test has its own
database, so starting again at the first one after the last is harmless (never a BSN outside the test range)."""
NIJMEGEN, WIJCHEN, BERG_EN_DAL = "0268", "0296", "1945"

REGISTREER_CASUS = """
mutation($input: RegistreerCasusInput!) {
  registreerCasus(input: $input) { id status gemeente { code } inwoner { bsn naam } }
}
"""

CASUSSEN = """
query($first: Int, $after: String) {
  casussen(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id gemeente { code naam } inwoner { bsn naam geboortedatum } hulpvraag urgentie } }
  }
}
"""


def nieuw_bsn() -> str:
    return next(_BSNS)


def casus_invoer(bsn: str | None = None, naam: str = "Test Persoon") -> dict[str, Any]:
    return {
        "inwoner": {"bsn": bsn or nieuw_bsn(), "naam": naam, "geboortedatum": "1980-01-01"},
        "hulpvraag": "Begeleiding bij dagbesteding",
        "leefdomeinen": ["WERK_DAGBESTEDING"],
        "urgentie": "REGULIER",
    }


async def registreer_casus(api: Any, gemeente: str, **kw: Any) -> dict[str, Any]:
    antwoord = await api.als("consulent", gemeente, REGISTREER_CASUS, {"input": casus_invoer(**kw)})
    assert "errors" not in antwoord, antwoord
    return dict(antwoord["data"]["registreerCasus"])


def intern_id(globaal: str) -> str:
    """De interne id achter een globale Relay-id (zoals het auditlog en de privacymeldingen die noemen)."""
    import base64

    return base64.urlsafe_b64decode(globaal + "=" * (-len(globaal) % 4)).decode().split(":", 1)[1]


async def schakel_triggers(engine: Any, aan: bool) -> None:
    """Alleen voor sabotagetests: een beheerder met volledige databaserechten omzeilt de alleen-toevoegen-triggers."""
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(sa.text(f"ALTER TABLE auditregel {'ENABLE' if aan else 'DISABLE'} TRIGGER USER"))
        elif not aan:
            await conn.execute(sa.text("DROP TRIGGER auditregel_geen_update"))
            await conn.execute(sa.text("DROP TRIGGER auditregel_geen_delete"))
