"""Relay-bouwstenen: Node, globale ids, verbindingen met totalCount die het beleid volgt."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from domein.fouten import NietGevonden
from domein.paginering import Pagina
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


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


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
    eind = pagina.items[-1][0] if pagina.items else None
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=pagina.heeft_volgende, end_cursor=eind), _teller=teller
    )
