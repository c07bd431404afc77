"""Bewaartermijnen (Bijlage 1 art. 3.1 en art. 11; toegang.md regel 6): na afloop onomkeerbaar weg.

Guarded: after the termijn no table holds the BSN or naam (the whole database is scanned); what should
stay stays; aggregates (stapgebeurtenissen) and the audit chain are unchanged and valid; the job is
idempotent and resumable after a crash, also after a real kill of the process.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from domein import audit, bewaartermijn
from domein.bewaartermijn import Bewaartermijnen, Duur
from domein.opslag.tabellen import casus, casus_persoonsgegevens, melding, metadata, stapgebeurtenis
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, intern_id, nieuw_bsn, registreer_casus
from tests.hulp_signalen import ESCALEER, REGISTREER, aanbieder, behandel, naar_stap_2, stap_1, stap_3

SLUIT = """mutation($i: SluitCasusInput!) { sluitCasus(input: $i) { id status } }"""
PEILDATUM = date(2026, 11, 26)
LANG_GELEDEN = datetime(2010, 1, 1, tzinfo=UTC)


async def _dump(engine) -> str:
    """Alle rijen van alle tabellen als tekst: de hele database doorzocht, niet één tabel."""
    delen = []
    async with engine.connect() as conn:
        for tabel in metadata.sorted_tables:
            rijen = (await conn.execute(sa.select(tabel))).all()
            delen.append(json.dumps([list(r) for r in rijen], default=str, ensure_ascii=False))
    return "\n".join(delen)


async def _zet_gesloten(engine, tabel, id_, moment=LANG_GELEDEN) -> None:
    kolom = "gesloten_op" if tabel is casus else "gewijzigd_op"
    async with engine.begin() as conn:
        await conn.execute(tabel.update().where(tabel.c.id == id_).values({kolom: moment}))


async def _gesloten_casus(api, naam: str, gemeente: str = NIJMEGEN, lang_geleden: bool = True) -> tuple[dict, str]:
    bsn = nieuw_bsn()
    c = await registreer_casus(api, gemeente, bsn=bsn, naam=naam)
    r = await api.als("consulent", gemeente, SLUIT, {"i": {"casusId": c["id"], "reden": "DOEL_BEREIKT"}})
    assert r["data"]["sluitCasus"]["status"] == "GESLOTEN", r
    if lang_geleden:
        await _zet_gesloten(api.engine, casus, intern_id(c["id"]))
    return c, bsn


async def _afgeronde_rmz_melding(api, client_naam: str, client_bsn: str) -> str:
    aid = await aanbieder(api)
    tekst = f"{client_naam} kreeg geen zorg"  # the melder put the name in the signaal; it is copied into the melding
    s = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": stap_1(aid, omschrijving=tekst, toelichting=tekst)})
    sid = s["data"]["registreerSignaal"]["id"]
    await naar_stap_2(api, sid)
    betrokkenen = [{"soort": "CLIENT", "naam": client_naam, "bsn": client_bsn}]
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(sid, betrokkenen=betrokkenen)})
    mid = r["data"]["escaleerSignaal"]["melding"]["id"]
    await behandel(api, "rmz_medewerker", mid, "NIET_IN_BEHANDELING", terugkoppeling="Buiten onze taak")
    return mid


async def test_sluit_casus_alleen_eigen_gemeente_en_een_keer(api):
    c = await registreer_casus(api, NIJMEGEN)
    assert codes(await api.als("consulent", WIJCHEN, SLUIT, {"i": {"casusId": c["id"]}})) == ["NOT_FOUND"]
    assert codes(await api.als("kwaliteitsmedewerker", NIJMEGEN, SLUIT, {"i": {"casusId": c["id"]}})) == ["FORBIDDEN"]
    assert (await api.als("consulent", NIJMEGEN, SLUIT, {"i": {"casusId": c["id"]}}))["data"]["sluitCasus"][
        "status"
    ] == "GESLOTEN"
    assert codes(await api.als("consulent", NIJMEGEN, SLUIT, {"i": {"casusId": c["id"]}})) == ["ONGELDIGE_OVERGANG"]


async def test_art_3_1_na_de_termijn_staat_bsn_en_naam_nergens_meer_en_de_rest_blijft(api):
    weg, weg_bsn = await _gesloten_casus(api, "Wanda Weg")
    # Her name also ended up in the free text of a signaal about her casus.
    aid = await aanbieder(api)
    await api.als(
        "consulent", NIJMEGEN, REGISTREER, {"i": stap_1(aid, casusId=weg["id"], omschrijving="Gesprek met Wanda Weg")}
    )
    _recent, recent_bsn = await _gesloten_casus(api, "Rita Recent", lang_geleden=False)
    open_casus = await registreer_casus(api, WIJCHEN, naam="Olga Open")
    melding_weg = await _afgeronde_rmz_melding(api, "Cees Cliënt", "999990123")
    await _zet_gesloten(api.engine, melding, intern_id(melding_weg))
    melding_open = await _afgeronde_rmz_melding(api, "Bram Blijft", "999990135")
    async with api.engine.connect() as conn:
        feiten = (await conn.execute(sa.select(stapgebeurtenis).order_by(stapgebeurtenis.c.id))).all()
        audit_voor = await conn.scalar(sa.select(sa.func.count()).select_from(audit.auditregel))

    uitslag = await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), PEILDATUM)

    assert uitslag == {"casus": 1, "melding.rmz": 1, "melding.contractmanager": 0}
    alles = await _dump(api.engine)
    for verdwenen in (weg_bsn, "Wanda", "Cees Cliënt", "999990123"):
        assert verdwenen not in alles, verdwenen
    for gebleven in (recent_bsn, "Rita Recent", "Olga Open", open_casus["inwoner"]["bsn"], "Bram Blijft", "999990135"):
        assert gebleven in alles, gebleven
    async with api.engine.connect() as conn:
        assert (await conn.execute(sa.select(stapgebeurtenis).order_by(stapgebeurtenis.c.id))).all() == feiten
        assert (await audit.verifieer(conn)).intact
        vernietigd = (
            (await conn.execute(sa.select(audit.auditregel).where(audit.auditregel.c.operatie == "vernietigen")))
            .mappings()
            .all()
        )
        assert await conn.scalar(sa.select(sa.func.count()).select_from(audit.auditregel)) == audit_voor + 2
    assert {(r["object_type"], r["verantwoordelijke"], r["sub"]) for r in vernietigd} == {
        ("casus", NIJMEGEN, "regiekamer bewaartermijn"),
        ("melding", NIJMEGEN, "regiekamer bewaartermijn"),
    }
    assert all(len(r["betrokkenen"]) == 1 for r in vernietigd)  # the pseudonym stays, for inzage afterwards
    gelezen = await api.als(
        "consulent",
        NIJMEGEN,
        "query($id: ID!) { casus(id: $id) { status inwoner { bsn } hulpvraag leefdomeinen } }",
        {"id": weg["id"]},
    )
    assert gelezen["data"]["casus"] == {"status": "GESLOTEN", "inwoner": None, "hulpvraag": None, "leefdomeinen": []}
    assert melding_open


async def test_vernietiging_staat_bij_de_eigen_gemeente_niet_bij_het_rob(api):
    """The job works for the gemeente that owns the data: the ROB's privacy officer cannot find the person."""
    _c, bsn = await _gesloten_casus(api, "Vera Vernietigd")
    await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), PEILDATUM)
    inzage = "query($bsn: String!) { inzageverzoek(bsn: $bsn) { verwerkingen { operatie organisatie } } }"
    rob = await api.als("privacy_officer", None, inzage, {"bsn": bsn})
    assert rob["data"]["inzageverzoek"]["verwerkingen"] == []
    nijmegen = await api.als("privacy_officer", NIJMEGEN, inzage, {"bsn": bsn})
    assert {"operatie": "vernietigen", "organisatie": NIJMEGEN} in nijmegen["data"]["inzageverzoek"]["verwerkingen"]


