"""Een begrensde lastgenerator: c vaste keep-aliveverbindingen, elk één verzoek tegelijk (gesloten lus).

Raw asyncio streams instead of an HTTP client library: the client shares two cores with the servers it
measures, so it must spend as little CPU per request as possible. Understands Content-Length and chunked
answers (uvicorn sends the first, Node may send the second).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Doel:
    naam: str
    host: str
    port: int
    pad: str
    body: bytes
    koppen: dict[str, str] = field(default_factory=dict)

    def verzoek(self) -> bytes:
        regels = [
            f"POST {self.pad} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            "Accept: application/json",
            f"Content-Length: {len(self.body)}",
            *(f"{k}: {v}" for k, v in self.koppen.items()),
        ]
        return ("\r\n".join(regels) + "\r\n\r\n").encode() + self.body


class Verbinding:
    def __init__(self, doel: Doel) -> None:
        self.doel = doel
        self.bytes = doel.verzoek()
        self.lezer: asyncio.StreamReader | None = None
        self.schrijver: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.lezer, self.schrijver = await asyncio.open_connection(self.doel.host, self.doel.port)

    async def vraag(self) -> tuple[int, bytes]:
        if self.lezer is None or self.schrijver is None:
            await self.open()
        assert self.lezer is not None and self.schrijver is not None
        self.schrijver.write(self.bytes)
        kop = await self.lezer.readuntil(b"\r\n\r\n")
        regels = kop.decode("latin-1").split("\r\n")
        status = int(regels[0].split(" ", 2)[1])
        koppen = {k.strip().lower(): v.strip() for k, _, v in (r.partition(":") for r in regels[1:] if r)}
        if "content-length" in koppen:
            body = await self.lezer.readexactly(int(koppen["content-length"]))
        elif koppen.get("transfer-encoding", "").lower() == "chunked":
            delen = []
            while True:
                grootte = int((await self.lezer.readuntil(b"\r\n")).split(b";")[0], 16)
                delen.append(await self.lezer.readexactly(grootte + 2))
                if grootte == 0:
                    break
            body = b"".join(d[:-2] for d in delen)
        else:
            raise RuntimeError(f"{self.doel.naam}: antwoord zonder lengte")
        if koppen.get("connection", "").lower() == "close":
            await self.sluit()
        return status, body

    async def sluit(self) -> None:
        if self.schrijver is not None:
            self.schrijver.close()
            try:
                await self.schrijver.wait_closed()
            except OSError:
                pass
        self.lezer = self.schrijver = None


async def een_verzoek(doel: Doel) -> tuple[int, bytes]:
    v = Verbinding(doel)
    try:
        return await v.vraag()
    finally:
        await v.sluit()


@dataclass
class Ronde:
    doel: str
    clients: int
    verzoeken: int
    seconden: float
    tijden: list[float]  # ms
    fouten: int

    @property
    def per_seconde(self) -> float:
        return self.verzoeken / self.seconden

    @property
    def p50(self) -> float:
        return statistics.median(self.tijden)

    @property
    def p99(self) -> float:
        return kwantiel(self.tijden, 0.99)


def kwantiel(tijden: list[float], q: float) -> float:
    if len(tijden) < 2:
        return tijden[0] if tijden else float("nan")
    return statistics.quantiles(tijden, n=100, method="inclusive")[round(q * 100) - 1]


def goed(status: int, body: bytes) -> bool:
    """200 and no GraphQL errors: a fast error page must not count as a fast answer."""
    return status == 200 and b'"errors"' not in body


async def ronde(doel: Doel, clients: int, seconden: float) -> Ronde:
    """``clients`` verbindingen vragen elk na elkaar, tot de tijd om is; alleen verzoeken die binnen de tijd
    begonnen tellen mee (wie dan nog loopt, maakt af maar telt niet)."""
    tijden: list[float] = []
    fouten = 0
    start = time.perf_counter()
    einde = start + seconden

    async def werker() -> None:
        nonlocal fouten
        v = Verbinding(doel)
        try:
            while time.perf_counter() < einde:
                t = time.perf_counter()
                try:
                    status, body = await v.vraag()
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await v.sluit()
                    fouten += 1
                    continue
                if goed(status, body):
                    tijden.append((time.perf_counter() - t) * 1000)
                else:
                    fouten += 1
        finally:
            await v.sluit()

    await asyncio.gather(*(werker() for _ in range(clients)))
    duur = time.perf_counter() - start
    return Ronde(doel.naam, clients, len(tijden), duur, tijden, fouten)


def graphql_body(query: str, variabelen: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variabelen or {}}).encode()
