"""Benchmark: ``regiekamer serve`` met 1 tegen 2 workers, over HTTP, in afwisselende rondes.

Fills a fresh database with N casussen, starts two real servers on it (``serve --demo --workers 1`` and
``--workers 2``, each its own process tree), then runs rounds of the casussen query at a fixed
concurrency against one and then the other (the order swaps every round), and prints req/s, p50 and
p95 per round, the per-round throughput ratio 2w/1w and its median, and how the connections spread
over the workers. The load generator runs in this process, on the same machine: on a shared or small
machine it takes CPU from the servers, so compare the ratio, not the absolute numbers.

Usage: python -m bench.workers [--aantal 2000] [--rondes 5] [--verzoeken 200] [--gelijktijdig 8];
DATABASE_URL=postgresql+asyncpg://... picks PostgreSQL (a fresh database ``regiekamer_workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.sleutels import DemoSleutel
from bench.casussen import vul
from bench.meten import UIT, verse_database

REGIEKAMER = Path(sys.executable).parent / "regiekamer"
QUERY = "{ casussen(first: 50) { edges { node { id gemeente { naam } inwoner { naam } } } } }"


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, workers: int, url: str, data: Path) -> None:
        self.workers = workers
        self.poort = vrije_poort()
        self.url = f"http://127.0.0.1:{self.poort}"
        omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_")}
        omgeving |= {
            "DATABASE_URL": url,
            "REGIEKAMER_DATA_MAP": str(data),
            "REGIEKAMER_PSEUDONIEM_SLEUTEL": "bench-sleutel-bench-sleutel-bench-sleutel!",
            "REGIEKAMER_KEEP_ALIVE_SECONDEN": "600",
        }
        self.log = (UIT / f"workers-{workers}.log").open("wb")
        self.proces = subprocess.Popen(  # noqa: S603 (our own executable, fixed arguments)
            [str(REGIEKAMER), "serve", "--demo", "--port", str(self.poort), "--workers", str(workers)],
            env=omgeving,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wacht(self) -> None:
        grens = time.monotonic() + 180
        while time.monotonic() < grens:
            if self.proces.poll() is not None:
                raise SystemExit(f"server met {self.workers} worker(s) stopte; zie {self.log.name}")
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"server met {self.workers} worker(s) startte niet binnen 180 s")

    def stop(self) -> None:
        if self.proces.poll() is None:
            os.killpg(self.proces.pid, signal.SIGTERM)
            try:
                self.proces.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proces.pid, signal.SIGKILL)
        self.log.close()


@dataclass
class Uitslag:
    req_s: float
    p50: float
    p95: float
    verdeling: list[int]


async def ronde(server: Server, token: str, verzoeken: int, gelijktijdig: int) -> Uitslag:
    tijden: list[float] = []
    per_worker: collections.Counter[str] = collections.Counter()
    # A new connection per request: a worker's event loop accepts every waiting connection at once, so a
    # burst of keep-alive connections opened together would all land on one worker (see README).
    limieten = httpx.Limits(max_connections=gelijktijdig, max_keepalive_connections=0)
    kop = {"Authorization": f"Bearer {token}"}
    werk = iter(range(verzoeken))
    async with httpx.AsyncClient(base_url=server.url, limits=limieten, timeout=120) as client:

        async def klant() -> None:
            for _ in werk:
                t0 = time.perf_counter()
                antwoord = await client.post("/graphql", json={"query": QUERY}, headers=kop)
                tijden.append(time.perf_counter() - t0)
                inhoud = antwoord.json()
                if antwoord.status_code != 200 or inhoud.get("errors"):
                    raise SystemExit(f"fout antwoord: {antwoord.status_code} {str(inhoud)[:300]}")
                per_worker[antwoord.headers.get("x-regiekamer-worker", "?")] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*[klant() for _ in range(gelijktijdig)])
        duur = time.perf_counter() - t0
    tijden.sort()
    return Uitslag(
        verzoeken / duur,
        statistics.median(tijden) * 1000,
        tijden[int(0.95 * (len(tijden) - 1))] * 1000,
        sorted(per_worker.values(), reverse=True),
    )


async def vul_database(aantal: int) -> str:
    url, engine = await verse_database("regiekamer_workers")
    await vul(engine, aantal)
    await engine.dispose()
    return url


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aantal", type=int, default=2000, help="casussen in de database")
    ap.add_argument("--rondes", type=int, default=5)
    ap.add_argument("--verzoeken", type=int, default=200, help="per ronde per server")
    ap.add_argument("--gelijktijdig", type=int, default=8)
    args = ap.parse_args()
    url = asyncio.run(vul_database(args.aantal))
    data = UIT / "workers-data"
    servers = [Server(1, url, data)]
    servers[0].wacht()  # the first one migrates and writes the keys; then the second starts
    servers.append(Server(2, url, data))
    servers[1].wacht()
    try:
        sleutel = DemoSleutel.laad(data)
        assert sleutel is not None
        token = sleutel.maak_token(rol="consulent", gemeente="0268", sub="bench-consulent-0268")
        print(
            f"database: {url.split(':', 1)[0]}; {args.aantal} casussen; casussen(first: 50) met gemeente en inwoner; "
            f"{args.verzoeken} verzoeken per ronde, {args.gelijktijdig} tegelijk; cpu's: {os.cpu_count()}"
        )
        for server in servers:  # warm up: connections, caches, the policy
            asyncio.run(ronde(server, token, 2 * args.gelijktijdig, args.gelijktijdig))
        verhoudingen = []
        for r in range(args.rondes):
            volgorde = servers if r % 2 == 0 else servers[::-1]
            uitslag = {s.workers: asyncio.run(ronde(s, token, args.verzoeken, args.gelijktijdig)) for s in volgorde}
            for s in volgorde:
                u = uitslag[s.workers]
                print(
                    f"ronde {r + 1} {s.workers} worker(s): {u.req_s:6.1f} req/s  p50 {u.p50:6.0f} ms  "
                    f"p95 {u.p95:6.0f} ms  verzoeken per worker {u.verdeling}"
                )
            verhouding = uitslag[2].req_s / uitslag[1].req_s
            verhoudingen.append(verhouding)
            print(f"ronde {r + 1} doorvoer 2 workers / 1 worker: {verhouding:.2f}")
        print(
            f"mediaan doorvoer 2w/1w over {args.rondes} rondes: {statistics.median(verhoudingen):.2f} "
            f"(min {min(verhoudingen):.2f}, max {max(verhoudingen):.2f})"
        )
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
