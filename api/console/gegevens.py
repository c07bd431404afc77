"""De console leest alleen via GraphQL, met het token van de gebruiker en de eigen uitvoerder van de app.

So policy, audit and error codes are exactly those of ``POST /graphql``: the console never opens a
database connection of its own. A GraphQL error becomes ``ConsoleFout`` with the API's code and message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from api.auth import OngeldigToken
from domein.actor import Actor

if TYPE_CHECKING:  # api.app mounts the console: importing it at module level would be circular
    from api.app import Toestand


class ConsoleFout(Exception):
    """Een fout om op de pagina te tonen: een code uit contract.md en een Nederlandse boodschap."""

    def __init__(self, code: str, bericht: str, request_id: str | None = None) -> None:
        super().__init__(bericht)
        self.code = code
        self.bericht = bericht
        self.request_id = request_id


async def actor_uit_token(t: Toestand, token: str) -> Actor:
    """Hetzelfde als bij ``POST /graphql``: ``OngeldigToken`` met een Nederlandse boodschap als het niet deugt."""
    if t.verifier.zonder_netwerk:
        return t.verifier.verify(token)
    return await run_in_threadpool(t.verifier.verify, token)


@dataclass
class Uitvoerder:
    """Voert GraphQL-operaties uit namens één ingelogde gebruiker."""

    t: Toestand
    token: str

    async def vraag(self, query: str, variabelen: dict[str, Any] | None = None) -> dict[str, Any]:
        from api.app import voer_uit

        request_id = str(uuid.uuid4())
        try:
            actor = await actor_uit_token(self.t, self.token)
        except OngeldigToken as e:
            raise ConsoleFout("UNAUTHENTICATED", e.bericht, request_id) from None
        antwoord = await voer_uit(self.t, actor, {"query": query, "variables": variabelen or {}}, request_id)
        fouten = antwoord.get("errors") or []
        if fouten:
            eerste = fouten[0]
            ext = eerste.get("extensions") or {}
            raise ConsoleFout(str(ext.get("code", "INTERNAL")), str(eerste.get("message", "")), request_id)
        return dict(antwoord["data"])


IK = "query Ik { ik { sub rol organisatie doel gemeente { code naam } } gemeenten { code naam } }"

AUDITLOG = """
query Auditlog($first: Int, $after: String, $filter: AuditFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      tijdstip sub rol gemeente organisatie verantwoordelijke doel verwerkingsactiviteit operatie
      objectType objectId categorieen betrokkenen uitkomst requestId
    } }
  }
}
"""

INZAGE = """
query Inzage($bsn: String!) {
  ik { organisatie gemeente { naam } }
  inzageverzoek(bsn: $bsn) {
    kenmerk bsn
    verwerkingen { tijdstip doel operatie organisatie objectType verwerkingsactiviteit }
  }
}
"""

DATALEKKEN = """
query Datalekken($first: Int, $after: String) {
  datalekken(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id omschrijving ontdektOp categorieen geregistreerdDoor geregistreerdOp apDeadline apGemeldOp apKenmerk
      apStatus urenTotApDeadline betrokkenGemeenten { naam }
    } }
  }
}
"""
