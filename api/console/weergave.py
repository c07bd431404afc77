"""Weergave voor mensen: tijden in Europe/Amsterdam met de zone erbij, namen in plaats van codes, resterende tijd."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

_UITKOMSTEN = {"geslaagd": "geslaagd", "geweigerd": "geweigerd", "niet_gevonden": "niet gevonden"}


def lees_tijd(waarde: str | datetime | None) -> datetime | None:
    """Een ISO-tijd uit een GraphQL-antwoord; zonder zone is het UTC (zo slaat de API tijden op)."""
    if waarde is None or waarde == "":
        return None
    t = waarde if isinstance(waarde, datetime) else datetime.fromisoformat(str(waarde))
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def tijd(waarde: str | datetime | None) -> str:
    """'3 december 2026 19:05 CET': de lokale tijd van de regio, met de zone (CET of CEST) erbij."""
    t = lees_tijd(waarde)
    if t is None:
        return "–"
    lokaal = t.astimezone(AMSTERDAM)
    return f"{lokaal.day} {_MAANDEN[lokaal.month - 1]} {lokaal.year} {lokaal:%H:%M} {lokaal.tzname()}"


def datum(waarde: str | datetime | None) -> str:
    """'3 december 2026' (lokale datum in Amsterdam)."""
    t = lees_tijd(waarde)
    if t is None:
        return "–"
    lokaal = t.astimezone(AMSTERDAM)
    return f"{lokaal.day} {_MAANDEN[lokaal.month - 1]} {lokaal.year}"


def resterend(uren: float | None) -> str:
    """De tijd tot de AP-deadline in woorden: 'nog 2 dagen en 4 uur', of 'verstreken sinds 3 uur'."""
    if uren is None:
        return "gemeld"
    minuten = round(abs(uren) * 60)
    dagen, rest = divmod(minuten, 24 * 60)
    u, m = divmod(rest, 60)
    delen = []
    if dagen:
        delen.append(f"{dagen} {'dag' if dagen == 1 else 'dagen'}")
    if u:
        delen.append(f"{u} uur")
    if m and not dagen:
        delen.append(f"{m} {'minuut' if m == 1 else 'minuten'}")
    tekst = " en ".join(delen) or "minder dan een minuut"
    return f"nog {tekst}" if uren >= 0 else f"verstreken sinds {tekst}"


def uitkomst(waarde: str) -> str:
    return _UITKOMSTEN.get(waarde, waarde)


def naam_van(code: str | None, namen: dict[str, str]) -> str:
    """Gemeentenaam voor een CBS-code; een organisatie die geen gemeente is (ROB) blijft zoals ze is."""
    if not code:
        return "–"
    return namen.get(code, code)


def gemaskeerd_bsn(bsn: str) -> str:
    """Alleen de laatste drie cijfers: genoeg om te herkennen, te weinig om te misbruiken op papier of scherm."""
    return "•" * max(0, len(bsn) - 3) + bsn[-3:]
