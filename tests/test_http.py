"""HTTP-contract: 401 bij elk ongeldig token, limieten, gemaskeerde fouten met verzoek-id, /health, GraphiQL."""

from __future__ import annotations

import json
import logging

import jwt
import pytest

from domein import casussen
from tests.conftest import codes
from tests.hulp import CASUSSEN, NIJMEGEN, registreer_casus


async def _post(api, body, token: str | None = "geldig", **headers):
    if token == "geldig":
        token = api.token("consulent", NIJMEGEN)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await api.client.post(
        "/graphql",
        content=body if isinstance(body, bytes) else json.dumps(body),
        headers={"Content-Type": "application/json", **headers},
    )


@pytest.mark.parametrize("token", [None, "", "onzin", "a.b.c"])
async def test_zonder_geldig_token_401_unauthenticated(api, token):
    antwoord = await _post(api, {"query": "{ ik { sub } }"}, token=token)
    assert antwoord.status_code == 401
    assert antwoord.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_vervalst_token_krijgt_401_en_geen_data(api):
    vals = jwt.encode(
        {"sub": "x", "rol": "consulent", "gemeente": NIJMEGEN, "aud": "regiekamer", "iat": 1, "exp": 9999999999},
        "geheim-geheim-geheim-geheim-geheim!",
        algorithm="HS256",
    )
    antwoord = await _post(api, {"query": "{ casussen { totalCount } }"}, token=vals)
    assert antwoord.status_code == 401 and "data" not in antwoord.json()


async def test_te_groot_verzoek_krijgt_413_query_te_complex(api):
    antwoord = await _post(api, {"query": "{ ik { sub } }", "x": "a" * 200_000})
    assert antwoord.status_code == 413
    assert antwoord.json()["errors"][0]["extensions"]["code"] == "QUERY_TE_COMPLEX"


async def test_batch_tot_vijf_operaties_werkt_en_zes_niet(api):
    vijf = await _post(api, [{"query": "{ ik { sub } }"}] * 5)
    assert vijf.status_code == 200 and len(vijf.json()) == 5
    zes = await _post(api, [{"query": "{ ik { sub } }"}] * 6)
    assert zes.json()["errors"][0]["extensions"]["code"] == "QUERY_TE_COMPLEX"


async def test_diepe_query_krijgt_query_te_complex(api):
    q = "{ contracten { edges { node { aanbieder { contracten { aanbieder { naam } } } } } } }"
    assert codes(await api.als("consulent", NIJMEGEN, q)) == ["QUERY_TE_COMPLEX"]


async def test_introspectie_staat_uit_buiten_demo(api):
    antwoord = await api.als("consulent", NIJMEGEN, "{ __schema { types { name } } }")
    assert codes(antwoord) == ["BAD_USER_INPUT"] and "data" not in antwoord


async def test_veldsuggesties_staan_uit(api):
    antwoord = await api.als("consulent", NIJMEGEN, "{ casussen { edges { node { inwone { bsn } } } } }")
    assert codes(antwoord) == ["BAD_USER_INPUT"]
    assert "Did you mean" not in antwoord["errors"][0]["message"]
    assert "inwoner" not in antwoord["errors"][0]["message"]


async def test_geen_json_geeft_nette_fout(api):
    antwoord = await _post(api, b"{niet json")
    assert antwoord.status_code == 400 and antwoord.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    antwoord = await _post(api, {"query": 42})
    assert antwoord.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_onverwachte_fout_wordt_gemaskeerd_met_verzoek_id(api, monkeypatch, caplog):
    await registreer_casus(api, NIJMEGEN)

    async def stuk(*_a, **_k):
        raise RuntimeError("geheime interne details /var/lib/db")

    monkeypatch.setattr(casussen, "persoonsgegevens", stuk)
    with caplog.at_level(logging.ERROR, logger="regiekamer"):
        antwoord = await _post(api, {"query": CASUSSEN})
    inhoud = antwoord.json()
    fout = inhoud["errors"][0]
    assert fout["extensions"]["code"] == "INTERNAL"
    assert "geheime" not in json.dumps(inhoud) and "Traceback" not in json.dumps(inhoud)
    request_id = fout["extensions"]["requestId"]
    assert antwoord.headers["X-Request-Id"] == request_id
    assert request_id in caplog.text and "geheime interne details" in caplog.text


async def test_variabele_van_verkeerd_type_geeft_bad_user_input(api):
    antwoord = await api.als(
        "consulent", NIJMEGEN, "query($f: Int) { casussen(first: $f) { totalCount } }", {"f": "veel"}
    )
    assert codes(antwoord) == ["BAD_USER_INPUT"]
    antwoord = await api.als("consulent", NIJMEGEN, "{ casussen(first: 1000) { totalCount } }")
    assert codes(antwoord) == ["BAD_USER_INPUT"]


async def test_health_antwoordt_als_de_database_antwoordt(api):
    antwoord = await api.client.get("/health")
    assert antwoord.status_code == 200 and antwoord.json() == {"status": "ok"}


async def test_graphiql_staat_buiten_demo_uit_met_een_gecodeerde_404(api):
    """Buiten demo en ontwikkeling geen IDE (tests/test_ide.py toetst de IDE zelf)."""
    antwoord = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert antwoord.status_code == 404 and codes(antwoord.json()) == ["NOT_FOUND"]


async def test_databasefout_zet_geen_bsn_in_het_serverlog(api, monkeypatch, caplog):
    """Een onverwachte databasefout logt de SQL, maar nooit de parameters (BSN, naam)."""
    import sqlalchemy as sa

    from domein.opslag.tabellen import casus_persoonsgegevens
    from tests.hulp import REGISTREER_CASUS, casus_invoer

    async with api.engine.begin() as conn:  # make the next insert fail inside the database
        if api.engine.dialect.name == "postgresql":
            await conn.execute(sa.text("ALTER TABLE casus_persoonsgegevens ADD CONSTRAINT kapot CHECK (naam = 'x')"))
        else:
            await conn.execute(
                sa.text(
                    "CREATE TRIGGER kapot BEFORE INSERT ON casus_persoonsgegevens "
                    "BEGIN SELECT RAISE(ABORT, 'kapot'); END"
                )
            )
    _ = casus_persoonsgegevens
    with caplog.at_level(logging.ERROR, logger="regiekamer"):
        antwoord = await api.als(
            "consulent", NIJMEGEN, REGISTREER_CASUS, {"input": casus_invoer(bsn="999990032", naam="Geheime Naam")}
        )
    assert codes(antwoord) == ["INTERNAL"]
    assert "casus_persoonsgegevens" in caplog.text  # the failing statement is logged ...
    assert "999990032" not in caplog.text and "Geheime Naam" not in caplog.text  # ... its parameters are not
