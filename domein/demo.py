"""Demogegevens: alle zeven gemeenten (al via de migratie), aanbieders, contracten en casussen.

Invented people only: names are obviously fictitious, BSNs come from the test range
999990000–999999999 and pass the elfproef; KvK and AGB numbers start with 9.
Everything goes through the normal use cases, so the demo also fills the audit log.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domein import aanbieders, bibob, casussen, contracten, datalekken, meldingen, signalen, zorgkosten
from domein.actor import Actor, Rol
from domein.audit import Pseudonimiseerder
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import aanbieder
from domein.toegang import Beslisser
from domein.verzoek import Verzoek
from domein.waarden import (
    BetrokkeneSoort,
    Categorie,
    ContractSoort,
    Herkomst,
    Leefdomein,
    MeldingSoort,
    Urgentie,
    controleer_bsn,
)
from domein.werkeenheid import werkeenheid

AANBIEDERS = [
    ("Zorggroep Voorbeeld BV", "90000001", "98000001"),
    ("Jeugdhulp Fictief Rijk", "90000002", "98000002"),
    ("Thuisbegeleiding Testland", "90000003", "98000003"),
    ("Trapliften Demo Oost", "90000004", "98000004"),
]

ALLE = ["0268", "0296", "0252", "1945", "0944", "0209", "0225"]

CASUSSEN = {
    "0268": [
        (
            "Sanne Voorbeeld",
            date(1984, 3, 12),
            "Ondersteuning bij dagbesteding na burn-out.",
            [Leefdomein.WERK_DAGBESTEDING, Leefdomein.GEZONDHEID_BEPERKINGEN],
            Urgentie.REGULIER,
        ),
        (
            "Daan Fictief",
            date(2011, 7, 2),
            "Jeugdhulp: gezinsbegeleiding bij opvoedvragen.",
            [Leefdomein.RELATIES, Leefdomein.VEILIGHEID],
            Urgentie.SPOED,
        ),
        (
            "Fatima Testpersoon",
            date(1950, 11, 23),
            "Huishoudelijke hulp en vervoer naar dagbesteding.",
            [Leefdomein.WONEN, Leefdomein.VERVOER],
            Urgentie.REGULIER,
        ),
    ],
    "0296": [
        (
            "Pieter Demonstratie",
            date(1972, 5, 30),
            "Schuldhulp en begeleiding bij administratie.",
            [Leefdomein.FINANCIEN, Leefdomein.TAAL_DIGITALE_VAARDIGHEID],
            Urgentie.REGULIER,
        ),
        (
            "Noor Verzonnen",
            date(2008, 1, 15),
            "Crisisopvang na huiselijk geweld.",
            [Leefdomein.VEILIGHEID, Leefdomein.WONEN],
            Urgentie.CRISIS,
        ),
    ],
    "1945": [
        (
            "Kees Proefgeval",
            date(1961, 9, 9),
            "Begeleiding bij participatie in de wijk.",
            [Leefdomein.PARTICIPATIE],
            Urgentie.REGULIER,
        ),
    ],
}


def fictieve_bsns(start: int = 999990000) -> Iterator[str]:
    """Fictieve BSN's uit de testreeks die de elfproef doorstaan."""
    for n in range(start, 1_000_000_000):
        try:
            yield controleer_bsn(str(n))
        except OngeldigeInvoer:
            continue


