"""De app uit de instellingen: voor ``regiekamer serve`` en voor elke uvicorn-worker (``--workers N``).

With several workers uvicorn starts each one as a fresh process that imports ``api.fabriek:fabriek``
and builds its own app from the environment (``Instellingen``). What must be the same in every worker
is made once by the parent before the workers start (``regiekamer serve``): the migrations, the demo
data, the development signing key and the pseudonym key (``REGIEKAMER_PSEUDONIEM_SLEUTEL`` or the key
file in ``REGIEKAMER_DATA_MAP``). The policy version is read from the database on every request
(``beleid.bron``), so a ``wijzigBeleid`` through one worker is in force in all of them.

Without ``regiekamer serve``: ``uvicorn api.fabriek:fabriek --factory --workers N`` works the same way,
provided the database is migrated and the pseudonym key is configured (or its file exists).
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import TokenVerifier
from api.instellingen import Instellingen

WORKER_KOP = "x-regiekamer-worker"
"""In demo and development mode every answer names the worker process (its pid) that gave it."""


class GeenVerificatiesleutel(ValueError):
    """Er is geen sleutel ingesteld om tokens te controleren."""


def maak_verifier(inst: Instellingen, demo_modus: bool) -> TokenVerifier:
    """De tokencontrole: de ontwikkelsleutel in demomodus, anders de JWKS-URL of publieke sleutel.

    Raises ``ValueError`` with a Dutch message when no key is configured or the key is unusable.
    """
    from api.sleutels import DemoSleutel

    if demo_modus:
        sleutel = DemoSleutel.laad(inst.data_map)
        if sleutel is None:
            raise GeenVerificatiesleutel(
                f"er is geen ontwikkelsleutel in {inst.data_map}/; start met 'regiekamer serve --demo'."
            )
        return TokenVerifier(public_key_pem=sleutel.public_key_pem, audience=inst.jwt_audience)
    if uitgevers := inst.oidc_uitgevers():
        return TokenVerifier(
            uitgevers=uitgevers, jwks_url=inst.jwks_url, public_key_pem=inst.jwt_public_key, audience=inst.jwt_audience
        )
    if inst.jwks_url or inst.jwt_public_key:
        return TokenVerifier(
            jwks_url=inst.jwks_url,
            public_key_pem=inst.jwt_public_key,
            audience=inst.jwt_audience,
            issuer=inst.jwt_issuer,
        )
    raise GeenVerificatiesleutel(
        "geen sleutel om tokens te controleren. Zet REGIEKAMER_OIDC_ISSUERS of REGIEKAMER_OIDC_BESTAND "
        "(OIDC-uitgevers, zie docs/koppelen.md), REGIEKAMER_JWKS_URL (de JWKS van uw OIDC-provider) of "
        "REGIEKAMER_JWT_PUBLIC_KEY (een PEM-publieke sleutel), of start met --demo."
    )


class WorkerKop:
    """Zet de pid van deze worker in elk antwoord (alleen demo en ontwikkeling: zo is te zien wie antwoordde)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.kop = (WORKER_KOP.encode(), str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def zend(bericht: Message) -> None:
            if bericht["type"] == "http.response.start":
                bericht["headers"] = [*bericht.get("headers", []), self.kop]
            await send(bericht)

        await self.app(scope, receive, zend if scope["type"] == "http" else send)


def bouw_app(inst: Instellingen, demo_modus: bool, verifier: TokenVerifier | None = None) -> Starlette:
    """De app zoals ``regiekamer serve`` haar draait, met een eigen engine (per proces en event loop)."""
    from api.app import maak_app
    from api.limieten import Limieten
    from beleid.beslisser import CasbinBeslisser
    from domein.audit import Pseudonimiseerder
    from domein.maandtabellen import Drempels
    from domein.opslag.db import maak_engine

    limieten = Limieten(
        introspectie=demo_modus or inst.ontwikkeling,
        max_batch=inst.max_batch,
        max_body_bytes=inst.max_body_bytes,
        max_json_diepte=inst.max_json_diepte,
        verzoek_seconden=inst.verzoek_seconden,
        statement_seconden=inst.statement_seconden,
        body_seconden=inst.body_seconden,
    )
    app = maak_app(
        maak_engine(inst.database_url),
        verifier or maak_verifier(inst, demo_modus),
        Pseudonimiseerder(inst.pseudoniem_sleutel_bytes()),
        limieten,
        CasbinBeslisser(),
        Drempels(k=inst.k_drempel, afwijking_procent=inst.afwijking_procent),
        routes=inst.routes(),
        beheer=inst.beheer(),
    )
    if demo_modus or inst.ontwikkeling:
        app.add_middleware(WorkerKop)
    return app


def fabriek() -> Starlette:
    """De app-fabriek voor uvicorn (``factory=True``): alle instellingen uit de omgeving van de worker."""
    from api.app import stem_gc_af

    if not logging.getLogger().handlers:  # a fresh worker process: log like 'regiekamer serve' does
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("casbin").setLevel(logging.WARNING)
    inst = Instellingen()
    app = bouw_app(inst, inst.demo)
    stem_gc_af()
    return app


@cache
def _kop_limiet_protocol() -> type:
    from api.trage_clients import begrensd_protocol

    return begrensd_protocol(Instellingen().kop_seconden)


def __getattr__(naam: str) -> Any:
    # uvicorn sends its configuration to a worker by pickling it, and a class made inside a function
    # cannot be pickled: workers get the protocol by name ("api.fabriek:H11MetKopLimiet") and build it
    # here from their own settings.
    if naam == "H11MetKopLimiet":
        return _kop_limiet_protocol()
    raise AttributeError(f"module {__name__!r} has no attribute {naam!r}")
