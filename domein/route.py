"""Routes als gegevens: stappen, verplichte vastleggingen, toegestane overgangen, eindtoestanden, termijnen.

Regions differ, so a route is a definition file (TOML in ``domein/routes/``), not code. Who may
perform a transition is decided by the policy: resource ``route.<naam>.<naar>`` in beleid.csv, within
the bound the definition sets (``wie`` per toestand, checked by domein/doelbinding.py).
A new region's route is a new file plus policy lines.

A termijn names its ``bron``: a seed article where the seed sets it, otherwise ``regionale standaard``
(a regional choice that an installation may change, see ``met_termijnen``). With ``vanaf`` the clock
runs from a recorded date (e.g. the first conversation, seed 002 §1.3) instead of from entering the toestand.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from domein.actor import Rol
from domein.fouten import OngeldigeInvoer, OngeldigeOvergang, StappenOnvolledig
from domein.waarden import controleer_tekst
from domein.werkdagen import termijn

MAP = Path(__file__).parent / "routes"
SOORTEN = frozenset({"tekst", "datum", "ja_nee", "keuze", "keuzes"})
EENHEDEN = frozenset({"werkdagen", "dagen", "weken"})
RMZ_ZELF_ONTVANGEN = "RMZ_ZELF_ONTVANGEN"
"""Ladderstap of a melding the RMZ received itself from an inwoner, professional or verwijzer (issue 10)."""
LADDERSTAPPEN = frozenset({"STAP_1", "STAP_2", "STAP_3", "STAP_4", "DIRECTE_MELDING", RMZ_ZELF_ONTVANGEN})
REGIONALE_STANDAARD = "regionale standaard"
# Verantwoording and beheer never take a step of a route: that is uitvoering of a melding or signaal.
_STAPROLLEN = frozenset(Rol) - {Rol.PRIVACY_OFFICER, Rol.BEHEERDER}


@dataclass(frozen=True)
class Veld:
    naam: str
    soort: str
    titel: str
    opties: tuple[str, ...] = ()

    def normaliseer(self, waarde: Any) -> Any:
        """Controleert één waarde; geeft de opslagvorm terug of werpt ``OngeldigeInvoer`` op."""
        fout = OngeldigeInvoer(f"'{self.naam}' ({self.titel}) heeft een ongeldige waarde.", veld=self.naam)
        if self.soort == "tekst":
            if not isinstance(waarde, str) or not waarde.strip() or len(waarde) > 10_000:
                raise fout
            return controleer_tekst(waarde, self.naam, maximaal=10_000)  # the one check for every free text
        if self.soort == "datum":
            try:
                return date.fromisoformat(str(waarde)).isoformat()
            except ValueError:
                raise fout from None
        if self.soort == "ja_nee":
            if not isinstance(waarde, bool):
                raise fout
            return waarde
        if self.soort == "keuze":
            if waarde not in self.opties:
                raise OngeldigeInvoer(f"Kies voor '{self.naam}' uit: {', '.join(self.opties)}.", veld=self.naam)
            return waarde
        if not isinstance(waarde, list) or not waarde or any(w not in self.opties for w in waarde):
            raise OngeldigeInvoer(f"Kies voor '{self.naam}' een of meer uit: {', '.join(self.opties)}.", veld=self.naam)
        return sorted(set(waarde))


@dataclass(frozen=True)
class Termijn:
    aantal: int
    eenheid: str
    titel: str
    bron: str = REGIONALE_STANDAARD
    """The seed article that sets this termijn, or ``regionale standaard`` when no seed does."""
    vanaf: str | None = None
    """A date field: the clock runs from that recorded date, not from entering the toestand."""

    @property
    def regionaal(self) -> bool:
        """A regional choice (default or set by the installation), not a rule from a seed."""
        return not self.bron.startswith("seed")

    def deadline(self, vanaf: date) -> date:
        return termijn(vanaf, self.aantal, self.eenheid)


@dataclass(frozen=True)
class Toestand:
    code: str
    titel: str
    verplicht: tuple[str, ...]
    eind: bool = False
    termijn: Termijn | None = None
    gevolg: str | None = None
    volledig: tuple[str, ...] = ()
    """What 'fully documented' means for later steps (seed 000: the RMZ wants steps 1 and 2 complete);
    defaults to ``verplicht``. Recording may start lighter and be supplemented (``aanvulling``)."""
    ladderstap: str | None = None
    """Where entering this toestand counts in the statistics (a ``Ladderstap``); see domein/stapgebeurtenissen."""
    vereist_waar: Mapping[str, str] = field(default_factory=dict)
    """Ja/nee-fields that must be 'ja' here (field → why, with the seed article), e.g. both parties agree."""
    wie: tuple[Rol, ...] = ()
    """The roles that may take this step at all: the bound on ``route.<naam>.<code>`` (domein/doelbinding)."""

    @property
    def voor_volledig(self) -> tuple[str, ...]:
        return self.volledig or self.verplicht


@dataclass(frozen=True)
class Overgang:
    van: str
    naar: str
    vereist_volledig: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stapbesluit:
    """Het resultaat van een toegestane overgang: de nieuwe toestand, de vastlegging en de termijn."""

    naar: Toestand
    gegevens: dict[str, Any]
    termijn: date | None


@dataclass(frozen=True)
class Route:
    naam: str
    titel: str
    bron: str
    start: str
    velden: Mapping[str, Veld]
    toestanden: Mapping[str, Toestand]
    overgangen: tuple[Overgang, ...]

    def resource(self, naar: str) -> str:
        """De beleidsresource voor het uitvoeren van een overgang naar ``naar``."""
        return f"route.{self.naam}.{naar}"

    def volgende(self, van: str) -> list[str]:
        return [o.naar for o in self.overgangen if o.van == van]

    def _gegevens(self, toestand: Toestand, invoer: Mapping[str, Any]) -> dict[str, Any]:
        onbekend = sorted(set(invoer) - set(self.velden))
        if onbekend:
            raise OngeldigeInvoer(f"Onbekende velden voor route {self.naam}: {', '.join(onbekend)}.", veld=onbekend[0])
        schoon = {k: self.velden[k].normaliseer(v) for k, v in invoer.items() if v is not None}
        ontbreekt = [v for v in toestand.verplicht if v not in schoon]
        if ontbreekt:
            titels = "; ".join(f"{v} ({self.velden[v].titel})" for v in ontbreekt)
            raise OngeldigeInvoer(f"Leg voor '{toestand.titel}' ook vast: {titels}.", veld=ontbreekt[0])
        for v, reden in toestand.vereist_waar.items():
            if v in schoon and schoon[v] is not True:
                raise OngeldigeInvoer(
                    f"'{v}' ({self.velden[v].titel}) moet 'ja' zijn voor '{toestand.titel}'. {reden}", veld=v
                )
        return schoon

    def _deadline(
        self,
        toestand: Toestand,
        vandaag: date,
        gegevens: Mapping[str, Any],
        vastgelegd: Mapping[str, Mapping[str, Any]],
    ) -> date | None:
        """Without ``vanaf`` the clock starts today; with it, at the recorded date (none recorded: no clock yet)."""
        tm = toestand.termijn
        if tm is None:
            return None
        if tm.vanaf is None:
            return tm.deadline(vandaag)
        start = gegevens.get(tm.vanaf) or next(
            (g[tm.vanaf] for g in reversed(list(vastgelegd.values())) if g.get(tm.vanaf)), None
        )
        return tm.deadline(date.fromisoformat(start)) if start else None

    def termijn_na_aanvulling(self, toestand: str, vastgelegd: Mapping[str, Mapping[str, Any]]) -> date | None:
        """The deadline of ``toestand`` once its ``vanaf`` date is (newly) recorded; None if it has no such clock."""
        stap = self.toestanden[toestand]
        if stap.termijn is None or stap.termijn.vanaf is None:
            return None
        return self._deadline(stap, date.min, vastgelegd.get(toestand, {}), vastgelegd)

    def begin(self, invoer: Mapping[str, Any], vandaag: date) -> Stapbesluit:
        toestand = self.toestanden[self.start]
        gegevens = self._gegevens(toestand, invoer)
        return Stapbesluit(toestand, gegevens, self._deadline(toestand, vandaag, gegevens, {}))

    def overgang(
        self,
        van: str,
        naar: str,
        invoer: Mapping[str, Any],
        vastgelegd: Mapping[str, Mapping[str, Any]],
        vandaag: date,
    ) -> Stapbesluit:
        """Controleert een overgang tegen de definitie; ``vastgelegd`` = toestand → wat daar is vastgelegd."""
        huidige = self.toestanden[van]
        doel = self.toestanden.get(naar)
        regel = next((o for o in self.overgangen if o.van == van and o.naar == naar), None)
        if huidige.eind or doel is None or regel is None:
            mogelijk = ", ".join(self.volgende(van)) or "geen (eindtoestand)"
            raise OngeldigeOvergang(
                f"Van '{huidige.titel}' kan niet naar '{naar}'. Mogelijke vervolgstappen: {mogelijk}."
            )
        for eerder in regel.vereist_volledig:
            stap = self.toestanden[eerder]
            gedaan = vastgelegd.get(eerder) or {}
            ontbreekt = [v for v in stap.voor_volledig if gedaan.get(v) in (None, "", [])]
            if ontbreekt:
                titels = "; ".join(f"{v} ({self.velden[v].titel})" for v in ontbreekt)
                raise StappenOnvolledig(
                    f"'{stap.titel}' is niet volledig vastgelegd. Vul die stap eerst aan met: {titels}."
                )
        gegevens = self._gegevens(doel, invoer)
        return Stapbesluit(doel, gegevens, self._deadline(doel, vandaag, gegevens, vastgelegd))

    def aanvulling(self, toestand: str, invoer: Mapping[str, Any], vastgelegd: Mapping[str, Any]) -> dict[str, Any]:
        """Vult de vastlegging van een al doorlopen stap aan (geen overgang; de huidige stap blijft)."""
        if toestand not in vastgelegd or self.toestanden[toestand].eind:
            raise OngeldigeOvergang("Alleen een eerder doorlopen, niet-afgesloten stap kan worden aangevuld.")
        stap = self.toestanden[toestand]
        leeg = Toestand(toestand, stap.titel, (), vereist_waar=stap.vereist_waar)  # nothing new required
        schoon = self._gegevens(leeg, invoer)
        if not schoon:
            raise OngeldigeInvoer("Geef minstens één veld om de stap mee aan te vullen.")
        return schoon


def _fout(pad: Path, bericht: str) -> ValueError:
    return ValueError(f"Routedefinitie {pad.name}: {bericht}")


def laad_route(pad: Path) -> Route:
    """Leest en controleert één definitie; een fout erin houdt de dienst tegen bij het starten."""
    ruw = tomllib.loads(pad.read_text(encoding="utf-8"))
    velden = {}
    for naam, v in ruw.get("velden", {}).items():
        if v.get("soort") not in SOORTEN:
            raise _fout(pad, f"veld {naam} heeft een onbekende soort {v.get('soort')!r}")
        if v["soort"] in ("keuze", "keuzes") and not v.get("opties"):
            raise _fout(pad, f"veld {naam} mist opties")
        velden[naam] = Veld(naam, v["soort"], v.get("titel", naam), tuple(v.get("opties", ())))
    toestanden = {}
    for t in ruw.get("toestanden", []):
        onbekend = [v for v in [*t.get("verplicht", []), *t.get("volledig", [])] if v not in velden]
        if onbekend:
            raise _fout(pad, f"toestand {t['code']} verplicht onbekende velden {onbekend}")
        tm = t.get("termijn")
        if t.get("ladderstap") not in (None, *LADDERSTAPPEN):
            raise _fout(pad, f"toestand {t['code']} heeft een onbekende ladderstap; kies uit {sorted(LADDERSTAPPEN)}")
        if tm is not None and tm.get("eenheid") not in EENHEDEN:
            raise _fout(pad, f"toestand {t['code']} heeft een onbekende termijneenheid")
        vanaf = (tm or {}).get("vanaf")
        if vanaf is not None and (vanaf not in velden or velden[vanaf].soort != "datum"):
            raise _fout(pad, f"toestand {t['code']}: termijn vanaf {tm['vanaf']!r} is geen datumveld")
        waar = dict(t.get("vereist_waar", {}))
        for v in waar:
            # Required as well, so 'not recorded' cannot slip past 'must be ja'.
            if v not in velden or velden[v].soort != "ja_nee" or v not in t.get("verplicht", []):
                raise _fout(pad, f"toestand {t['code']}: vereist_waar {v!r} moet een verplicht ja_nee-veld zijn")
        wie = t.get("wie", [])
        if any(r not in _STAPROLLEN for r in wie):
            raise _fout(pad, f"toestand {t['code']}: wie mag alleen {sorted(_STAPROLLEN)} noemen")
        toestanden[t["code"]] = Toestand(
            t["code"],
            t.get("titel", t["code"]),
            tuple(t.get("verplicht", [])),
            bool(t.get("eind", False)),
            Termijn(
                int(tm["aantal"]),
                tm["eenheid"],
                tm.get("titel", ""),
                tm.get("bron", REGIONALE_STANDAARD),
                tm.get("vanaf"),
            )
            if tm
            else None,
            t.get("gevolg"),
            tuple(t.get("volledig", [])),
            t.get("ladderstap"),
            {str(k): str(v) for k, v in waar.items()},
            tuple(Rol(r) for r in wie),
        )
    overgangen = tuple(
        Overgang(o["van"], o["naar"], tuple(o.get("vereist_volledig", []))) for o in ruw.get("overgangen", [])
    )
    # Names end up in audit records (verwerkingsactiviteit, at most 120 characters: "<naam>: <code> aangevuld").
    if len(str(ruw.get("naam", ""))) > 30 or any(len(c) > 28 for c in toestanden):
        raise _fout(pad, "routenaam hoogstens 30 tekens, toestandcodes hoogstens 28")
    if ruw.get("start") not in toestanden:
        raise _fout(pad, "de starttoestand bestaat niet")
    for o in overgangen:
        if o.van not in toestanden or o.naar not in toestanden or any(v not in toestanden for v in o.vereist_volledig):
            raise _fout(pad, f"overgang {o.van} → {o.naar} noemt een onbekende toestand")
    return Route(
        ruw["naam"], ruw.get("titel", ruw["naam"]), ruw.get("bron", ""), ruw["start"], velden, toestanden, overgangen
    )


def laad_routes(*mappen: Path) -> dict[str, Route]:
    """Alle definities uit de standaardmap plus eventuele extra mappen (bijv. een regio-eigen map)."""
    routes: dict[str, Route] = {}
    for m in (MAP, *mappen):
        for pad in sorted(m.glob("*.toml")):
            route = laad_route(pad)
            if route.naam in routes:
                raise _fout(pad, f"de routenaam {route.naam} bestaat al")
            routes[route.naam] = route
    return routes


@lru_cache(maxsize=1)
def standaard_routes() -> dict[str, Route]:
    """De meegeleverde definities, één keer geladen per proces."""
    return laad_routes()


def met_termijnen(routes: Mapping[str, Route], aantallen: Mapping[str, int]) -> dict[str, Route]:
    """Routes met regionaal ingestelde termijnen: ``"<route>.<toestand>" → aantal`` (eenheid blijft).

    A key naming no termijn, or a count below 1, is a configuration error that stops start-up; the
    changed termijn says so in its ``bron``.
    """
    uit = dict(routes)
    for sleutel, aantal in aantallen.items():
        naam, _, code = sleutel.partition(".")
        route = uit.get(naam)
        toestand = route.toestanden.get(code) if route else None
        if route is None or toestand is None or toestand.termijn is None:
            bekend = sorted(f"{r.naam}.{t.code}" for r in routes.values() for t in r.toestanden.values() if t.termijn)
            raise ValueError(f"Termijninstelling {sleutel!r}: geen route.toestand met een termijn; kies uit {bekend}.")
        if not isinstance(aantal, int) or isinstance(aantal, bool) or aantal < 1:
            raise ValueError(f"Termijninstelling {sleutel!r}: geef een geheel aantal van minstens 1.")
        oud = toestand.termijn
        tm = replace(
            oud, aantal=aantal, bron=f"regionale instelling (standaard {oud.aantal} {oud.eenheid}: {oud.bron})"
        )
        uit[naam] = replace(route, toestanden={**route.toestanden, code: replace(toestand, termijn=tm)})
    return uit
