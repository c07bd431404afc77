"""Stapgebeurtenissen: de feiten onder de statistiek, bijgehouden in de transactie van elke stap.

A *stapgebeurtenis* is one signaal or melding entering a stap of the ladder (a route toestand with a
``ladderstap``). It is counted in the month it was entered, which never changes afterwards, so the
counts of a past month are fixed and cannot be differenced over time. It also keeps what the
doorlooptijden need: the deadline of the first action (the toestand's termijn), the day of the first
action, and the day the stap was left (the next ladderstap or an eindtoestand). No persoonsgegevens.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa

from domein.opslag.tabellen import stapgebeurtenis, statistiek_maand
from domein.opslag.upsert import upsert
from domein.route import Stapbesluit
from domein.verzoek import Verzoek
from domein.werkdagen import werkdagen_tussen


def maand_van(dag: date) -> str:
    return f"{dag.year:04d}-{dag.month:02d}"


async def _raak(vz: Verzoek, maanden: set[str]) -> None:
    """Verhoogt de versie van elke geraakte maand (upsert, in dezelfde transactie)."""
    for maand in sorted(maanden):
        await upsert(
            vz.conn,
            statistiek_maand,
            [{"maand": maand, "versie": 1}],
            ["maand"],
            {"versie": statistiek_maand.c.versie + 1},
        )


async def _open_gebeurtenis(vz: Verzoek, zaak_id: str) -> Any:
    query = sa.select(
        stapgebeurtenis.c.id, stapgebeurtenis.c.maand, stapgebeurtenis.c.begonnen_op, stapgebeurtenis.c.eerste_actie_op
    ).where(stapgebeurtenis.c.zaak_id == zaak_id, stapgebeurtenis.c.afgerond_op.is_(None))
    return (await vz.conn.execute(query)).first()


async def _sluit(vz: Verzoek, zaak_id: str, vandaag: date, eind: bool) -> set[str]:
    open_ = await _open_gebeurtenis(vz, zaak_id)
    if open_ is None or (not eind and open_.eerste_actie_op is not None):
        return set()
    waarden: dict[str, object] = {"eerste_actie_op": open_.eerste_actie_op or vandaag}
    if eind:
        waarden |= {"afgerond_op": vandaag, "doorlooptijd": werkdagen_tussen(open_.begonnen_op, vandaag)}
    await vz.conn.execute(stapgebeurtenis.update().where(stapgebeurtenis.c.id == open_.id).values(**waarden))
    return {open_.maand}


class Zaak(Protocol):
    """A signaal or a melding: what a stapgebeurtenis needs to know about it."""

    @property
    def id(self) -> str: ...
    @property
    def gemeente_code(self) -> str: ...
    @property
    def aanbieder_id(self) -> str: ...
    @property
    def categorie(self) -> str: ...


async def stap_gezet(vz: Verzoek, zaak: Zaak, stap: Stapbesluit) -> None:
    """Een zaak kwam in de toestand van ``stap``: sluit de lopende stap af en/of opent een nieuwe."""
    zaak_id, naar, termijn = zaak.id, stap.naar, stap.termijn
    gemeente, aanbieder_id, categorie = zaak.gemeente_code, zaak.aanbieder_id, zaak.categorie
    vandaag = vz.nu().date()
    nieuw = naar.ladderstap is not None
    geraakt = await _sluit(vz, zaak_id, vandaag, eind=nieuw or naar.eind)
    if nieuw:
        await vz.conn.execute(
            stapgebeurtenis.insert().values(
                zaak_id=zaak_id,
                maand=maand_van(vandaag),
                aanbieder_id=aanbieder_id,
                gemeente_code=gemeente,
                stap=naar.ladderstap,
                categorie=categorie,
                begonnen_op=vandaag,
                termijn=termijn,
            )
        )
        geraakt.add(maand_van(vandaag))
    await _raak(vz, geraakt)


async def actie_vastgelegd(vz: Verzoek, zaak_id: str) -> None:
    """Een vastlegging zonder stapwissel (een aanvulling): telt als eerste actie in de lopende stap."""
    open_ = await _open_gebeurtenis(vz, zaak_id)
    if open_ is None or open_.eerste_actie_op is not None:
        return
    await vz.conn.execute(
        stapgebeurtenis.update().where(stapgebeurtenis.c.id == open_.id).values(eerste_actie_op=vz.nu().date())
    )
    await _raak(vz, {open_.maand})