async def test_geen_nieuw_signaal_op_een_gesloten_casus(api):
    c, _ = await _gesloten_casus(api, "Gerda Gesloten")
    r = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": stap_1(await aanbieder(api), casusId=c["id"])})
    assert codes(r) == ["ONGELDIGE_OVERGANG"]


async def test_tweede_keer_toepassen_verandert_niets(api):
    await _gesloten_casus(api, "Ida Idempotent")
    await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), PEILDATUM)
    voor = await _dump(api.engine)
    assert await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), PEILDATUM) == {
        "casus": 0,
        "melding.rmz": 0,
        "melding.contractmanager": 0,
    }
    assert await _dump(api.engine) == voor


async def test_termijn_telt_vanaf_sluiten_en_is_instelbaar(api):
    c, bsn = await _gesloten_casus(api, "Tom Termijn", lang_geleden=False)
    await _zet_gesloten(api.engine, casus, intern_id(c["id"]), datetime(2025, 11, 26, 12, tzinfo=UTC))
    een_jaar = Bewaartermijnen(casus=Duur.lees("P1Y"))
    assert (await bewaartermijn.toepassen(api.engine, een_jaar, date(2026, 11, 25)))["casus"] == 0
    assert (await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), date(2026, 11, 26)))["casus"] == 0
    assert (await bewaartermijn.toepassen(api.engine, een_jaar, date(2026, 11, 26)))["casus"] == 1
    assert bsn not in await _dump(api.engine)