async def vul(engine: AsyncEngine, beslisser: Beslisser, pseudonimiseerder: Pseudonimiseerder) -> bool:
    """Vult een lege database; doet niets (False) als er al aanbieders zijn."""
    async with werkeenheid(engine) as eenheid:
        conn, request_id = eenheid.conn, eenheid.request_id
        if await conn.scalar(sa.select(sa.func.count()).select_from(aanbieder)):
            return False
        # Every demo Verzoek hands its records to this one; the unit of work writes them with the data.
        beheer = Verzoek(
            Actor("demo-beheerder", Rol.BEHEERDER, None), conn, beslisser, pseudonimiseerder, request_id,
            audit=eenheid.audit,
        )  # fmt: skip
        ids = [(await aanbieders.registreer(beheer, aanbieders.AanbiederInvoer(n, k, a))).id for n, k, a in AANBIEDERS]
        plafond = [
            contracten.Budgetplafond(2026, Decimal("1500000.00")),
            contracten.Budgetplafond(2027, Decimal("1550000.00")),
        ]
        for soort, naam, aanb, percelen, gemeenten in [
            (ContractSoort.RAAMCONTRACT, "Raamcontract Wmo-begeleiding 2025-2028", ids[0], ["Begeleiding individueel", "Dagbesteding"], ALLE),
            (ContractSoort.RAAMCONTRACT, "Raamcontract Specialistische Jeugdhulp", ids[1], ["Ambulante jeugdhulp", "Verblijf"], ALLE),
            (ContractSoort.DEELCONTRACT, "Deelcontract Nijmegen Thuisbegeleiding", ids[2], ["Thuisbegeleiding"], ["0268"]),
            (ContractSoort.MAATWERK, "Maatwerkovereenkomst Wijchen (veegcontract)", ids[2], ["Maatwerk begeleiding"], ["0296"]),
            (ContractSoort.HULPMIDDELEN_TRAPLIFTEN, "Hulpmiddelen en trapliften", ids[3], ["Trapliften", "Rolstoelen"], ALLE),
        ]:  # fmt: skip
            await contracten.registreer(
                beheer,
                contracten.ContractInvoer(
                    aanbieder_id=aanb,
                    soort=soort,
                    naam=naam,
                    percelen=percelen,
                    ingangsdatum=date(2025, 1, 1),
                    einddatum=date(2028, 12, 31),
                    deelnemende_gemeenten=gemeenten,
                    contractmanager="Contractmanager ROB (demo)",
                    budgetplafonds=plafond if soort is not ContractSoort.MAATWERK else [],
                ),
            )
        bsns = fictieve_bsns()
        for gemeente, lijst in CASUSSEN.items():
            consulent = Verzoek(
                Actor(f"demo-consulent-{gemeente}", Rol.CONSULENT, gemeente),
                conn,
                beslisser,
                pseudonimiseerder,
                request_id,
            )
            for naam, geboren, hulpvraag, domeinen, urgentie in lijst:
                invoer = casussen.CasusInvoer(next(bsns), naam, geboren, hulpvraag, domeinen, urgentie)
                await casussen.registreer(consulent, invoer)
            beheer.audit.voeg_toe_alle(consulent.audit.alle())
        await _signalen_en_meldingen(conn, beslisser, pseudonimiseerder, request_id, beheer, ids, bsns)
        await _historie(conn, beslisser, pseudonimiseerder, request_id, beheer, ids)
        await _privacykantoor(conn, beslisser, pseudonimiseerder, request_id, beheer, ids)
        return True


STAP_1 = {
    "toelichting": "Medewerker hield zich niet aan de bereikbaarheidsafspraak",
    "afspraken": "PvE §4.2",
    "afgesproken_op": "2026-10-01",
    "aanbieder_gewezen_op": ["programma_van_eisen"],
}
STAP_2 = {
    "toelichting": "Herhaling ondanks stap 1",
    "herhaling": True,
    "afgesproken_op": "2026-10-20",
    "verbeterafspraken_management": "Schriftelijke verbeterafspraken, evaluatie na 4 weken",
}
STAP_3 = {"toelichting": "Ook na interne opschaling herhaald", "herhaling": True}
# How far each demo melding gets at the RMZ: together they show every status (contract.md, --demo).
RMZ_PADEN: list[list[tuple[str, dict[str, str]]]] = [
    [],
    [("IN_BEHANDELING", {"terugkoppeling": "Uw melding is in behandeling genomen."})],
    [("NIET_IN_BEHANDELING", {"terugkoppeling": "De verbeterafspraken lopen nog; meld opnieuw na de evaluatie."})],
    [
        ("IN_BEHANDELING", {"terugkoppeling": "In behandeling."}),
        ("CONTRACTMANAGER_GEINFORMEERD", {"toelichting": "Contractmanager Wmo geïnformeerd."}),
    ],
    [
        ("IN_BEHANDELING", {"terugkoppeling": "In behandeling."}),
        ("CONTRACTMANAGER_GEINFORMEERD", {"toelichting": "Contractmanager geïnformeerd."}),
        ("AFGEROND", {"uitkomst": "afspraken_nagekomen", "terugkoppeling": "De aanbieder komt de afspraken na."}),
    ],
]


