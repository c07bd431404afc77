"""Casbin als beslisser: leest model.conf, beleid.csv (de matrix) en velden.csv (veld → resource).

Run-time changes by a beheerder (``domein.beleidsbeheer``) are applied in order on top of the files;
``met_wijzigingen`` builds a fresh, immutable beslisser for each policy version. Every decision is
cached per (rol, object, actie) within one beslisser; a field guard asks it for every resolved field.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import casbin
from casbin import persist

from domein.actor import Actor, Rol
from domein.beleidsbeheer import Soort, Wijziging
from domein.toegang import GEWEIGERD, Actie, Beleidsregel, Bereik, Besluit

MAP = Path(__file__).parent
MODEL = MAP / "model.conf"
BELEID = MAP / "beleid.csv"
VELDEN = MAP / "velden.csv"

DOELEN = frozenset({"uitvoering", "kwaliteit_handhaving", "contractmanagement", "verantwoording", "beheer"})


def _regels(pad: Path) -> list[str]:
    return [r.strip() for r in pad.read_text(encoding="utf-8").splitlines() if r.strip() and not r.startswith("#")]


def _p_regel(r: Beleidsregel) -> str:
    return "p, " + ", ".join(r.als_tupel())


class _Regels(persist.Adapter):
    """Laadt de matrix en de veldkoppelingen: de regels uit de CSV-bestanden plus de wijzigingen."""

    def __init__(self, regels: list[str]) -> None:
        self._regels = regels

    def load_policy(self, model: Any) -> None:
        for regel in self._regels:
            persist.load_policy_line(regel, model)


def _toegepast(paden: Sequence[Path], wijzigingen: Sequence[Wijziging]) -> list[str]:
    regels = list(dict.fromkeys(r for pad in paden for r in _regels(pad)))
    for w in wijzigingen:
        regel = _p_regel(w.regel)
        if w.soort is Soort.TOEVOEGEN and regel not in regels:
            regels.append(regel)
        elif w.soort is Soort.VERWIJDEREN and regel in regels:
            regels.remove(regel)
    return regels


class CasbinBeslisser:
    def __init__(
        self,
        beleid: Path = BELEID,
        velden: Path = VELDEN,
        model: Path = MODEL,
        extra: tuple[Path, ...] = (),
        wijzigingen: Sequence[Wijziging] = (),
    ) -> None:
        """``extra``: beleidsbestanden van een regio-eigen route, naast de standaardmatrix."""
        self._bron = (beleid, velden, model, extra)
        self.versie = wijzigingen[-1].id if wijzigingen else 0
        paden = (beleid, velden, *extra)
        self._enforcer = casbin.Enforcer(str(model), _Regels(_toegepast(paden, wijzigingen)))
        self._valideer()
        self._beslis = lru_cache(maxsize=4096)(self._beslis_ongecached)
        self._doel = {r.rol: r.doel for r in self.regels()}

    def _valideer(self) -> None:
        for r in self.regels():
            if r.rol not in set(Rol):
                raise ValueError(f"Beleidsregel met onbekende rol {r.rol!r}")
            if r.actie not in set(Actie):
                raise ValueError(f"Beleidsregel met onbekende actie {r.actie!r}")
            if r.bereik not in set(Bereik):
                raise ValueError(f"Beleidsregel met onbekend bereik {r.bereik!r}")
            if r.doel not in DOELEN:
                raise ValueError(f"Beleidsregel met onbekend doel {r.doel!r}")

    def _beslis_ongecached(self, rol: str, obj: str, actie: str) -> Besluit:
        toegestaan, uitleg = self._enforcer.enforce_ex(rol, obj, actie)
        if not toegestaan or not uitleg:
            return GEWEIGERD
        return Besluit(True, Bereik(uitleg[3]), uitleg[4])

    def beslis(self, actor: Actor, resource: str, actie: Actie) -> Besluit:
        return self._beslis(str(actor.rol), resource, str(actie))

    def doel_van(self, actor: Actor) -> str:
        return self._doel.get(str(actor.rol), "onbekend")

    def met_wijzigingen(self, wijzigingen: Sequence[Wijziging]) -> CasbinBeslisser:
        """Dezelfde bestanden met de wijzigingen tot nu toe: het beleid van de nieuwste versie."""
        beleid, velden, model, extra = self._bron
        return CasbinBeslisser(beleid, velden, model, extra, wijzigingen)

    def regels(self) -> list[Beleidsregel]:
        return [Beleidsregel(*p[:5]) for p in self._enforcer.get_policy()]

    def bekende_resources(self) -> set[str]:
        return {r.resource for r in self.regels()} | set(self.velden().values())

    def velden(self) -> dict[str, str]:
        """GraphQL-veld (``Type.veld``) → resource, zoals velden.csv het vastlegt."""
        return {g[0]: g[1] for g in self._enforcer.get_grouping_policy()}

    def resource_van(self, veld: str) -> str | None:
        return self._velden().get(veld)

    @lru_cache(maxsize=1)  # noqa: B019 - one beslisser per process, lives as long as the app
    def _velden(self) -> dict[str, str]:
        return self.velden()
