"""Date en DateTime met een venster: elke datum in elk argument en invoerveld ligt tussen 1900 en 2100.

One general check instead of one per argument: a date outside ``domein.waarden``'s window is a typo,
and date arithmetic near the year 9999 (a termijn added, the day after 'tot') overflows. Names and
descriptions are Strawberry's own, so the exported schema does not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import dateutil.parser
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from domein.fouten import OngeldigeInvoer
from domein.waarden import controleer_datum


def _binnen_venster(lees: Callable[[str], Any], soort: str) -> Callable[[object], object]:
    def inner(waarde: object) -> object:
        if not isinstance(waarde, str):
            raise StrawberryInputCoercionError(f"Geen {soort}: verwacht tekst (ISO 8601).")
        try:
            # The value is not echoed: it may be a geboortedatum (persoonsgegeven), or a BSN typed in the wrong field.
            return controleer_datum(lees(waarde), soort)
        except (ValueError, OverflowError):
            raise StrawberryInputCoercionError(
                f"Dit is geen {soort} (ISO 8601, bijvoorbeeld 2024-03-01 of 2024-03-01T09:30:00+01:00)."
            ) from None
        except OngeldigeInvoer as e:
            raise StrawberryInputCoercionError(e.bericht) from None

    return inner


def _met_venster(basis: ScalarDefinition, lees: Callable[[str], Any]) -> ScalarDefinition:
    return ScalarDefinition(
        name=basis.name,
        description=basis.description,
        specified_by_url=basis.specified_by_url,
        serialize=basis.serialize,
        parse_value=_binnen_venster(lees, basis.name),
        parse_literal=None,
        origin=basis.origin,
    )


DATUM_SCALARS: dict[object, Any] = {
    dt.date: _met_venster(DateDefinition, dt.date.fromisoformat),
    dt.datetime: _met_venster(DateTimeDefinition, dateutil.parser.isoparse),
}