async def _signalen_en_meldingen(
    conn: Any,
    beslisser: Beslisser,
    pseudo: Pseudonimiseerder,
    request_id: str,
    verzamel: Verzoek,
    aanbieder_ids: list[str],
    bsns: Iterator[str],
) -> None:
    def als(rol: Rol, gemeente: str | None) -> Verzoek:
        return Verzoek(Actor(f"demo-{rol}-{gemeente or 'rob'}", rol, gemeente), conn, beslisser, pseudo, request_id)

    rmz = als(Rol.RMZ_MEDEWERKER, None)
    betrokkenen = lambda: [  # noqa: E731
        meldingen.BetrokkeneInvoer(BetrokkeneSoort.MEDEWERKER, "Begeleider (demo-aanbieder)"),
        meldingen.BetrokkeneInvoer(BetrokkeneSoort.CLIENT, "Cliënt Demonstratie", next(bsns)),
    ]
    for gemeente, aantal_meldingen in (("0268", len(RMZ_PADEN)), ("0296", 1)):
        consulent, kwal = als(Rol.CONSULENT, gemeente), als(Rol.KWALITEITSMEDEWERKER, gemeente)
        for i in range(aantal_meldingen + 2):
            s = await signalen.registreer(
                consulent,
                signalen.SignaalInvoer(
                    aanbieder_id=aanbieder_ids[i % 3],
                    categorie=Categorie.NIET_CONFORM_AFSPRAKEN,
                    omschrijving="Afspraken uit het programma van eisen worden niet nagekomen (demo)",
                    gegevens=STAP_1,
                ),
            )
            if i == 0:
                continue  # one signaal stays in stap 1
            await signalen.escaleer(kwal, signalen.Escalatie(s.id, "stap_2", STAP_2))
            if i == 1:
                continue  # one in stap 2
            await signalen.escaleer(kwal, signalen.Escalatie(s.id, "stap_3", STAP_3, betrokkenen(), True))
            if gemeente == "0268":
                melding = (await meldingen.per_signaal(rmz, [s.id]))[s.id]
                for status, gegevens in RMZ_PADEN[i - 2]:
                    await meldingen.behandel(rmz, melding.id, status, gegevens)
        verzamel.audit.voeg_toe_alle([*consulent.audit.alle(), *kwal.audit.alle()])
    direct = als(Rol.CONSULENT, "1945")
    await meldingen.meld_bij_contractmanager(
        direct,
        meldingen.MeldingInvoer(
            soort=MeldingSoort.CONTRACTMANAGER,
            aanbieder_id=aanbieder_ids[1],
            categorie=Categorie.ONGEWENSTE_WERKWIJZE,
            samenvatting="Aanbieder schortte het verblijf van een jeugdige op en stuurde het kind twee weken naar huis",
            betrokkenen=betrokkenen(),
            betrokkene_geinformeerd=True,
        ),
    )
    # Straight to the RMZ without the ladder (seed 003 §41.4): one from a gemeente, one an inwoner phoned in.
    kwal_wijchen = als(Rol.KWALITEITSMEDEWERKER, "0296")
    await meldingen.registreer_bij_rmz(
        kwal_wijchen,
        meldingen.MeldingInvoer(
            soort=MeldingSoort.RMZ,
            aanbieder_id=aanbieder_ids[2],
            categorie=Categorie.FRAUDE_VERMOEDEN,
            samenvatting="Declaraties voor begeleiding op dagen dat de cliënt in het ziekenhuis lag (demo)",
            betrokkenen=betrokkenen(),
            betrokkene_geinformeerd=True,
        ),
    )
    await meldingen.registreer_bij_rmz(
        rmz,
        meldingen.MeldingInvoer(
            soort=MeldingSoort.RMZ,
            aanbieder_id=aanbieder_ids[0],
            categorie=Categorie.FINANCIELE_FOUTEN,
            samenvatting="Inwoner belde: eigen bijdrage dubbel in rekening gebracht (demo)",
            betrokkenen=[],
            betrokkene_geinformeerd=False,
            herkomst=Herkomst.INWONER,
            gemeente="0268",
        ),
    )
    verzamel.audit.voeg_toe_alle([*direct.audit.alle(), *kwal_wijchen.audit.alle(), *rmz.audit.alle()])


