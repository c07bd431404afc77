"""Relay-bouwstenen: Node, globale ids, verbindingen met totalCount die het beleid volgt.

PageInfo follows the Relay cursor connections specification: ``startCursor``/``endCursor`` are the
cursors of the first and last edge; ``hasNextPage``/``hasPreviousPage`` are exact in the paging direction
and, in the other direction, answered by a question to the database only when the client selects the
field (``domein.paginering.pagineer_volgens``); a list that cannot tell cheaply answers false there,
which the specification allows.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from domein.fouten import NietGevonden
from domein.paginering import Pagina, Vraag
from domein.waarden import bevat_ongeldig_teken

T = TypeVar("T")
R = TypeVar("R")


@strawberry.interface(description="Een object met een ondoorzichtige, wereldwijd unieke id.")
class Node:
    id: strawberry.ID


def globale_id(typenaam: str, id_: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{typenaam}:{id_}".encode()).decode().rstrip("="))


def lees_globale_id(globaal: str, verwacht: str | None = None) -> tuple[str, str]:
    """Ontleedt een globale id; een onleesbare id of een id van een ander type 'bestaat niet'."""
    try:
        tekst = base64.urlsafe_b64decode((globaal + "=" * (-len(globaal) % 4)).encode()).decode()
        typenaam, _, id_ = tekst.partition(":")
    except (ValueError, UnicodeDecodeError):
        typenaam, id_ = "", ""
    # A decoded id with a NUL or other control character cannot exist (and PostgreSQL refuses to compare it).
    if not typenaam or not id_ or (verwacht is not None and typenaam != verwacht) or bevat_ongeldig_teken(id_):
        raise NietGevonden()
    return typenaam, id_


async def _beantwoord(vraag: Vraag) -> bool:
    return vraag if isinstance(vraag, bool) else await vraag()


async def _heeft_volgende(root: PageInfo) -> bool:
    return await _beantwoord(root._volgende)


async def _heeft_vorige(root: PageInfo) -> bool:
    return await _beantwoord(root._vorige)


@strawberry.type(description="Waar deze pagina ligt in de hele lijst (Relay-cursorspecificatie).")
class PageInfo:
    _volgende: strawberry.Private[Vraag]
    _vorige: strawberry.Private[Vraag]
    has_next_page: bool = strawberry.field(
        resolver=_heeft_volgende, description="Of er na deze pagina nog elementen zijn (bij last/before: na 'before')."
    )
    has_previous_page: bool = strawberry.field(
        resolver=_heeft_vorige,
        description="Of er vóór deze pagina elementen zijn (bij first/after: tot en met 'after').",
    )
    start_cursor: str | None = strawberry.field(description="De cursor van de eerste edge; leeg bij een lege pagina.")
    end_cursor: str | None = strawberry.field(description="De cursor van de laatste edge; leeg bij een lege pagina.")


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _teller: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Het totaal binnen uw bereik; rijen buiten uw bereik tellen nooit mee.")
    async def total_count(self) -> int:
        return await self._teller()


def verbinding(pagina: Pagina[R], maak: Callable[[R], T], teller: Callable[[], Awaitable[int]]) -> Connection[T]:
    edges = [Edge(cursor=c, node=maak(item)) for c, item in pagina.items]
    begin = pagina.items[0][0] if pagina.items else None
    eind = pagina.items[-1][0] if pagina.items else None
    info = PageInfo(_volgende=pagina.heeft_volgende, _vorige=pagina.heeft_vorige, start_cursor=begin, end_cursor=eind)
    return Connection(edges=edges, page_info=info, _teller=teller)
