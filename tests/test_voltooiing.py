"""Een vast statistiekantwoord wordt één keer voltooid per selectie, en toch per verzoek geaudit (issue 11).

The cells of closed months do not change while their versions do not, so GraphQL does not build the same
90,000 fields again (api/voltooiing.py). These tests guard what must stay true: the same answer, an audit
record for every request, a new completion for another selection, another role's view or a new month
version, and no reuse at all when the operation runs with the per-field guard.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.voltooiing import VasteLijst
from domein.opslag.tabellen import auditregel, statistiek_maand
from tests import test_statistiek_api
from tests.conftest import codes
from tests.hulp import WIJCHEN
from tests.test_statistiek_api import einde

geschiedenis = test_statistiek_api.geschiedenis
"""Last month's signalen of two aanbieders in three gemeenten (the fixture of tests/test_statistiek_api.py)."""

PER_STAP = """query($van: Date, $tot: Date) { signaalStatistiek(groepeerOp: [AANBIEDER, GEMEENTE, STAP],
  van: $van, tot: $tot) { aanbieder { naam } gemeente { code } stap aantal onderdrukt } }"""


@pytest.fixture
def voltooiingen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many fixed lists GraphQL actually completed (not reused)."""
    geteld: list[int] = []
    origineel = StrawberryGraphQLCoreExecutionContext.complete_list_value

    def tel(self: Any, return_type: Any, velden: Any, info: Any, path: Any, result: Any, *a: Any, **k: Any) -> Any:
        if isinstance(result, VasteLijst):
            geteld.append(len(result))
        return origineel(self, return_type, velden, info, path, result, *a, **k)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_list_value", tel)
    return geteld


async def _vraag(api: Any, rol: str, gemeente: str | None, query: str, g: dict[str, Any]) -> Any:
    m = g["maand"]
    antwoord = await api.als(rol, gemeente, query, {"van": m.isoformat(), "tot": einde(m).isoformat()})
    assert "errors" not in antwoord, antwoord
    return antwoord["data"]


async def _statistiekregels(api: Any) -> int:
    async with api.engine.connect() as conn:
        tel = sa.select(sa.func.count()).select_from(auditregel).where(auditregel.c.object_type == "statistiek")
        return int(await conn.scalar(tel) or 0)


async def test_hetzelfde_vaste_antwoord_wordt_eenmaal_voltooid_en_elke_keer_geaudit(api, geschiedenis, voltooiingen):
    eerste = await _vraag(api, "contractmanager", None, PER_STAP, geschiedenis)
    tweede = await _vraag(api, "contractmanager", None, PER_STAP, geschiedenis)
    assert tweede == eerste and eerste["signaalStatistiek"]
    assert len(voltooiingen) == 1, "het tweede verzoek hergebruikt de voltooide lijst"
    assert await _statistiekregels(api) == 2, "elke opvraging staat in het auditlog"


async def test_een_andere_selectie_of_een_andere_view_wordt_opnieuw_voltooid(api, geschiedenis, voltooiingen):
    await _vraag(api, "contractmanager", None, PER_STAP, geschiedenis)
    met_alias = PER_STAP.replace("aantal onderdrukt", "hoeveel: aantal onderdrukt")
    anders = await _vraag(api, "contractmanager", None, met_alias, geschiedenis)
    assert all("hoeveel" in c and "aantal" not in c for c in anders["signaalStatistiek"])
    eigen = await _vraag(api, "consulent", WIJCHEN, PER_STAP, geschiedenis)
    assert {c["gemeente"]["code"] for c in eigen["signaalStatistiek"]} == {WIJCHEN}
    assert len(voltooiingen) == 3


async def test_een_nieuwe_maandversie_geeft_een_nieuwe_voltooiing(api, geschiedenis, voltooiingen):
    await _vraag(api, "contractmanager", None, PER_STAP, geschiedenis)
    async with api.engine.begin() as conn:  # a late change to the month, as stapgebeurtenissen record it
        await conn.execute(
            statistiek_maand.update()
            .where(statistiek_maand.c.maand == f"{geschiedenis['maand']:%Y-%m}")
            .values(versie=statistiek_maand.c.versie + 1)
        )
    await _vraag(api, "contractmanager", None, PER_STAP, geschiedenis)
    assert len(voltooiingen) == 2


async def test_met_een_geweigerd_veld_wordt_niets_hergebruikt(api, geschiedenis, voltooiingen):
    met_weigering = PER_STAP.replace("onderdrukt } }", 'onderdrukt } casus(id: "Q2FzdXM6eA") { status } }')
    for _ in range(2):
        m = geschiedenis["maand"]
        antwoord = await api.als(
            "contractmanager", None, met_weigering, {"van": m.isoformat(), "tot": einde(m).isoformat()}
        )
        assert "FORBIDDEN" in codes(antwoord), antwoord
    assert len(voltooiingen) == 2, "onder de bewaking per veld wordt elke keer opnieuw voltooid"


def test_voltooide_lijsten_blijven_samen_binnen_het_maximum():
    from api.voltooiing import Voltooid

    voltooid = Voltooid(maximaal=10)
    voltooid.zet(("a",), [1] * 6)
    voltooid.zet(("b",), [2] * 3)
    assert voltooid.get(("a",)) is not None  # a is now used more recently than b
    voltooid.zet(("c",), [3] * 4)
    assert voltooid.get(("b",)) is None and voltooid.get(("a",)) is not None and voltooid.get(("c",)) is not None
    voltooid.zet(("groot",), [4] * 11)
    assert voltooid.get(("groot",)) is None, "een lijst boven het maximum wordt niet bewaard"
