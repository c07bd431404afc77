"""OpenTelemetry-traces, optioneel: alleen met de extra ``[otel]`` geïnstalleerd en ``REGIEKAMER_SPOREN=true``.

The app is instrumented with ``opentelemetry-instrumentation-starlette``: one server span per HTTP
request, named after the route, with the GraphQL operationName as ``graphql.operation.name``. The
URL in a span never carries the query string (a GET could carry a query with a BSN). Without a
tracer provider of its own the process gets one that sends spans with OTLP over HTTP to the
standard ``OTEL_EXPORTER_OTLP_ENDPOINT`` (default http://localhost:4318), as service
``OTEL_SERVICE_NAME`` (default ``regiekamer``).
"""

from __future__ import annotations

import logging
import os
from functools import cache
from importlib.util import find_spec
from typing import Any

from starlette.applications import Starlette

log = logging.getLogger("regiekamer")

WEGGELATEN = "(weggelaten)"


def beschikbaar() -> bool:
    try:
        return all(find_spec(m) is not None for m in ("opentelemetry.instrumentation.starlette", "opentelemetry.sdk"))
    except ModuleNotFoundError:  # a parent package is missing
        return False


def instrumenteer(app: Starlette, tracer_provider: Any = None) -> bool:
    """Voegt de tracing-middleware toe; False (met een waarschuwing) als de extra niet geïnstalleerd is."""
    if not beschikbaar():
        log.warning("REGIEKAMER_SPOREN staat aan, maar de extra [otel] is niet geïnstalleerd: geen traces.")
        return False
    from opentelemetry.instrumentation.starlette import StarletteInstrumentor

    StarletteInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider or _standaard_provider(), server_request_hook=_zonder_query
    )
    return True


def _zonder_query(span: Any, scope: dict[str, Any]) -> None:
    """Haalt de query string uit de URL-attributen van de serverspan (ze zijn al gezet bij het starten)."""
    if not span.is_recording() or not scope.get("query_string"):
        return
    attributen = getattr(span, "attributes", None) or {}
    for sleutel in ("http.url", "url.full"):
        if isinstance(attributen.get(sleutel), str):
            span.set_attribute(sleutel, attributen[sleutel].split("?", 1)[0])
    if "http.target" in attributen:
        span.set_attribute("http.target", scope.get("path", ""))
    if "url.query" in attributen:
        span.set_attribute("url.query", WEGGELATEN)


@cache
def _standaard_provider() -> Any:
    """Eén provider per proces, met OTLP/HTTP-export als die exporter er is."""
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from api.versie import pakketversie

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", "regiekamer"), "service.version": pakketversie()}
        )
    )
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        log.warning("Geen OTLP-exporter geïnstalleerd: spans worden gemaakt maar niet verstuurd.")
    else:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def markeer_operatie(naam: str) -> None:
    """Zet de operationName op de lopende span (niets als er geen tracing is)."""
    span = _huidige_span()
    if span is not None:
        span.set_attribute("graphql.operation.name", naam)


def _huidige_span() -> Any:
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    span = trace.get_current_span()
    return span if span.is_recording() else None
