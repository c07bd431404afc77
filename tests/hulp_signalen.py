"""Helpers voor signaal- en meldingtests: een aanbieder, een signaal in stap 1, escaleren."""

from __future__ import annotations

from typing import Any

from tests.hulp import NIJMEGEN

AANBIEDER = "mutation($i: RegistreerAanbiederInput!) { registreerAanbieder(input: $i) { id } }"
REGISTREER = """mutation($i: RegistreerSignaalInput!) { registreerSignaal(input: $i) {
  id stap route termijn stappen { stap toelichting afspraken door } } }"""
ESCALEER = """mutation($i: EscaleerSignaalInput!) { escaleerSignaal(input: $i) {
  id stap termijn termijnVerstreken melding { id status route termijn } } }"""
BEHANDEL = """mutation($i: BehandelMeldingInput!) { behandelMelding(input: $i) {
  id status terugkoppeling uitkomst termijn } }"""
DIRECT = """mutation($i: DirecteMeldingInput!) { meldBijContractmanager(input: $i) { id status route } }"""

_teller = iter(range(10_000))


async def aanbieder(api: Any) -> str:
    n = next(_teller)
    a = await api.als(
        "beheerder",
        None,
        AANBIEDER,
        {"i": {"naam": f"Aanbieder {n}", "kvk": f"{93000000 + n}", "agb": f"{97000000 + n}"}},
    )
    assert "errors" not in a, a
    return str(a["data"]["registreerAanbieder"]["id"])


def stap_1(aanbieder_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "aanbiederId": aanbieder_id,
        "categorie": "NIET_CONFORM_AFSPRAKEN",
        "omschrijving": "Medewerker komt afspraken uit het programma van eisen niet na",
        "toelichting": "Gesprek met de medewerker gevoerd",
        "afspraken": "PvE: bereikbaarheid binnen 24 uur",
        "afgesprokenOp": "2026-11-02",
        "aanbiederGewezenOp": ["programma_van_eisen"],
    } | kw


async def signaal_in_stap_1(api: Any, gemeente: str = NIJMEGEN, **kw: Any) -> dict[str, Any]:
    aid = kw.pop("aanbieder_id", None) or await aanbieder(api)
    r = await api.als("consulent", gemeente, REGISTREER, {"i": stap_1(aid, **kw)})
    assert "errors" not in r, r
    return dict(r["data"]["registreerSignaal"])


async def naar_stap_2(api: Any, signaal_id: str, gemeente: str = NIJMEGEN) -> dict[str, Any]:
    r = await api.als(
        "kwaliteitsmedewerker",
        gemeente,
        ESCALEER,
        {
            "i": {
                "signaalId": signaal_id,
                "naarStap": "2",
                "toelichting": "Herhaling na stap 1",
                "herhaling": True,
                "afspraken": "Schriftelijke verbeterafspraken met het management",
                "afgesprokenOp": "2026-11-16",
            }
        },
    )
    assert "errors" not in r, r
    return dict(r["data"]["escaleerSignaal"])


def stap_3(signaal_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "signaalId": signaal_id,
        "naarStap": "3",
        "toelichting": "Ook na interne opschaling herhaald",
        "herhaling": True,
        "betrokkenen": [
            {"soort": "MEDEWERKER", "naam": "Mw. Voorbeeld (aanbieder)"},
            {"soort": "CLIENT", "naam": "Cliënt Fictief", "bsn": "999990019"},
        ],
        "betrokkeneGeinformeerd": True,
    } | kw


async def melding_bij_rmz(api: Any, gemeente: str = NIJMEGEN) -> dict[str, Any]:
    s = await signaal_in_stap_1(api, gemeente)
    await naar_stap_2(api, s["id"], gemeente)
    r = await api.als("kwaliteitsmedewerker", gemeente, ESCALEER, {"i": stap_3(s["id"])})
    assert "errors" not in r, r
    return dict(r["data"]["escaleerSignaal"]["melding"])


async def behandel(api: Any, rol: str, melding_id: str, status: str, **velden: Any) -> dict[str, Any]:
    """behandelMelding als ``rol``; ``velden`` in camelCase zoals de API ze kent."""
    return dict(await api.als(rol, None, BEHANDEL, {"i": {"meldingId": melding_id, "naarStatus": status} | velden}))


async def rmz_melding_over_casus(
    api: Any, inwoner: str, medewerker: str, tekst: str, toelichting_stap_3: str | None = None
) -> tuple[str, str]:
    """Een ladder-melding bij het RMZ over een casus van Nijmegen, met de namen ook in de vrije tekst.

    Returns (melding id, bsn of the inwoner); the client is informed, so the names may travel along.
    """
    from tests.hulp import nieuw_bsn, registreer_casus

    bsn = nieuw_bsn()
    casus = await registreer_casus(api, NIJMEGEN, bsn=bsn, naam=inwoner)
    aid = await aanbieder(api)
    s = await api.als(
        "consulent",
        NIJMEGEN,
        REGISTREER,
        {"i": stap_1(aid, casusId=casus["id"], omschrijving=tekst, toelichting=tekst)},
    )
    sid = s["data"]["registreerSignaal"]["id"]
    await naar_stap_2(api, sid)
    betrokkenen = [{"soort": "MEDEWERKER", "naam": medewerker}, {"soort": "CLIENT", "naam": inwoner, "bsn": bsn}]
    extra = {"toelichting": toelichting_stap_3} if toelichting_stap_3 else {}
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(sid, betrokkenen=betrokkenen, **extra)})
    assert "errors" not in r, r
    return r["data"]["escaleerSignaal"]["melding"]["id"], bsn