def test_bewaartermijn_leest_iso_duren_en_weigert_onzin():
    assert Duur.lees("P15Y") == Duur(jaren=15) and str(Duur.lees("p1y6m")) == "P1Y6M"
    assert Duur(maanden=1).voor(date(2026, 3, 31)) == date(2026, 2, 28)
    assert Duur(jaren=1).voor(date(2028, 2, 29)) == date(2027, 2, 28)
    for fout in ("15 jaar", "P", "PT5H", ""):
        with pytest.raises(ValueError):
            Duur.lees(fout)


async def test_crash_halverwege_en_opnieuw_draaien_maakt_het_af(api, monkeypatch):
    bsns = [(await _gesloten_casus(api, f"Crash Persoon {i}"))[1] for i in range(5)]
    echt = audit.schrijf
    aanroepen = 0

    async def crasht_bij_de_derde_batch(*a, **k):
        nonlocal aanroepen
        aanroepen += 1
        if aanroepen == 3:
            raise RuntimeError("stroom uitgevallen")
        return await echt(*a, **k)

    monkeypatch.setattr(audit, "schrijf", crasht_bij_de_derde_batch)
    with pytest.raises(RuntimeError):
        await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), PEILDATUM, grootte=1)
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(casus_persoonsgegevens)) == 3
    monkeypatch.setattr(audit, "schrijf", echt)
    assert (await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), PEILDATUM, grootte=1))["casus"] == 3
    alles = await _dump(api.engine)
    assert not any(b in alles for b in bsns)
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact
        vernietigd = await conn.scalar(
            sa.select(sa.func.count()).select_from(audit.auditregel).where(audit.auditregel.c.operatie == "vernietigen")
        )
    assert vernietigd == 5  # each casus exactly once: nothing removed twice, nothing lost


async def test_proces_gedood_halverwege_en_opnieuw_gestart_is_volledig(api, db_url, tmp_path):
    bsns = [(await _gesloten_casus(api, f"Kill Persoon {i}"))[1] for i in range(30)]
    blijft, _ = await _gesloten_casus(api, "Karel Kortgeleden", lang_geleden=False)
    omgeving = os.environ | {"DATABASE_URL": db_url, "REGIEKAMER_DATA_MAP": str(tmp_path)}
    opdracht = [
        sys.executable,
        "-m",
        "api.cli",
        "bewaartermijn",
        "toepassen",
        "--peildatum",
        str(PEILDATUM),
        "--batch",
        "1",
    ]
    proces = await asyncio.create_subprocess_exec(
        *opdracht, env=omgeving, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert proces.stdout is not None
    while b"tot nu toe" not in (regel := await proces.stdout.readline()):
        assert regel, (await proces.stderr.read()).decode() if proces.stderr else ""
    proces.send_signal(signal.SIGKILL)
    await proces.wait()
    tweede = await asyncio.create_subprocess_exec(
        *opdracht, env=omgeving, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    uit, fout = await tweede.communicate()
    assert tweede.returncode == 0, fout.decode()
    assert b"Klaar" in uit
    alles = await _dump(api.engine)
    assert not any(b in alles for b in bsns)
    assert "Karel Kortgeleden" in alles and blijft["inwoner"]["bsn"] in alles
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact
        vernietigd = await conn.scalar(
            sa.select(sa.func.count()).select_from(audit.auditregel).where(audit.auditregel.c.operatie == "vernietigen")
        )
    assert vernietigd == 30
