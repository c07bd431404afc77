"""Werkdagen: geen weekend en geen Nederlandse feestdagen (via de onderhouden ``holidays``-bibliotheek)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _feestdagen(jaar: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=[jaar]))


def is_werkdag(dag: date) -> bool:
    return dag.weekday() < 5 and dag not in _feestdagen(dag.year)


def plus_werkdagen(start: date, aantal: int) -> date:
    """De datum ``aantal`` werkdagen na ``start`` (de startdag zelf telt niet mee)."""
    dag = start
    while aantal > 0:
        dag += timedelta(days=1)
        if is_werkdag(dag):
            aantal -= 1
    return dag


def werkdagen_tussen(van: date, tot: date) -> int:
    """Aantal werkdagen na ``van`` tot en met ``tot`` (0 als tot <= van)."""
    aantal, dag = 0, van
    while dag < tot:
        dag += timedelta(days=1)
        if is_werkdag(dag):
            aantal += 1
    return aantal


def termijn(start: date, aantal: int, eenheid: str) -> date:
    """Een deadline in werkdagen, kalenderdagen of weken (seed 002 §1.3, seed 003)."""
    if eenheid == "werkdagen":
        return plus_werkdagen(start, aantal)
    if eenheid == "dagen":
        return start + timedelta(days=aantal)
    if eenheid == "weken":
        return start + timedelta(weeks=aantal)
    raise ValueError(f"Onbekende termijneenheid {eenheid!r}")
