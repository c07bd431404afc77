"""Benchmark: casussen(first: 50) { id gemeente { naam } inwoner { naam } } als consulent van 0268, naast peers.

One PostgreSQL database (DATABASE_URL's server, database ``regiekamer_bench_peers``, dropped and refilled
with N casussen over the seven gemeenten by ``bench.casussen.vul``), three real HTTP servers on localhost,
each its own process:
  (a) Regiekamer: ``regiekamer serve`` (uvicorn), a bench key for the tokens, authorization and audit on;
  (b) the floor: ``bench.peers.vloer`` under uvicorn, one asyncpg query, byte-identical JSON (checked);
      in the same process two audited floors (``vloer+audit-1``, ``vloer+audit-50``): the read plus a durable
      audit append in one transaction, one record per page or one per casus (see vloer.py);
  (c) PostGraphile 5 from npm (installed into bench/uitvoer/postgraphile), no authorization, no audit,
      the closest equivalent query (same rows, same order, same JSON shape; checked).
A closed-loop load generator (``belasting.py``) runs at 1 and 16 clients: a warm-up per target, then
interleaved rounds a, b, c, a, b, c, ... of fixed duration. Prints req/s, p50, p99 per target and the
medians of the per-round ratios against the issue-11 goals, and the same ratios for the audited floors:
if even ``vloer+audit-1`` stays under PostGraphile's throughput, no design that logs each read durably in
the read's transaction reaches that goal on this machine.
Usage: DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test python -m bench.peers
       [--aantal 14000] [--seconden 5] [--rondes 5] [--clients 1,16] [--opwarmen 3] [--workers 1]
       [--zonder-postgraphile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg

from api.sleutels import DemoSleutel
from bench.casussen import vul
from bench.meten import PSEUDO, UIT, verse_database
from bench.peers import GEMEENTE, QUERY, postgraphile
from bench.peers.belasting import Doel, Ronde, een_verzoek, graphql_body, kwantiel, ronde
from domein.audit import Pseudonimiseerder

DB = "regiekamer_bench_peers"
MAP = UIT / "peers"
WORTEL = Path(__file__).resolve().parents[2]
DOEL_LATENTIE = 3.0  # issue 11: Regiekamer p50 <= 3x the floor's
DOEL_DOORVOER = 1.0  # issue 11: Regiekamer req/s >= 1.0x PostGraphile's
# bench.meten's pseudonym key, handed to the server process so its pseudonyms match the loaded rows.
PSEUDO_SLEUTEL = "bench-sleutel-bench-sleutel-bench-sleutel!"
assert Pseudonimiseerder(PSEUDO_SLEUTEL.encode()).pseudoniem("1") == PSEUDO.pseudoniem("1")


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Servers:
    """Start de servers als subprocessen en stopt precies die weer (op hun eigen pid)."""

    def __init__(self) -> None:
        self.processen: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, naam: str, argumenten: list[str], omgeving: dict[str, str], cwd: Path) -> None:
        with (MAP / f"{naam}.log").open("wb") as log:
            self.processen[naam] = subprocess.Popen(  # noqa: S603 - fixed arguments
                argumenten, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **omgeving}
            )

    def stop(self) -> None:
        for p in self.processen.values():
            if p.poll() is None:
                p.terminate()
        for p in self.processen.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


async def wacht_tot_klaar(naam: str, doel: Doel, proces: subprocess.Popen[bytes], seconden: float = 90) -> bytes:
    """Vraagt tot er een goed antwoord komt; een server die stopt of niet opkomt is een duidelijke fout."""
    einde = time.monotonic() + seconden
    laatste = ""
    while time.monotonic() < einde:
        if proces.poll() is not None:
            raise RuntimeError(f"{naam} stopte bij het starten (code {proces.returncode}); zie {MAP / naam}.log")
        try:
            status, body = await een_verzoek(doel)
            if status == 200 and b'"data"' in body:
                return body
            laatste = f"HTTP {status}: {body[:300]!r}"
        except (OSError, asyncio.IncompleteReadError) as e:
            laatste = repr(e)
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{naam} kwam niet op binnen {seconden:.0f} s ({laatste}); zie {MAP / naam}.log")


def rijen_van(body: bytes) -> list[tuple[str, str | None]]:
    """(gemeente, inwoner) per node: dezelfde rijen in dezelfde volgorde, ongeacht hoe de ids gecodeerd zijn."""
    edges = json.loads(body)["data"]["casussen"]["edges"]
    return [(e["node"]["gemeente"]["naam"], (e["node"]["inwoner"] or {}).get("naam")) for e in edges]


async def vul_database(aantal: int) -> str:
    url, engine = await verse_database(DB)
    try:
        await vul(engine, aantal)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return url


def rapporteer_groep(clients: int, rondes: dict[str, list[Ronde]]) -> None:
    print(f"\n{clients} client{'s' if clients > 1 else ''}:")
    kop = f"  {'doel':14s} {'req/s':>9s} {'p50 ms':>9s} {'p99 ms':>9s} {'verzoeken':>10s} {'fouten':>7s}"
    print(kop + "   req/s per ronde")
    for naam, lijst in rondes.items():
        tijden = [t for r in lijst for t in r.tijden]
        verzoeken = sum(r.verzoeken for r in lijst)
        per_seconde = verzoeken / sum(r.seconden for r in lijst)
        fouten = sum(r.fouten for r in lijst)
        p50 = statistics.median(tijden) if tijden else float("nan")
        print(
            f"  {naam:14s} {per_seconde:9.1f} {p50:9.2f} {kwantiel(tijden, 0.99):9.2f} {verzoeken:10d} {fouten:7d}   "
            + " ".join(f"{r.per_seconde:.1f}" for r in lijst)
        )
    rk, vloer = rondes["regiekamer"], rondes["vloer"]
    latentie = [a.p50 / b.p50 for a, b in zip(rk, vloer, strict=True)]
    print(ratio("Regiekamer p50 / vloer p50", latentie, f"≤ {DOEL_LATENTIE:.0f}×", lambda m: m <= DOEL_LATENTIE))
    for geaudit in ("vloer+audit-1", "vloer+audit-50"):
        if geaudit in rondes:
            per_ronde = [a.p50 / b.p50 for a, b in zip(rk, rondes[geaudit], strict=True)]
            # the latency goal measured against a floor that does the audit work too
            doel = f"≤ {DOEL_LATENTIE:.0f}× van deze vloer"
            print(ratio(f"Regiekamer p50 / {geaudit} p50", per_ronde, doel, lambda m: m <= DOEL_LATENTIE))
            per_ronde = [a.p50 / b.p50 for a, b in zip(rondes[geaudit], vloer, strict=True)]
            doel = f"kan een geauditeerde server ≤ {DOEL_LATENTIE:.0f}× halen?"
            print(ratio(f"{geaudit} p50 / vloer p50", per_ronde, doel, lambda m: m <= DOEL_LATENTIE))
    if "postgraphile" in rondes and "vloer+audit-1" in rondes:
        paren = zip(rondes["vloer+audit-1"], rondes["postgraphile"], strict=True)
        per_ronde = [a.per_seconde / b.per_seconde for a, b in paren]
        doel = f"kan een geauditeerde server ≥ {DOEL_DOORVOER:.1f}× halen?"
        print(ratio("vloer+audit-1 req/s / PostGraphile req/s", per_ronde, doel, lambda m: m >= DOEL_DOORVOER))
    if "postgraphile" in rondes:
        doorvoer = [a.per_seconde / b.per_seconde for a, b in zip(rk, rondes["postgraphile"], strict=True)]
        print(
            ratio(
                "Regiekamer req/s / PostGraphile req/s",
                doorvoer,
                f"≥ {DOEL_DOORVOER:.1f}×",
                lambda m: m >= DOEL_DOORVOER,
            )
        )
    else:
        print("  Regiekamer req/s / PostGraphile req/s:  n.v.t. (PostGraphile draaide niet, zie boven)")


def ratio(naam: str, per_ronde: list[float], doel: str, gehaald: Callable[[float], bool]) -> str:
    """De mediaan van de verhoudingen per ronde: ruis die beide doelen in één ronde treft valt weg."""
    m = statistics.median(per_ronde)
    oordeel = "gehaald" if gehaald(m) else "NIET gehaald"
    return (
        f"  {naam + ':':40s} {m:7.2f}×  (doel {doel}: {oordeel})  per ronde: {' '.join(f'{x:.2f}' for x in per_ronde)}"
    )


async def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.peers")
    ap.add_argument("--aantal", type=int, default=14_000, help="casussen over zeven gemeenten (standaard 14.000)")
    ap.add_argument("--seconden", type=float, default=5.0, help="duur van één ronde per doel")
    ap.add_argument("--rondes", type=int, default=5, help="rondes per aantal clients")
    ap.add_argument("--clients", default="1,16", help="aantallen gelijktijdige clients, komma-gescheiden")
    ap.add_argument("--opwarmen", type=float, default=3.0, help="seconden opwarmen per doel en aantal clients")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn-workers van Regiekamer (standaard 1)")
    ap.add_argument("--zonder-postgraphile", action="store_true", help="alleen Regiekamer en de vloer")
    args = ap.parse_args()
    basis = os.environ.get("DATABASE_URL", "")
    if not basis.startswith("postgresql"):
        sys.exit("bench.peers meet op PostgreSQL: zet DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    clients = [int(c) for c in args.clients.split(",")]
    MAP.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    url = await vul_database(args.aantal)
    print(f"PostgreSQL {DB}: {args.aantal} casussen gevuld in {time.perf_counter() - t0:.1f} s")

    pg_cli: tuple[Path, str] | None = None
    pg_reden = "uitgezet met --zonder-postgraphile"
    if not args.zonder_postgraphile:
        try:
            pg_cli = postgraphile.installeer(UIT / "postgraphile")
        except (postgraphile.NietBeschikbaar, OSError, subprocess.TimeoutExpired) as e:
            pg_reden = str(e)

    sleutel = DemoSleutel.maak(MAP / "sleutel")
    token = sleutel.maak_token(rol="consulent", gemeente=GEMEENTE, sub="bench-peers", ttl_seconds=12 * 3600)
    poorten = {n: vrije_poort() for n in ("regiekamer", "vloer", "postgraphile")}
    body = graphql_body(QUERY)
    doelen = {
        "regiekamer": Doel("regiekamer", "127.0.0.1", poorten["regiekamer"], "/graphql", body,
                           {"Authorization": f"Bearer {token}"}),
        "vloer": Doel("vloer", "127.0.0.1", poorten["vloer"], "/graphql", body),
        "vloer+audit-1": Doel("vloer+audit-1", "127.0.0.1", poorten["vloer"], "/graphql/audit-1", body),
        "vloer+audit-50": Doel("vloer+audit-50", "127.0.0.1", poorten["vloer"], "/graphql/audit-50", body),
    }  # fmt: skip
    servers = Servers()
    bin_map = Path(sys.executable).parent
    try:
        servers.start(
            "regiekamer",
            [
                str(bin_map / "regiekamer"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(poorten["regiekamer"]),
                "--workers",
                str(args.workers),
            ],
            {
                "DATABASE_URL": url,
                "REGIEKAMER_JWT_PUBLIC_KEY": sleutel.public_key_pem,
                "REGIEKAMER_PSEUDONIEM_SLEUTEL": PSEUDO_SLEUTEL,
                "REGIEKAMER_DATA_MAP": str(MAP / "data"),
            },
            MAP,
        )
        servers.start(
            "vloer",
            [sys.executable, "-m", "uvicorn", "bench.peers.vloer:maak_app", "--factory",
             "--host", "127.0.0.1", "--port", str(poorten["vloer"])],
            {"PEERS_DSN": url, "PEERS_GEMEENTE": GEMEENTE, "PYTHONPATH": str(WORTEL),
             "PEERS_PSEUDONIEM_SLEUTEL": PSEUDO_SLEUTEL},
            WORTEL,
        )  # fmt: skip
        if pg_cli is not None:
            try:
                servers.processen["postgraphile"] = postgraphile.start(
                    UIT / "postgraphile", pg_cli[0], url, poorten["postgraphile"], MAP / "postgraphile.log"
                )
                doelen["postgraphile"] = Doel(
                    "postgraphile", "127.0.0.1", poorten["postgraphile"], "/graphql",
                    graphql_body(postgraphile.QUERY % GEMEENTE),
                )  # fmt: skip
            except (postgraphile.NietBeschikbaar, OSError) as e:
                pg_reden, pg_cli = str(e), None

        antwoorden: dict[str, bytes] = {}
        for naam, doel in list(doelen.items()):
            try:
                antwoorden[naam] = await wacht_tot_klaar(naam, doel, servers.processen[naam.split("+")[0]])
            except RuntimeError as e:
                if naam != "postgraphile":
                    raise
                pg_reden = str(e)
                del doelen[naam]
        # Before measuring: the floor must answer exactly what Regiekamer answers, byte for byte.
        for vloer in ("vloer", "vloer+audit-1", "vloer+audit-50"):
            assert antwoorden["regiekamer"] == antwoorden[vloer], (
                f"{vloer} wijkt af van Regiekamer:\n{antwoorden['regiekamer'][:400]!r}\n{antwoorden[vloer][:400]!r}"
            )
        rijen = rijen_van(antwoorden["regiekamer"])
        assert len(rijen) == 50, f"verwacht 50 casussen, kreeg {len(rijen)}"
        print(f"Python {platform.python_version()}, Node {node_versie()}, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
        print(f"Regiekamer: {args.workers} worker{'s' if args.workers > 1 else ''}; vloer en PostGraphile: één proces")
        print(f"Regiekamer en de drie vloeren: byte-gelijke JSON ({len(antwoorden['vloer'])} bytes, 50 casussen)")
        if "postgraphile" in doelen:
            assert rijen_van(antwoorden["postgraphile"]) == rijen, "PostGraphile geeft andere rijen of volgorde"
            print(
                f"PostGraphile {pg_cli[1] if pg_cli else '?'}: dezelfde 50 rijen in dezelfde volgorde, zelfde vorm "
                f"({len(antwoorden['postgraphile'])} bytes; alleen de id-codering verschilt)"
            )
        else:
            print(f"PostGraphile NIET gemeten: {pg_reden}")
        print(f"{args.rondes} rondes van {args.seconden:g} s per doel, om en om ({', '.join(doelen)}), "
              f"na {args.opwarmen:g} s opwarmen per doel")  # fmt: skip

        for c in clients:
            for doel in doelen.values():
                await ronde(doel, c, args.opwarmen)
            uitslag: dict[str, list[Ronde]] = {n: [] for n in doelen}
            for _ in range(args.rondes):
                for naam, doel in doelen.items():
                    uitslag[naam].append(await ronde(doel, c, args.seconden))
            rapporteer_groep(c, uitslag)
        print(f"\nload average na afloop {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        servers.stop()


def node_versie() -> str:
    node = shutil.which("node")
    if node is None:
        return "ontbreekt"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
    return "?"


if __name__ == "__main__":
    asyncio.run(main())
