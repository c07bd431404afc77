"""``regiekamer serve --workers N``: meerdere workerprocessen met één pseudoniemsleutel en één beleid.

The server runs as a real process (as in tests/test_cli.py). One keep-alive connection is held per
worker, so each request goes to a known worker: in demo mode every answer names its worker's pid.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from api.fabriek import WORKER_KOP
from api.instellingen import Instellingen
from api.sleutels import DemoSleutel
from domein.opslag.db import maak_engine
from domein.opslag.tabellen import auditregel
from tests.hulp_server import controleer_schone_uitvoer, draaiende_server, schone_omgeving

REGIEKAMER = Path(sys.executable).parent / "regiekamer"
CASUS = "{ casussen(first: 1) { edges { node { id inwoner { naam } } } } }"
ZORGKOSTEN = "{ zorgkosten(jaar: 2026) { maand bedrag } }"
WIJZIG = "mutation($i: WijzigBeleidInput!) { wijzigBeleid(input: $i) { id soort } }"


def _wijziging(soort: str) -> dict[str, Any]:
    regel = {"rol": "consulent", "resource": "zorgkosten", "actie": "lezen", "bereik": "eigen_gemeente"}
    return {"i": {"soort": soort, "reden": "Test met twee workers", "regel": regel | {"doel": "uitvoering"}}}


class Worker:
    """Eén keep-aliveverbinding, en dus één worker: elk antwoord moet van diens pid komen."""

    def __init__(self, client: httpx.Client, pid: str) -> None:
        self.client = client
        self.pid = pid

    def graphql(self, token: str, query: str, variables: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
        antwoord = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert antwoord.status_code == 200, antwoord.text
        assert antwoord.headers[WORKER_KOP] == self.pid, "de verbinding wisselde van worker"
        return dict(antwoord.json()), antwoord.headers["x-request-id"]


def _een_verbinding_per_worker(url: str, aantal: int) -> list[Worker]:
    workers: dict[str, Worker] = {}
    for _ in range(300):  # the kernel hands each new connection to one of the workers
        client = httpx.Client(base_url=url, timeout=60)
        pid = client.get("/health").headers[WORKER_KOP]
        if pid in workers:
            client.close()
            continue
        workers[pid] = Worker(client, pid)
        if len(workers) == aantal:
            break
    return list(workers.values())


def _ouder(pid: str) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])  # after "pid (name) state": the parent's pid


def _codes(antwoord: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in antwoord.get("errors", [])]


async def test_serve_met_twee_workers_deelt_pseudoniemsleutel_en_beleid(db_url, tmp_path):
    werkmap, data = tmp_path / "werk", tmp_path / "data"
    werkmap.mkdir()
    omgeving = schone_omgeving(DATABASE_URL=db_url, REGIEKAMER_DATA_MAP=str(data), REGIEKAMER_KEEP_ALIVE_SECONDEN="300")
    with draaiende_server(REGIEKAMER, werkmap, omgeving, "--workers", "2") as server:
        sleutel = DemoSleutel.laad(data)
        assert sleutel is not None
        consulent = sleutel.maak_token(rol="consulent", gemeente="0268", sub="test-consulent-0268")
        beheerder = sleutel.maak_token(rol="beheerder", gemeente=None, sub="test-beheerder")
        workers = _een_verbinding_per_worker(server.url, 2)
        try:
            assert len(workers) == 2, "twee workers"
            a, b = workers
            assert {_ouder(a.pid), _ouder(b.pid)} == {server.proces.pid}, "beide workers horen bij deze server"

            # The token works on both, and both read the same casus.
            lezingen = [w.graphql(consulent, CASUS) for w in (a, b)]
            for antwoord, _ in lezingen:
                assert not antwoord.get("errors"), antwoord
            (casus_a, request_a), (casus_b, request_b) = lezingen
            assert casus_a["data"] == casus_b["data"]

            # A policy change through worker A holds in worker B from its next request on (toegang.md rule 9).
            assert not b.graphql(consulent, ZORGKOSTEN)[0].get("errors")
            weg, _ = a.graphql(beheerder, WIJZIG, _wijziging("VERWIJDEREN"))
            assert not weg.get("errors"), weg
            assert _codes(b.graphql(consulent, ZORGKOSTEN)[0]) == ["FORBIDDEN"]
            terug, _ = b.graphql(beheerder, WIJZIG, _wijziging("TOEVOEGEN"))
            assert not terug.get("errors"), terug
            assert not a.graphql(consulent, ZORGKOSTEN)[0].get("errors")
        finally:
            for w in workers:
                w.client.close()
    controleer_schone_uitvoer(server)

    # One pseudonym key: both workers wrote the same pseudonym for the inwoner of that casus.
    engine = maak_engine(db_url)
    try:
        async with engine.connect() as conn:
            rijen = (
                await conn.execute(
                    sa.select(auditregel.c.request_id, auditregel.c.betrokkenen).where(
                        auditregel.c.request_id.in_([request_a, request_b]), auditregel.c.operatie == "lezen"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    per_verzoek = {r.request_id: r.betrokkenen for r in rijen}
    assert set(per_verzoek) == {request_a, request_b}
    assert per_verzoek[request_a] == per_verzoek[request_b] and len(per_verzoek[request_a]) == 1


def test_pseudoniemsleutel_wordt_eenmaal_gemaakt_ook_als_processen_tegelijk_starten(tmp_path, monkeypatch):
    inst = Instellingen(data_map=tmp_path / "data", pseudoniem_sleutel=None)
    echt = secrets.token_hex

    def traag_token_hex(n: int) -> str:
        time.sleep(0.05)  # widens the window between "no key yet" and "key written" for every thread
        return echt(n)

    monkeypatch.setattr(secrets, "token_hex", traag_token_hex)
    start = threading.Barrier(16)
    sleutels: list[bytes] = []

    def maak() -> None:
        start.wait()
        sleutels.append(inst.pseudoniem_sleutel_bytes())

    draden = [threading.Thread(target=maak) for _ in range(16)]
    for d in draden:
        d.start()
    for d in draden:
        d.join()
    assert len(sleutels) == 16 and len(set(sleutels)) == 1 and len(sleutels[0]) == 64
    assert (tmp_path / "data" / "pseudoniem.key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["pseudoniem.key"], "geen tijdelijke bestanden over"
