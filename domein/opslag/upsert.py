"""INSERT … ON CONFLICT DO UPDATE op PostgreSQL en SQLite, met één aanroep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


async def upsert(
    conn: AsyncConnection,
    tabel: sa.Table,
    rijen: Sequence[Mapping[str, Any]],
    sleutel: Sequence[str],
    bijwerken: Mapping[str, Any] | None = None,
) -> None:
    """Voegt ``rijen`` toe; bij een bestaande ``sleutel`` worden de overige kolommen (of ``bijwerken``) gezet."""
    if not rijen:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(tabel)
    zet = bijwerken or {c: stmt.excluded[c] for c in rijen[0] if c not in sleutel}
    await conn.execute(stmt.on_conflict_do_update(index_elements=list(sleutel), set_=dict(zet)), list(rijen))