async def _privacykantoor(
    conn: AsyncConnection,
    beslisser: Beslisser,
    pseudonimiseerder: Pseudonimiseerder,
    request_id: str,
    beheer: Verzoek,
    ids: list[str],
) -> None:
    """Een gesloten casus, een lopend Bibob-onderzoek en een datalek met lopende AP-termijn."""

    def als(rol: Rol, gemeente: str | None) -> Verzoek:
        return Verzoek(Actor(f"demo-{rol}-{gemeente or 'rob'}", rol, gemeente), conn, beslisser, pseudonimiseerder,
                       request_id)  # fmt: skip

    consulent = als(Rol.CONSULENT, "1945")
    eerste = (await casussen.zoek(consulent, 1, None)).items[0][1]
    await casussen.sluit(consulent, eerste.id, casussen.Afsluitreden.DOEL_BEREIKT)
    kwaliteit = als(Rol.KWALITEITSMEDEWERKER, "0268")
    await bibob.meld(kwaliteit, ids[0], bibob.Gebeurtenis.GESTART, None)
    privacy = als(Rol.PRIVACY_OFFICER, "0268")
    await datalekken.registreer(
        privacy,
        datalekken.DatalekInvoer(
            omschrijving="Een overzicht met afspraken is per ongeluk naar een verkeerd intern adres gemaild.",
            ontdekt_op=privacy.nu() - timedelta(hours=20),
            categorieen=[datalekken.Gegevenscategorie.IDENTIFICATIE],
            casus_ids=[],
            melding_ids=[],
        ),
    )
    for vz in (consulent, kwaliteit, privacy):
        beheer.audit.voeg_toe_alle(vz.audit.alle())


def _vast(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


async def _historie(
    conn: Any, beslisser: Beslisser, pseudo: Pseudonimiseerder, request_id: str, verzamel: Verzoek, ids: list[str]
) -> None:
    """Zes afgesloten maanden signalen (zonder casus) en zorgkosten, zodat de statistiek en de uitnutting iets tonen.

    Counts vary per aanbieder and gemeente, small groups included, so suppression is visible too.
    """
    kans = random.Random(2026)
    vandaag = datetime.now(UTC).date().replace(day=1)
    maanden = []
    for _ in range(6):
        vandaag = (vandaag - timedelta(days=1)).replace(day=1)
        maanden.append(vandaag)
    for maand in reversed(maanden):
        for gemeente, schaal in (("0268", 6), ("0296", 3), ("1945", 2), ("0209", 1)):
            for aanbieder_id in ids[:3]:
                for _ in range(kans.randint(0, schaal)):
                    dag = datetime(maand.year, maand.month, kans.randint(1, 20), 10, tzinfo=UTC)
                    consulent = Verzoek(
                        Actor(f"demo-consulent-{gemeente}", Rol.CONSULENT, gemeente),
                        conn, beslisser, pseudo, request_id, klok=_vast(dag),
                    )  # fmt: skip
                    s = await signalen.registreer(
                        consulent,
                        signalen.SignaalInvoer(
                            aanbieder_id=aanbieder_id,
                            categorie=kans.choice([Categorie.NIET_CONFORM_AFSPRAKEN, Categorie.KWALITEIT]),
                            omschrijving="Afspraak niet nagekomen (demohistorie)",
                            gegevens=STAP_1,
                        ),
                    )
                    verzamel.audit.voeg_toe_alle(consulent.audit.alle())
                    if kans.random() < 0.4:
                        later = dag + timedelta(days=kans.randint(1, 8))
                        kwal = Verzoek(
                            Actor(f"demo-kwaliteit-{gemeente}", Rol.KWALITEITSMEDEWERKER, gemeente),
                            conn, beslisser, pseudo, request_id, klok=_vast(later),
                        )  # fmt: skip
                        await signalen.escaleer(kwal, signalen.Escalatie(s.id, "stap_2", STAP_2))
                        verzamel.audit.voeg_toe_alle(kwal.audit.alle())
    for gemeente, basis in (("0268", 21000), ("0296", 6500), ("1945", 4200)):
        backoffice = Verzoek(Actor(f"demo-backoffice-{gemeente}", Rol.BACKOFFICE, gemeente), conn, beslisser, pseudo,
                             request_id)  # fmt: skip
        regels = [
            zorgkosten.RuweRegel(i, product, f"{m:%Y-%m}", str(basis + kans.randint(-1500, 1500)), aanbieder_id=aid)
            for i, (m, (aid, product)) in enumerate(
                ((m, p) for m in maanden if m.year == maanden[0].year
                 for p in ((ids[0], "Begeleiding individueel"), (ids[1], "Ambulante jeugdhulp"))),
                start=1,
            )
        ]  # fmt: skip
        if regels:
            await zorgkosten.lever_aan(backoffice, regels)
        verzamel.audit.voeg_toe_alle(backoffice.audit.alle())
