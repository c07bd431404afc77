"""SQLite-fouten in het log met hun naam: vergrendeld, vol en alleen-lezen zijn te onderscheiden.

All three are sqlite3.OperationalError without a SQLSTATE; only the SQLite error name says which.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from api.app import maak_app
from api.auth import TokenVerifier
from api.fouten import log_onverwacht
from api.limieten import Limieten
from domein.opslag.db import maak_engine
from tests.conftest import DATABASES, Api, codes
from tests.hulp import NIJMEGEN, REGISTREER_CASUS, casus_invoer, nieuw_bsn


@pytest.mark.skipif("sqlite" not in DATABASES, reason="REGIEKAMER_TEST_DATABASES zonder sqlite")
async def test_alleen_lezen_sqlite_database_geeft_internal_en_logt_sqlite_readonly(
    sjablonen, tmp_path, demosleutel, beslisser, pseudonimiseerder, caplog
):
    pad = tmp_path / "alleen-lezen.db"
    shutil.copy(sjablonen["sqlite"], pad)
    # Tests run as root, for whom chmod 0444 does not stop writes; mode=ro gives SQLite the same
    # read-only file as an unwritable disk or mount would (SQLITE_READONLY).
    engine = maak_engine(f"sqlite+aiosqlite:///file:{pad}?mode=ro&uri=true")
    app = maak_app(
        engine, TokenVerifier(public_key_pem=demosleutel.public_key_pem), pseudonimiseerder, Limieten(), beslisser
    )
    bsn = nieuw_bsn()
    caplog.set_level(logging.ERROR, logger="regiekamer")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            antwoord = await Api(client, demosleutel, engine).als(
                "consulent", NIJMEGEN, REGISTREER_CASUS, {"input": casus_invoer(bsn=bsn)}
            )
    finally:
        await engine.dispose()
    assert codes(antwoord) == ["INTERNAL"], antwoord
    request_id = antwoord["errors"][0]["extensions"]["requestId"]
    regels = [r.getMessage() for r in caplog.records if r.name == "regiekamer"]
    assert any("SQLITE_READONLY" in r and request_id in r for r in regels), regels
    assert not any(bsn in r for r in regels)


@pytest.mark.parametrize("naam", ["SQLITE_BUSY", "SQLITE_FULL", "SQLITE_READONLY"])
def test_logregel_noemt_de_sqlite_foutnaam_ook_als_de_driver_de_fout_inpakt(naam, caplog):
    sqlite_fout = sqlite3.OperationalError("database bericht met mogelijk een rij erin")
    sqlite_fout.sqlite_errorname = naam  # type: ignore[attr-defined]  # set by sqlite3 itself normally

    class Ingepakt(Exception):
        pass

    ingepakt = Ingepakt("ingepakt")
    ingepakt.__cause__ = sqlite_fout
    caplog.set_level(logging.ERROR, logger="regiekamer")
    log_onverwacht("verzoek-1", OperationalError("INSERT INTO casus ...", None, ingepakt))
    regel = caplog.records[-1].getMessage()
    assert f"sqlite={naam}" in regel and "verzoek-1" in regel
    assert "mogelijk een rij" not in regel  # the message text can quote a row: never logged
