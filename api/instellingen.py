"""Eén instellingenobject (pydantic-settings), één keer gebouwd en aan de app-fabriek gegeven."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.oidc import OidcUitgever, lees_bestand, lees_uitgevers
from domein.bewaartermijn import Bewaartermijnen, Duur
from domein.opslag.db import STANDAARD_SQLITE_URL
from domein.route import Route, met_termijnen, standaard_routes


@dataclass(frozen=True)
class Beheer:
    """Wat de app-fabriek voor beheer aan ``maak_app`` geeft: /metrics en traces."""

    metrics: bool = False
    metrics_token: str | None = field(default=None, repr=False)
    sporen: bool = False


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGIEKAMER_", extra="ignore")

    database_url: str = Field(
        default=STANDAARD_SQLITE_URL, validation_alias=AliasChoices("DATABASE_URL", "REGIEKAMER_DATABASE_URL")
    )
    data_map: Path = Path(".regiekamer")
    demo: bool = False
    ontwikkeling: bool = False
    graphiql: bool | None = Field(
        default=None,
        description="GraphiQL op GET /graphql: standaard aan in demo- en ontwikkelmodus, anders uit.",
    )
    jwks_url: str | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str = "regiekamer"
    oidc_issuers: list[OidcUitgever] = Field(
        default_factory=list,
        description="OIDC-uitgevers als JSON-lijst (docs/koppelen.md); in plaats van JWKS_URL/JWT_PUBLIC_KEY.",
    )
    oidc_bestand: Path | None = Field(default=None, description="TOML-bestand met [[uitgever]]-tabellen.")
    pseudoniem_sleutel: str | None = None
    max_body_bytes: int = 100_000
    max_batch: int = 5
    max_json_diepte: int = Field(default=32, ge=2, description="Nesting van de JSON-body (objecten en lijsten).")
    verzoek_seconden: float = Field(default=30, gt=0, description="Een langere GraphQL-operatie wordt afgebroken.")
    statement_seconden: float = Field(default=20, ge=0, description="PostgreSQL statement_timeout; 0 = geen.")
    body_seconden: float = Field(default=10, gt=0, description="Zo lang mag een client over de body doen.")
    kop_seconden: float = Field(default=10, gt=0, description="Zo lang mag een client over de kopteksten doen.")
    keep_alive_seconden: int = Field(default=5, gt=0, description="Een stille keep-aliveverbinding gaat daarna dicht.")
    k_drempel: int = Field(default=5, ge=2, description="Kleinste groep die de statistiek toont (toegang.md regel 5).")
    afwijking_procent: int = Field(
        default=10, ge=0, le=100, description="Onderbenutting die een afwijkingssignaal geeft."
    )

    bewaartermijn_casus: str = Field(default="P15Y", description="Na sluiten van een casus (zie README).")
    bewaartermijn_melding_rmz: str = Field(default="P5Y", description="Na afronden van een RMZ-melding.")
    bewaartermijn_melding_contractmanager: str = Field(default="P5Y", description="Na afronden, directe route.")
    termijnen: dict[str, int] = Field(
        default_factory=dict,
        description='Regionale termijnen als JSON, bijv. {"rmz-melding.ONTVANGEN": 3}; eenheid als in de route.',
    )

    @field_validator("termijnen")
    @classmethod
    def _termijnen(cls, waarde: dict[str, int]) -> dict[str, int]:
        met_termijnen(standaard_routes(), waarde)  # raises with a Dutch message on an unknown key or bad count
        return waarde

    def oidc_uitgevers(self) -> list[OidcUitgever]:
        """De OIDC-uitgevers uit REGIEKAMER_OIDC_ISSUERS en REGIEKAMER_OIDC_BESTAND samen; elke issuer één keer."""
        uit_bestand = lees_bestand(self.oidc_bestand) if self.oidc_bestand else []
        return lees_uitgevers([u.model_dump() for u in [*self.oidc_issuers, *uit_bestand]])

    # Beheer (docs/beheer.md): logs, metrics, traces.
    log_formaat: Literal["json", "tekst"] | None = Field(
        default=None, description="json of tekst; standaard json voor 'serve' buiten demo, anders tekst."
    )
    log_niveau: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Logniveau.")
    metrics: bool = Field(default=False, description="GET /metrics aan (Prometheus); standaard uit.")
    metrics_token: str | None = Field(
        default=None,
        repr=False,
        description="Bearer-token dat /metrics vraagt; zonder: elke client die de poort bereikt.",
    )
    sporen: bool = Field(default=False, description="OpenTelemetry-traces (vraagt de extra [otel]).")

    def logformaat(self, serve_buiten_demo: bool) -> Literal["json", "tekst"]:
        if self.log_formaat is not None:
            return self.log_formaat
        return "json" if serve_buiten_demo else "tekst"

    def beheer(self) -> Beheer:
        return Beheer(metrics=self.metrics, metrics_token=self.metrics_token or None, sporen=self.sporen)

    def pseudoniem_sleutel_uit_bestand(self) -> Path | None:
        """Het sleutelbestand in de datamap als de sleutel niet ingesteld is (dan heeft elke host een eigen)."""
        return None if self.pseudoniem_sleutel else self.data_map / "pseudoniem.key"

    def routes(self) -> dict[str, Route]:
        """De meegeleverde routes met de ingestelde termijnen (README: Routes als gegevens)."""
        return met_termijnen(standaard_routes(), self.termijnen)

    @field_validator("bewaartermijn_casus", "bewaartermijn_melding_rmz", "bewaartermijn_melding_contractmanager")
    @classmethod
    def _duur(cls, waarde: str) -> str:
        Duur.lees(waarde)  # raises with a Dutch message on a bad value
        return waarde

    def bewaartermijnen(self) -> Bewaartermijnen:
        return Bewaartermijnen(
            casus=Duur.lees(self.bewaartermijn_casus),
            melding_rmz=Duur.lees(self.bewaartermijn_melding_rmz),
            melding_contractmanager=Duur.lees(self.bewaartermijn_melding_contractmanager),
        )

    def uvicorn_tijdslimieten(self) -> dict[str, Any]:
        """Tijdslimieten voor trage of stille clients, als argumenten van uvicorn.run."""
        from api.trage_clients import begrensd_protocol

        return {"timeout_keep_alive": self.keep_alive_seconden, "http": begrensd_protocol(self.kop_seconden)}

    def graphiql_aan(self) -> bool:
        """GraphiQL alleen in demo of ontwikkeling; ``REGIEKAMER_GRAPHIQL`` beslist als het gezet is."""
        return (self.demo or self.ontwikkeling) if self.graphiql is None else self.graphiql

    @property
    def introspectie(self) -> bool:
        return self.demo or self.ontwikkeling

    def pseudoniem_sleutel_bytes(self) -> bytes:
        """De sleutel voor pseudoniemen; zonder configuratie één keer gemaakt en in de datamap bewaard.

        Race-free: the key is written whole to a private temporary file and then linked into place,
        which fails if the file exists. Of processes starting at the same time (workers, two servers,
        a CLI import) exactly one key wins and every process reads that one, never a half-written file.
        """
        if self.pseudoniem_sleutel:
            return self.pseudoniem_sleutel.encode()
        pad = self.data_map / "pseudoniem.key"
        if not pad.exists():
            self.data_map.mkdir(parents=True, exist_ok=True)
            fd, tijdelijk = tempfile.mkstemp(dir=self.data_map, prefix=".pseudoniem.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w") as f:  # mkstemp makes it 0600
                    f.write(secrets.token_hex(32))
                    f.flush()
                    os.fsync(f.fileno())
                with contextlib.suppress(FileExistsError):  # another process was first: use its key
                    os.link(tijdelijk, pad)
            finally:
                os.unlink(tijdelijk)
        return pad.read_text().strip().encode()
