"""De pagina's van de privacyconsole: inloggen, auditlog, inzageverzoek als brief, datalekken, CSV.

Forms that carry a BSN are POSTed, never GET: a BSN does not belong in a URL, the browser history or a
server log. Every POST checks the session's CSRF token first. Errors are shown on the page with the
API's code and Dutch message; an unexpected error shows only a request id (the details go to the log).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from api.auth import OngeldigToken
from api.console import oidc, sessie, weergave
from api.console.auditfilter import OPERATIES, UITKOMSTEN, Auditfilter
from api.console.auditpagina import PER_PAGINA, exporteer_csv, haal_pagina
from api.console.gegevens import DATALEKKEN, IK, INZAGE, ConsoleFout, Uitvoerder, actor_uit_token
from api.fouten import log_onverwacht
from domein.actor import GEMEENTEN

MAX_FORMULIER = 64_000
_STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "BAD_USER_INPUT": 400,
           "QUERY_TE_COMPLEX": 400, "INTERNAL": 500}  # fmt: skip
_CSRF = "Het formulier is verlopen of kwam niet van deze console. Laad de pagina opnieuw en probeer het nog eens."

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters.update(
    tijd=weergave.tijd,
    datum=weergave.datum,
    resterend=weergave.resterend,
    uitkomst=weergave.uitkomst,
    bsn_gemaskeerd=weergave.gemaskeerd_bsn,
)

Pagina = Callable[[Request], Awaitable[Response]]


def _toestand(request: Request) -> Any:
    return request.app.state.toestand


def toon(request: Request, sjabloon: str, status: int = 200, **context: Any) -> Response:
    if "csrf" not in context:  # not setdefault: making a token writes the session, which must stay optional
        context["csrf"] = sessie.csrf_token(request)
    context.setdefault("ik", None)
    context.setdefault("oidc", oidc.instellingen().aan)
    return templates.TemplateResponse(request, sjabloon, context, status_code=status)


def toon_fout(request: Request, fout: ConsoleFout, **context: Any) -> Response:
    if fout.code == "UNAUTHENTICATED":  # expired or withdrawn token: the session ends, log in again
        sessie.meld_af(request)
        return toon(request, "inloggen.html", 401, fout=fout, demo=None, gemeenten=GEMEENTEN)
    return toon(request, "fout.html", _STATUS.get(fout.code, 400), fout=fout, **context)


def veilig(pagina: Pagina) -> Pagina:
    """Een onverwachte fout wordt een nette pagina met een verzoek-id, nooit een stack trace."""

    @functools.wraps(pagina)
    async def omhulsel(request: Request) -> Response:
        try:
            return await pagina(request)
        except ConsoleFout as e:
            return toon_fout(request, e)
        except Exception as e:
            request_id = str(uuid.uuid4())
            log_onverwacht(request_id, e)
            bericht = f"Er ging iets mis aan onze kant; er is niets opgeslagen. Noem verzoek-id {request_id}."
            return toon(request, "fout.html", 500, fout=ConsoleFout("INTERNAL", bericht, request_id))

    return omhulsel


async def formulier(request: Request) -> dict[str, str]:
    """Een urlencoded formulier, begrensd; het CSRF-token moet kloppen."""
    try:
        aangekondigd = int(request.headers.get("content-length") or 0)
    except ValueError:
        aangekondigd = MAX_FORMULIER + 1
    if aangekondigd > MAX_FORMULIER:  # refused before reading: a huge body never reaches memory
        raise ConsoleFout("BAD_USER_INPUT", "Het formulier is te groot.")
    body = await request.body()
    if len(body) > MAX_FORMULIER:
        raise ConsoleFout("BAD_USER_INPUT", "Het formulier is te groot.")
    try:
        velden = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        raise ConsoleFout("BAD_USER_INPUT", "Het formulier is geen geldige UTF-8.") from None
    if not sessie.csrf_klopt(request, velden.get("csrf")):
        raise ConsoleFout("FORBIDDEN", _CSRF)
    return velden


def uitvoerder(request: Request) -> Uitvoerder | None:
    token = sessie.token_van(request)
    return Uitvoerder(_toestand(request), token) if token else None


def naar_inloggen() -> Response:
    return RedirectResponse("/console/inloggen", status_code=303)


async def wie(u: Uitvoerder) -> tuple[dict[str, Any], dict[str, str]]:
    """De ingelogde gebruiker en de gemeentenamen (voor codes in tabellen)."""
    data = await u.vraag(IK)
    return data["ik"], {g["code"]: g["naam"] for g in data["gemeenten"]}


# --- inloggen


@veilig
async def start(request: Request) -> Response:
    doel = "/console/auditlog" if sessie.token_van(request) else "/console/inloggen"
    return RedirectResponse(doel, status_code=303)


@veilig
async def inloggen(request: Request) -> Response:
    t = _toestand(request)
    demo = await run_in_threadpool(sessie.demosleutel, t)
    if request.method == "GET":
        return toon(request, "inloggen.html", demo=demo, gemeenten=GEMEENTEN)
    velden = await formulier(request)
    token = velden.get("token", "").strip()
    if not token:
        fout = ConsoleFout("UNAUTHENTICATED", "Plak een toegangstoken (JWT) in het veld.")
        return toon(request, "inloggen.html", 401, fout=fout, demo=demo, gemeenten=GEMEENTEN)
    if len(token) > sessie.MAX_TOKEN_TEKENS:  # first: the API would take it, the browser would drop the cookie
        fout = ConsoleFout("UNAUTHENTICATED", sessie.TE_GROOT)
        return toon(request, "inloggen.html", 401, fout=fout, demo=demo, gemeenten=GEMEENTEN)
    try:
        await actor_uit_token(t, token)
    except OngeldigToken as e:
        fout = ConsoleFout("UNAUTHENTICATED", e.bericht)
        return toon(request, "inloggen.html", 401, fout=fout, demo=demo, gemeenten=GEMEENTEN)
    sessie.meld_aan(request, token)
    return RedirectResponse("/console/auditlog", status_code=303)


@veilig
async def oidc_start(request: Request) -> Response:
    inst = oidc.instellingen()
    if not inst.aan:
        raise ConsoleFout("NOT_FOUND", "Inloggen via een identiteitsprovider is niet ingesteld; plak een token.")
    try:
        antwoord: Response = await oidc.naar_provider(request, inst)
    except oidc.OidcFout as e:
        return _inlogfout(request, e.bericht)
    return antwoord


@veilig
async def oidc_terug(request: Request) -> Response:
    """Alleen doorsturen binnen de eigen origin: pas dan stuurt de browser het SameSite=Strict-cookie mee."""
    # No session access here: the browser did not send the cookie, and a new one would replace the real session.
    return toon(request, "doorsturen.html", csrf="", verder=oidc.verder_adres(request))


@veilig
async def oidc_verder(request: Request) -> Response:
    inst = oidc.instellingen()
    if not inst.aan:
        raise ConsoleFout("NOT_FOUND", "Inloggen via een identiteitsprovider is niet ingesteld; plak een token.")
    try:
        token = await oidc.toegangstoken(request, inst)
        await actor_uit_token(_toestand(request), token)
    except oidc.OidcFout as e:
        return _inlogfout(request, e.bericht)
    except OngeldigToken as e:
        return _inlogfout(request, f"De identiteitsprovider gaf een token dat deze server niet aanvaardt: {e.bericht}")
    sessie.meld_aan(request, token)
    return RedirectResponse("/console/auditlog", status_code=303)


def _inlogfout(request: Request, bericht: str) -> Response:
    sessie.meld_af(request)
    fout = ConsoleFout("UNAUTHENTICATED", bericht)
    return toon(request, "inloggen.html", 401, fout=fout, demo=None, gemeenten=GEMEENTEN)


@veilig
async def demotoken(request: Request) -> Response:
    velden = await formulier(request)
    sleutel = await run_in_threadpool(sessie.demosleutel, _toestand(request))
    if sleutel is None:
        raise ConsoleFout("NOT_FOUND", "Ontwikkeltokens zijn er alleen in demomodus; log in met een token van uw IdP.")
    gemeente = velden.get("gemeente") or None
    if gemeente is not None and gemeente not in GEMEENTEN:
        raise ConsoleFout("BAD_USER_INPUT", "Kies een gemeente uit de lijst, of het ROB.")
    sessie.meld_aan(request, sessie.maak_demotoken(sleutel, gemeente))
    return RedirectResponse("/console/auditlog", status_code=303)


@veilig
async def uitloggen(request: Request) -> Response:
    await formulier(request)
    sessie.meld_af(request)
    return RedirectResponse("/console/inloggen", status_code=303)


# --- auditlog


@veilig
async def auditlog(request: Request) -> Response:
    u = uitvoerder(request)
    if u is None:
        return naar_inloggen()
    ik, namen = await wie(u)
    context: dict[str, Any] = {"ik": ik, "namen": namen, "operaties": OPERATIES, "uitkomsten": UITKOMSTEN,
                               "per_pagina": PER_PAGINA}  # fmt: skip
    f = Auditfilter()
    try:
        if request.method == "POST":
            f = Auditfilter.uit_formulier(await formulier(request))
        pagina = await haal_pagina(u, f)
    except ConsoleFout as e:
        if e.code != "BAD_USER_INPUT":
            return toon_fout(request, e, ik=ik)
        return toon(request, "auditlog.html", 400, fout=e, filter=f, pagina=None, **context)
    return toon(request, "auditlog.html", filter=f, pagina=pagina, **context)


@veilig
async def auditlog_csv(request: Request) -> Response:
    u = uitvoerder(request)
    if u is None:
        return naar_inloggen()
    f = Auditfilter.uit_formulier(await formulier(request))
    ik, namen = await wie(u)
    try:
        tekst = await exporteer_csv(u, f, namen)
    except ConsoleFout as e:
        return toon_fout(request, e, ik=ik)
    naam = f"auditlog-{ik['organisatie']}-{f.van or 'begin'}-{f.tot or 'nu'}.csv"
    return Response(tekst, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{naam}"'})  # fmt: skip


# --- inzageverzoek


@veilig
async def inzage(request: Request) -> Response:
    u = uitvoerder(request)
    if u is None:
        return naar_inloggen()
    ik, namen = await wie(u)
    if request.method == "GET":
        return toon(request, "inzage.html", ik=ik, rapport=None)
    bsn = (await formulier(request)).get("bsn", "").strip()
    try:
        data = await u.vraag(INZAGE, {"bsn": bsn})
    except ConsoleFout as e:
        if e.code != "BAD_USER_INPUT":
            return toon_fout(request, e, ik=ik)
        return toon(request, "inzage.html", 400, ik=ik, rapport=None, fout=e)
    gemeente = (ik.get("gemeente") or {}).get("naam")
    organisatie = f"Gemeente {gemeente}" if gemeente else weergave.naam_van(ik["organisatie"], namen)
    return toon(request, "brief.html", ik=ik, rapport=data["inzageverzoek"], organisatie=organisatie,
                namen=namen, vandaag=weergave.datum(datetime.now(UTC)))  # fmt: skip


# --- datalekken


@veilig
async def datalekken(request: Request) -> Response:
    u = uitvoerder(request)
    if u is None:
        return naar_inloggen()
    ik, namen = await wie(u)
    data = await u.vraag(DATALEKKEN, {"first": 100})
    verbinding = data["datalekken"]
    lekken = [e["node"] for e in verbinding["edges"]]
    open_ = sorted((d for d in lekken if d["apGemeldOp"] is None), key=lambda d: d["apDeadline"])
    gemeld = [d for d in lekken if d["apGemeldOp"] is not None]
    return toon(request, "datalekken.html", ik=ik, namen=namen, open=open_, gemeld=gemeld,
                meer=verbinding["pageInfo"]["hasNextPage"], totaal=verbinding["totalCount"])  # fmt: skip


async def niet_gevonden(request: Request) -> Response:
    fout = ConsoleFout("NOT_FOUND", "Deze pagina bestaat niet in de privacyconsole.")
    return toon(request, "fout.html", 404, fout=fout)
