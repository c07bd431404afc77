"""Bereik als SQL-voorwaarde: de enige plek waar toegang een WHERE-clausule wordt."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domein.actor import Actor
from domein.toegang import Bereik, Besluit


def voorwaarde(besluit: Besluit, actor: Actor, organisatie_kolom: Any) -> sa.ColumnElement[bool]:
    """Zet een toegestaan besluit om in een WHERE-voorwaarde op de organisatie van de rij.

    Unknown or missing scopes yield ``false``: deny by default, also inside a query.
    """
    if not besluit.toegestaan or besluit.bereik is None:
        return sa.false()
    if besluit.bereik is Bereik.REGIO:
        return sa.true()
    if besluit.bereik is Bereik.EIGEN_GEMEENTE:
        if actor.gemeente is None:
            return sa.false()
        return organisatie_kolom == actor.gemeente
    if besluit.bereik is Bereik.EIGEN_ORGANISATIE:
        return organisatie_kolom == actor.organisatie
    return sa.false()
