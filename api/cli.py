"""De opdrachtregel ``regiekamer`` (contract.md): serve, token, migrate, audit verify, bewaartermijn, schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api.instellingen import Instellingen
from api.logboek import stel_in
from api.versie import versietekst

log = logging.getLogger("regiekamer")


def _fout(bericht: str, code: int = 1) -> int:
    print(f"regiekamer: {bericht}", file=sys.stderr)
    return code


def _serve(args: argparse.Namespace, inst: Instellingen) -> int:
    import uvicorn

    from api.app import stem_gc_af
    from api.fabriek import bouw_app, maak_verifier
    from api.logboek import logconfig
    from api.sleutels import DemoSleutel
    from beleid.beslisser import CasbinBeslisser
    from domein import demo
    from domein.audit import Pseudonimiseerder
    from domein.opslag.db import maak_engine
    from domein.opslag.migraties import migreer

    if args.workers < 1:
        return _fout("--workers moet minstens 1 zijn.", 2)
    demo_modus = args.demo or inst.demo
    if demo_modus:
        DemoSleutel.laad_of_maak(inst.data_map)
        os.environ.setdefault("REGIEKAMER_GRAPHIQL", "true")  # the app (and every worker) reads it; false wins
    try:
        verifier = maak_verifier(inst, demo_modus)
    except ValueError as e:  # no key, unusable key, non-https JWKS URL, both set: say so, no traceback
        return _fout(str(e), 2)
    _waarschuw_eigen_pseudoniemsleutel(inst, demo_modus)
    _leeg_multiproc_map(args.workers)
    # Made (or read) once here, before any worker starts: every worker reads this same key.
    pseudonimiseerder = Pseudonimiseerder(inst.pseudoniem_sleutel_bytes())

    async def voorbereiden() -> bool | None:
        # One event loop for all start-up work, and its engine disposed inside that loop: asyncpg
        # connections belong to the loop that opened them (closing them from another loop gave
        # "Event loop is closed"). uvicorn's loop gets an engine of its own below.
        await migreer(inst.database_url)
        if not demo_modus:
            return None
        engine = maak_engine(inst.database_url)
        try:
            return await demo.vul(engine, CasbinBeslisser(), pseudonimiseerder)
        finally:
            await engine.dispose()

    gevuld = asyncio.run(voorbereiden())
    if demo_modus:
        print("Demogegevens geladen." if gevuld else "Database had al gegevens; demogegevens overgeslagen.")
        print("Token voor een consulent van Nijmegen: regiekamer token --rol consulent --gemeente 0268")
    ide = " (GraphiQL in de browser)" if Instellingen().graphiql_aan() else ""
    log.info("Regiekamer op http://%s:%s/graphql%s, /health", args.host, args.port, ide)
    if inst.metrics and not inst.metrics_token:
        log.warning("/metrics staat aan zonder REGIEKAMER_METRICS_TOKEN: scherm het af in de proxy of het netwerk.")
    # uvicorn logs through our configuration (also in every worker); its access log is off: it would
    # write the query string, and api/logboek.py writes one line per request without it.
    logging_uvicorn: dict[str, Any] = {
        "log_config": logconfig(inst.logformaat(not demo_modus), inst.log_niveau),
        "log_level": inst.log_niveau.lower(),
        "access_log": False,
    }
    if args.workers == 1:
        app = bouw_app(inst, demo_modus, verifier)
        stem_gc_af()
        uvicorn.run(app, host=args.host, port=args.port, **logging_uvicorn, **inst.uvicorn_tijdslimieten())
        return 0
    # Each worker is a fresh process that builds its app from the environment (api.fabriek): --demo
    # goes there too, and the header time limit by name (a class made in a function cannot be sent).
    if demo_modus:
        os.environ["REGIEKAMER_DEMO"] = "true"
    uvicorn.run(
        "api.fabriek:fabriek",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        **logging_uvicorn,
        timeout_keep_alive=inst.keep_alive_seconden,
        http="api.fabriek:H11MetKopLimiet",
    )
    return 0


def _waarschuw_eigen_pseudoniemsleutel(inst: Instellingen, demo_modus: bool) -> None:
    """Zonder ingestelde sleutel maakt elke host (container) een eigen: de pseudoniemen verschillen per replica."""
    pad = inst.pseudoniem_sleutel_uit_bestand()
    if pad is None:
        return
    herkomst = "gelezen uit" if pad.exists() else "nieuw gemaakt in"
    bericht = (
        "De pseudoniemsleutel is %s %s, op deze host. Draaien meer replica's of containers, of wordt deze map "
        "niet bewaard, dan krijgt elk een eigen sleutel en verschillen de pseudoniemen in auditlog en meldingen. "
        "Zet REGIEKAMER_PSEUDONIEM_SLEUTEL (een geheim van minstens 32 tekens), gelijk voor alle replica's."
    )
    (log.info if demo_modus else log.warning)(bericht, herkomst, pad)


def _leeg_multiproc_map(workers: int) -> None:
    """Met PROMETHEUS_MULTIPROC_DIR: de waarden van een vorige start weg, anders telt /metrics ze mee."""
    map_ = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not map_:
        return
    Path(map_).mkdir(parents=True, exist_ok=True)
    for bestand in Path(map_).glob("*.db"):
        bestand.unlink(missing_ok=True)
    log.info("Metrieken van %s workers worden opgeteld via %s", workers, map_)


def _token(args: argparse.Namespace, inst: Instellingen) -> int:
    from api.sleutels import DemoSleutel
    from domein.actor import Actor, OngeldigeActor

    sleutel = DemoSleutel.laad(inst.data_map)
    if sleutel is None:
        return _fout(
            f"er is geen ontwikkelsleutel in {inst.data_map}/. Start eerst 'regiekamer serve --demo' in deze map; "
            "buiten demo geeft uw OIDC-provider de tokens uit."
        )
    sub = args.sub or f"dev-{args.rol}-{args.gemeente or 'rob'}"
    try:
        Actor.uit_claims(sub, args.rol, args.gemeente)
    except OngeldigeActor as e:
        return _fout(str(e))
    try:
        token = sleutel.maak_token(
            rol=args.rol, gemeente=args.gemeente, sub=sub, ttl_seconds=args.ttl, audience=inst.jwt_audience
        )
    except ValueError as e:
        return _fout(str(e))
    print(token)
    return 0


def _migrate(_args: argparse.Namespace, inst: Instellingen) -> int:
    from domein.opslag.migraties import migreer

    asyncio.run(migreer(inst.database_url))
    print("Database staat op de nieuwste migratie.")
    return 0


async def _verifieer(url: str) -> int:
    from domein import audit
    from domein.opslag.db import maak_engine

    engine = maak_engine(url)
    try:
        async with engine.connect() as conn:
            uitslag = await audit.verifieer(conn)
    finally:
        await engine.dispose()
    if uitslag.intact:
        print(
            f"Auditketen intact: {uitslag.aantal} regels gecontroleerd, in {uitslag.ketens} ketens "
            "(één per verantwoordelijke; regels van vóór migratie 0008 in één globale keten)."
        )
        return 0
    print(
        f"Auditketen GEBROKEN bij regel {uitslag.eerste_breuk}: {uitslag.reden} "
        f"({uitslag.aantal} regels daarvoor waren in orde)."
    )
    return 1


def _audit(args: argparse.Namespace, inst: Instellingen) -> int:
    return asyncio.run(_verifieer(inst.database_url))


async def _importeer(
    url: str, sleutel: bytes, gemeente: str, sub: str, ruw: list[Any]
) -> tuple[Any, list[dict[str, Any]]]:
    import uuid

    from beleid.beslisser import CasbinBeslisser
    from beleid.bron import Beleidsbron
    from domein import zorgkosten
    from domein.actor import Actor, Rol
    from domein.audit import Pseudonimiseerder
    from domein.fouten import DomeinFout
    from domein.opslag.db import maak_engine
    from domein.verzoek import Verzoek
    from domein.werkeenheid import werkeenheid

    engine = maak_engine(url)
    try:
        async with werkeenheid(engine, str(uuid.uuid4())) as e:
            beslisser = await Beleidsbron(CasbinBeslisser()).actueel(e.conn)  # with run-time changes
            actor = Actor(sub, Rol.BACKOFFICE, gemeente)
            vz = Verzoek(actor, e.conn, beslisser, Pseudonimiseerder(sleutel), e.request_id, audit=e.audit)
            aanlevering = await zorgkosten.lever_aan(vz, ruw)
        return aanlevering, []
    except DomeinFout as f:  # rolled back; the refusal itself is in the audit log (toegang.md rule 7)
        return None, f.fouten or [{"regel": None, "veld": f.veld, "melding": f.bericht}]
    finally:
        await engine.dispose()


def _zorgkosten(args: argparse.Namespace, inst: Instellingen) -> int:
    """Leest een CSV-bestand (kolommen agb of aanbieder_id, product, maand, bedrag; ',' of ';') in één keer in.

    UTF-8 (with or without BOM) or Windows-1252, amounts as 1234,50, 1.234,50 or 1234.50 (domein.zorgkosten_csv).
    """
    from domein.actor import GEMEENTEN
    from domein.zorgkosten_csv import OnleesbaarBestand, lees_csv

    if args.gemeente not in GEMEENTEN:
        return _fout(f"onbekende gemeente {args.gemeente!r}; kies een CBS-code uit {', '.join(GEMEENTEN)}.", 2)
    try:
        ruw = lees_csv(Path(args.bestand).read_bytes())
    except OSError as e:
        return _fout(f"kan {args.bestand} niet lezen: {e.strerror}.", 2)
    except OnleesbaarBestand as e:
        return _fout(f"{args.bestand}: {e}", 2)
    sub = args.sub or f"cli-backoffice-{args.gemeente}"
    aanlevering, fouten = asyncio.run(
        _importeer(inst.database_url, inst.pseudoniem_sleutel_bytes(), args.gemeente, sub, ruw)
    )
    if fouten:
        for f in fouten:
            waar = f"regel {f['regel']}" if f.get("regel") else "bestand"
            print(f"{waar}: {f.get('veld') or ''}: {f['melding']}", file=sys.stderr)
        return _fout(f"niets ingelezen: {len({f.get('regel') for f in fouten})} regel(s) niet in orde.")
    print(f"{aanlevering.regels} regels ingelezen voor {args.gemeente}, totaal € {aanlevering.totaal}.")
    return 0


def _bewaartermijn(args: argparse.Namespace, inst: Instellingen) -> int:
    from datetime import date

    from domein import bewaartermijn
    from domein.fouten import OngeldigeInvoer
    from domein.opslag.db import maak_engine
    from domein.waarden import controleer_datum

    try:
        peildatum = date.fromisoformat(args.peildatum) if args.peildatum else date.today()
        controleer_datum(peildatum, "peildatum")
    except ValueError:
        return _fout(f"'{args.peildatum}' is geen datum; schrijf JJJJ-MM-DD.", 2)
    except OngeldigeInvoer as e:
        return _fout(e.bericht, 2)
    if args.batch < 1:
        return _fout("--batch moet minstens 1 zijn.", 2)
    termijnen = inst.bewaartermijnen()

    def voortgang(categorie: str, aantal: int) -> None:
        print(f"  {categorie}: {aantal} tot nu toe", flush=True)

    async def draai() -> dict[str, int]:
        engine = maak_engine(inst.database_url)
        try:
            return await bewaartermijn.toepassen(engine, termijnen, peildatum, grootte=args.batch, voortgang=voortgang)
        finally:
            await engine.dispose()

    print(
        f"Bewaartermijnen op {peildatum}: casus {termijnen.casus}, melding.rmz {termijnen.melding_rmz}, "
        f"melding.contractmanager {termijnen.melding_contractmanager}",
        flush=True,
    )
    uitslag = asyncio.run(draai())
    for categorie, aantal in uitslag.items():
        print(f"{categorie}: persoonsgegevens verwijderd van {aantal}")
    print(f"Klaar: {sum(uitslag.values())} in totaal.")
    return 0


def _schema(args: argparse.Namespace, _inst: Instellingen) -> int:
    from api.schema import maak_schema

    tekst = maak_schema().as_str() + "\n"
    if args.uit == "-":
        sys.stdout.write(tekst)
    else:
        Path(args.uit).write_text(tekst, encoding="utf-8")
    return 0


class _Parser(argparse.ArgumentParser):
    """Een parser met een Nederlandse helptekst voor -h; subopdrachten krijgen dezelfde klasse."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "add_help": False})
        self.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="regiekamer",
        description="Regiekamer: samenwerking met afgedwongen doelbinding.",
        epilog="Instellingen komen uit de omgeving (REGIEKAMER_*, DATABASE_URL); zie docs/beheer.md.",
    )
    p.add_argument("--version", action="version", version=versietekst(), help="toon de versie en stop")
    sub = p.add_subparsers(dest="opdracht", required=True, metavar="OPDRACHT", help="een van:")
    s = sub.add_parser("serve", help="start de API (migreert de database eerst)")
    s.add_argument(
        "--host", default="127.0.0.1", help="adres om op te luisteren (standaard 127.0.0.1; container: 0.0.0.0)"
    )
    s.add_argument("--port", type=int, default=8000, help="poort (standaard 8000)")
    s.add_argument("--demo", action="store_true", help="demogegevens en een ontwikkelsleutel")
    s.add_argument(
        "--workers", type=int, default=1, help="aantal workerprocessen (standaard 1; zie README: meerdere workers)"
    )
    s.set_defaults(functie=_serve)
    t = sub.add_parser("token", help="maak een ontwikkeltoken met de demosleutel")
    t.add_argument("--rol", required=True, help="rol uit toegang.md, bijv. consulent of privacy_officer")
    t.add_argument("--gemeente", help="CBS-code van de gemeente (verplicht voor gemeentelijke rollen), bijv. 0268")
    t.add_argument("--sub", help="wie het token draagt (standaard dev-ROL-GEMEENTE)")
    t.add_argument("--ttl", type=int, default=3600, help="geldigheid in seconden (standaard 3600)")
    t.set_defaults(functie=_token)
    sub.add_parser("migrate", help="breng de database naar de nieuwste migratie").set_defaults(functie=_migrate)
    a = sub.add_parser("audit", help="auditlog: controleer de hashketens")
    a_sub = a.add_subparsers(dest="audit_opdracht", required=True, metavar="OPDRACHT", help="een van:")
    a_sub.add_parser("verify", help="controleer alle hashketens").set_defaults(functie=_audit)
    z = sub.add_parser("zorgkosten", help="zorgkosten inlezen")
    z_sub = z.add_subparsers(dest="zorgkosten_opdracht", required=True, metavar="OPDRACHT", help="een van:")
    zi = z_sub.add_parser("importeer", help="lees maandtotalen uit een CSV-bestand in (alles of niets)")
    zi.add_argument("bestand", help="CSV met de kolommen agb (of aanbieder_id), product, maand, bedrag")
    zi.add_argument("--gemeente", required=True, help="CBS-code van de aanleverende gemeente")
    zi.add_argument("--sub", help="wie aanlevert (voor het auditlog)")
    zi.set_defaults(functie=_zorgkosten)
    b = sub.add_parser("bewaartermijn", help="bewaartermijnen toepassen")
    b_sub = b.add_subparsers(dest="bewaartermijn_opdracht", required=True, metavar="OPDRACHT", help="een van:")
    bt = b_sub.add_parser("toepassen", help="verwijder persoonsgegevens waarvan de bewaartermijn verstreken is")
    bt.add_argument("--peildatum", help="JJJJ-MM-DD; standaard vandaag")
    bt.add_argument("--batch", type=int, default=200, help="objecten per transactie (standaard 200)")
    bt.set_defaults(functie=_bewaartermijn)
    e = sub.add_parser("schema", help="exporteer het GraphQL-schema")
    e.add_argument("--uit", default="schema.graphql", help="bestand om naar te schrijven, '-' voor stdout")
    e.set_defaults(functie=_schema)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        inst = Instellingen()
    except ValidationError as e:
        return _fout(
            "ongeldige instelling: " + "; ".join(f"{'.'.join(map(str, f['loc']))}: {f['msg']}" for f in e.errors()), 2
        )
    # JSON by default for the server outside demo (a log collector reads it); text for people at a prompt.
    serve_buiten_demo = args.functie is _serve and not (args.demo or inst.demo)
    stel_in(inst.logformaat(serve_buiten_demo), inst.log_niveau)
    try:
        return int(args.functie(args, inst))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
