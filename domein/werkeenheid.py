"""De werkeenheid: één transactie met haar auditregels, voor elk ingangspunt (toegang.md regel 7).

HTTP (``api/app.py``), the audit export, the command line, the demo and the bewaartermijn all run
their work through ``werkeenheid``, so they cannot differ in how they commit:

- success: the audit records are written in the same transaction, then it commits; if writing the
  audit fails, nothing is committed;
- a refusal (a ``DomeinFout``, or ``Terugdraaien`` for work that failed without one): everything rolls
  back, then the refusals the work recorded are written in a fresh transaction, and the error goes on;
- anything else: everything rolls back, nothing is written, the error goes on.

A unit that expects only to read (``lezend``) starts its SQLite transaction deferred, without the write
lock. If it writes after all (e.g. the audit of a denied field) and SQLite cannot upgrade it,
the write fails with ``is_schrijfconflict``: nothing was committed, and the caller redoes the work in
a writing unit, so the audit stays in the same transaction as the read.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domein import audit
from domein.audit import AuditBuffer
from domein.fouten import DomeinFout
from domein.opslag import db


class Terugdraaien(Exception):
    """Het werk is als geheel mislukt zonder DomeinFout (bijv. een GraphQL-mutatie met fouten): terugdraaien."""


@dataclass
class Eenheid:
    conn: AsyncConnection
    request_id: str
    audit: AuditBuffer = field(default_factory=AuditBuffer)
    """Give this buffer to the ``Verzoek`` (``audit=eenheid.audit``): what it records is written here."""


@asynccontextmanager
async def werkeenheid(
    engine: AsyncEngine, request_id: str | None = None, *, lezend: bool = False
) -> AsyncIterator[Eenheid]:
    """Opent een verbinding en transactie; schrijft de audit en commit, of draait terug en legt weigeringen vast."""
    async with engine.connect() as conn:
        if lezend:
            await db.lezend(conn)
        await conn.begin()
        eenheid = Eenheid(conn, request_id or str(uuid.uuid4()))
        try:
            yield eenheid
        except (DomeinFout, Terugdraaien):
            await conn.rollback()
            if lezend:
                await db.lezend(conn, False)
            async with conn.begin():  # denied attempts are recorded even though the work is not (rule 7)
                await audit.schrijf(conn, eenheid.audit.weigeringen, eenheid.request_id)
            raise
        except BaseException:
            await conn.rollback()
            raise
        await audit.schrijf(conn, eenheid.audit.alle(), eenheid.request_id)
        await conn.commit()
