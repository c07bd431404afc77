"""Tabellen (SQLAlchemy Core). Persoonsgegevens staan apart, zodat ze later verwijderd kunnen
worden zonder iets anders aan te raken (Bijlage 1 art. 3.1)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Tijd = sa.DateTime(timezone=True)

gemeente = sa.Table(
    "gemeente",
    metadata,
    sa.Column("code", sa.String(4), primary_key=True),
    sa.Column("naam", sa.String(100), nullable=False),
)

aanbieder = sa.Table(
    "aanbieder",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("kvk", sa.String(8), nullable=False, unique=True),
    sa.Column("agb", sa.String(8), nullable=False, unique=True),
    sa.Column("aangemaakt_op", Tijd, nullable=False),
    sa.Index("ix_aanbieder_volgorde", "aangemaakt_op", "id"),
)

contract = sa.Table(
    "contract",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("aanbieder_id", sa.String(36), sa.ForeignKey("aanbieder.id"), nullable=False, index=True),
    sa.Column("soort", sa.String(30), nullable=False),
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("percelen", sa.JSON, nullable=False),
    sa.Column("ingangsdatum", sa.Date, nullable=False),
    sa.Column("einddatum", sa.Date, nullable=True),
    sa.Column("contractmanager", sa.String(200), nullable=False),
    sa.Column("aangemaakt_op", Tijd, nullable=False),
    sa.Index("ix_contract_volgorde", "aangemaakt_op", "id"),
)

contract_gemeente = sa.Table(
    "contract_gemeente",
    metadata,
    sa.Column("contract_id", sa.String(36), sa.ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), primary_key=True),
)

contract_budget = sa.Table(
    "contract_budget",
    metadata,
    sa.Column("contract_id", sa.String(36), sa.ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("jaar", sa.Integer, primary_key=True),
    sa.Column("plafond", sa.Numeric(14, 2), nullable=False),
)

contract_perceel = sa.Table(
    "contract_perceel",
    metadata,
    # The contract's percelen/producten, lower-cased: zorgkosten of a product count towards the contract(s)
    # of their aanbieder that name it and that their gemeente takes part in.
    sa.Column("contract_id", sa.String(36), sa.ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("perceel", sa.String(200), primary_key=True),
)

casus = sa.Table(
    "casus",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), nullable=False),
    sa.Column("leefdomeinen", sa.JSON, nullable=False),
    sa.Column("urgentie", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("aangemaakt_op", Tijd, nullable=False),
    sa.Column("gewijzigd_op", Tijd, nullable=False),
    sa.Column("gesloten_op", Tijd, nullable=True),
    # Set when the bewaartermijn removed the persoonsgegevens (the rows are gone, this is the receipt).
    sa.Column("persoonsgegevens_verwijderd_op", Tijd, nullable=True),
    sa.Index("ix_casus_gemeente_volgorde", "gemeente_code", "aangemaakt_op", "id"),
)

casus_persoonsgegevens = sa.Table(
    "casus_persoonsgegevens",
    metadata,
    sa.Column("casus_id", sa.String(36), sa.ForeignKey("casus.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("bsn", sa.String(9), nullable=False),
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("geboortedatum", sa.Date, nullable=False),
    sa.Column("hulpvraag", sa.Text, nullable=False),
    # Keyed pseudonym of the BSN: links audit records to this person without storing the BSN there.
    sa.Column("pseudoniem", sa.String(64), nullable=False, index=True),
)

auditregel = sa.Table(
    "auditregel",
    metadata,
    sa.Column("volgnummer", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tijdstip", Tijd, nullable=False),
    sa.Column("request_id", sa.String(36), nullable=False),
    sa.Column("sub", sa.String(200), nullable=False),
    sa.Column("rol", sa.String(30), nullable=False),
    sa.Column("organisatie", sa.String(4), nullable=False),
    sa.Column("verantwoordelijke", sa.String(4), nullable=False),
    sa.Column("doel", sa.String(40), nullable=False),
    sa.Column("verwerkingsactiviteit", sa.String(120), nullable=False),
    sa.Column("operatie", sa.String(20), nullable=False),
    sa.Column("object_type", sa.String(100), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=True),
    sa.Column("categorieen", sa.JSON, nullable=False),
    sa.Column("betrokkenen", sa.JSON, nullable=False),
    sa.Column("uitkomst", sa.String(20), nullable=False),
    sa.Column("vertrouwelijkheid", sa.String(20), nullable=False),
    sa.Column("bewaartermijn", sa.String(20), nullable=False),
    # One successor per record: the database itself refuses a forked chain.
    sa.Column("vorige_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
    # A period of the log, in (tijdstip, volgnummer) order: along each chain both rise together.
    sa.Index("ix_auditregel_tijdstip", "tijdstip", "volgnummer"),
    # Every verantwoordelijke has its own chain (domein/audit.py): its last record is one index step.
    sa.Index("ix_auditregel_keten", "verantwoordelijke", "volgnummer"),
)

auditketen_begin = sa.Table(
    "auditketen_begin",
    metadata,
    # One row: records up to and including this volgnummer form the single global chain of before
    # migration 0008 (hash formula 1); after it every verantwoordelijke has its own chain.
    sa.Column("volgnummer", sa.Integer, primary_key=True, autoincrement=False),
)

auditbetrokkene = sa.Table(
    "auditbetrokkene",
    metadata,
    # The keyed pseudonyms of an audit record, one row each, so an inzageverzoek or a bsn filter is an
    # index lookup instead of a scan through JSON. Append-only like the log itself; part of the record
    # through its hash (the same pseudonyms are in auditregel.betrokkenen, which the hash covers).
    sa.Column("pseudoniem", sa.String(64), primary_key=True),
    sa.Column("volgnummer", sa.Integer, primary_key=True),  # no foreign key: an index, not a second truth
)

signaal = sa.Table(
    "signaal",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), nullable=False),
    sa.Column("aanbieder_id", sa.String(36), sa.ForeignKey("aanbieder.id"), nullable=False, index=True),
    sa.Column("casus_id", sa.String(36), sa.ForeignKey("casus.id", ondelete="SET NULL"), nullable=True),
    sa.Column("route", sa.String(60), nullable=False),
    sa.Column("categorie", sa.String(40), nullable=False),
    sa.Column("omschrijving", sa.Text, nullable=False),
    sa.Column("toestand", sa.String(40), nullable=False),
    sa.Column("termijn", sa.Date, nullable=True),
    sa.Column("aangemaakt_op", Tijd, nullable=False),
    sa.Column("gewijzigd_op", Tijd, nullable=False),
    sa.Index("ix_signaal_gemeente_volgorde", "gemeente_code", "aangemaakt_op", "id"),
)

signaal_stap = sa.Table(
    "signaal_stap",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("signaal_id", sa.String(36), sa.ForeignKey("signaal.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("toestand", sa.String(40), nullable=False),
    sa.Column("gegevens", sa.JSON, nullable=False),
    sa.Column("vastgelegd_op", Tijd, nullable=False),
    sa.Column("door_sub", sa.String(200), nullable=False),
    sa.Column("door_rol", sa.String(30), nullable=False),
)

melding = sa.Table(
    "melding",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("soort", sa.String(20), nullable=False),  # RMZ | CONTRACTMANAGER
    sa.Column("route", sa.String(60), nullable=False),
    sa.Column("signaal_id", sa.String(36), sa.ForeignKey("signaal.id"), nullable=True, unique=True),
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), nullable=False),
    sa.Column("aanbieder_id", sa.String(36), sa.ForeignKey("aanbieder.id"), nullable=False, index=True),
    sa.Column("categorie", sa.String(40), nullable=False),
    sa.Column("samenvatting", sa.Text, nullable=False),
    # Snapshot of the documented steps (seed 000: the melding describes steps and agreements), so the
    # RMZ reads them without access to the signaal or the casus behind it.
    sa.Column("stappen", sa.JSON, nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("termijn", sa.Date, nullable=True),
    sa.Column("betrokkene_geinformeerd", sa.Boolean, nullable=False),
    sa.Column("uitkomst", sa.String(40), nullable=True),
    sa.Column("aangemaakt_op", Tijd, nullable=False),
    sa.Column("gewijzigd_op", Tijd, nullable=False),
    sa.Column("persoonsgegevens_verwijderd_op", Tijd, nullable=True),
    # Issue 10. Who reported it (seed 003 §41.4: inwoners, professionals, verwijzers, or a gemeente)...
    sa.Column("herkomst", sa.String(20), nullable=False, server_default="gemeente"),
    # ...and the gemeente whose roles read status and terugkoppeling: the melder's, or none when the RMZ
    # registered a report of an inwoner or professional (the gemeente it concerns is gemeente_code).
    sa.Column("melder_gemeente", sa.String(4), sa.ForeignKey("gemeente.code"), nullable=True),
    # Set when the route reaches an end state: from then on only the archive (Bijlage 1 art. 3.1).
    sa.Column("gearchiveerd_op", Tijd, nullable=True),
    sa.Index("ix_melding_volgorde", "aangemaakt_op", "id"),
    sa.Index("ix_melding_gemeente_volgorde", "gemeente_code", "aangemaakt_op", "id"),
    sa.Index("ix_melding_melder_volgorde", "melder_gemeente", "aangemaakt_op", "id"),
)

archiefraadpleging = sa.Table(
    "archiefraadpleging",
    metadata,
    # An explicit look into the archive of a closed melding, with the reason the RMZ gave (issue 10).
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("melding_id", sa.String(36), sa.ForeignKey("melding.id"), nullable=False, index=True),
    sa.Column("reden", sa.Text, nullable=False),
    sa.Column("op", Tijd, nullable=False),
    sa.Column("door_sub", sa.String(200), nullable=False),
    sa.Column("door_rol", sa.String(30), nullable=False),
)

melding_betrokkene = sa.Table(
    "melding_betrokkene",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("melding_id", sa.String(36), sa.ForeignKey("melding.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("soort", sa.String(20), nullable=False),  # MEDEWERKER | CLIENT
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("bsn", sa.String(9), nullable=True),
    sa.Column("pseudoniem", sa.String(64), nullable=False, index=True),
)

melding_handeling = sa.Table(
    "melding_handeling",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("melding_id", sa.String(36), sa.ForeignKey("melding.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("van_status", sa.String(40), nullable=True),
    sa.Column("naar_status", sa.String(40), nullable=False),
    sa.Column("gegevens", sa.JSON, nullable=False),
    sa.Column("op", Tijd, nullable=False),
    sa.Column("door_sub", sa.String(200), nullable=False),
    sa.Column("door_rol", sa.String(30), nullable=False),
)

# --- Inzicht (issue 4): facts for the statistics, without persoonsgegevens, so they outlive the
# removal of persoonsgegevens after the bewaartermijn (Bijlage 1 art. 3.1: reports only non-identifying).
stapgebeurtenis = sa.Table(
    "stapgebeurtenis",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("zaak_id", sa.String(36), nullable=False),  # the signaal or melding
    sa.Column("maand", sa.String(7), nullable=False),  # YYYY-MM in which the stap was entered
    sa.Column("aanbieder_id", sa.String(36), sa.ForeignKey("aanbieder.id"), nullable=False),
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), nullable=False),
    sa.Column("stap", sa.String(20), nullable=False),
    sa.Column("categorie", sa.String(40), nullable=False),
    sa.Column("begonnen_op", sa.Date, nullable=False),
    sa.Column("termijn", sa.Date, nullable=True),  # deadline of the first action in this stap
    sa.Column("eerste_actie_op", sa.Date, nullable=True),
    sa.Column("afgerond_op", sa.Date, nullable=True),
    sa.Column("doorlooptijd", sa.Integer, nullable=True),  # werkdagen from begonnen_op to afgerond_op
    sa.Index("ix_stapgebeurtenis_maand", "maand"),
    sa.Index("ix_stapgebeurtenis_open", "zaak_id", "afgerond_op"),
)

statistiek_maand = sa.Table(
    "statistiek_maand",
    metadata,
    # A counter per month, raised in the transaction of every change to that month's facts: the
    # protected tables of a month are cached per process and stored (below) for one version of the month.
    sa.Column("maand", sa.String(7), primary_key=True),
    sa.Column("versie", sa.Integer, nullable=False),
)

# The protected month tables (domein/inzicht.py), persisted so that a cold process reads a month's finished
# cells instead of all its stapgebeurtenissen. Protected data: small counts sit here next to their blocks, so
# nothing but domein/inzicht.py reads them, and only to serve the protected statistics (toegang.md rule 5).
# A stored table belongs to one version of its month (statistiek_maand.versie); another version is recomputed.
statistiek_maandtabel = sa.Table(
    "statistiek_maandtabel",
    metadata,
    # One stored grouping of one month; present also when the table is empty.
    sa.Column("maand", sa.String(7), primary_key=True),
    sa.Column("variant", sa.String(60), primary_key=True),  # '' or which stappen stay out ('zonder ...')
    sa.Column("k", sa.Integer, primary_key=True),
    sa.Column("groepering", sa.String(60), primary_key=True),  # dimensions, comma separated, in ATOOM order
    sa.Column("versie", sa.Integer, primary_key=True),
)

statistiek_maandcel = sa.Table(
    "statistiek_maandcel",
    metadata,
    # One non-empty cell of a stored grouping; a dimension outside the grouping is ''.
    sa.Column("maand", sa.String(7), primary_key=True),
    sa.Column("variant", sa.String(60), primary_key=True),
    sa.Column("k", sa.Integer, primary_key=True),
    sa.Column("groepering", sa.String(60), primary_key=True),
    sa.Column("versie", sa.Integer, primary_key=True),
    sa.Column("stap", sa.String(20), primary_key=True),
    sa.Column("aanbieder_id", sa.String(36), primary_key=True),
    sa.Column("gemeente_code", sa.String(4), primary_key=True),
    sa.Column("categorie", sa.String(40), primary_key=True),
    sa.Column("aantal", sa.Integer, nullable=False),
    sa.Column("beslist", sa.Integer, nullable=False),
    sa.Column("binnen_termijn", sa.Integer, nullable=False),
    sa.Column("doorlooptijden", sa.Text, nullable=False),  # 'werkdagen:aantal ...', ascending
    sa.Column("publiceerbaar", sa.Boolean, nullable=False),
    # Atoms only (the grouping of all four dimensions): the protection block and whether it is safe.
    sa.Column("blok", sa.Integer, nullable=True),
    sa.Column("blok_veilig", sa.Boolean, nullable=True),
    sa.ForeignKeyConstraint(
        ["maand", "variant", "k", "groepering", "versie"],
        [
            "statistiek_maandtabel.maand",
            "statistiek_maandtabel.variant",
            "statistiek_maandtabel.k",
            "statistiek_maandtabel.groepering",
            "statistiek_maandtabel.versie",
        ],
        ondelete="CASCADE",
    ),
)

zorgkosten = sa.Table(
    "zorgkosten",
    metadata,
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), primary_key=True),
    sa.Column("aanbieder_id", sa.String(36), sa.ForeignKey("aanbieder.id"), primary_key=True),
    sa.Column("product", sa.String(40), primary_key=True),
    sa.Column("maand", sa.Date, primary_key=True),  # first day of the month
    sa.Column("bedrag", sa.Numeric(14, 2), nullable=False),
    sa.Column("aangeleverd_op", Tijd, nullable=False),
    sa.Column("aangeleverd_door", sa.String(200), nullable=False),
    sa.Index("ix_zorgkosten_aanbieder_maand", "aanbieder_id", "maand"),
)

# --- Privacykantoor (issue 5): datalekken, meldingen tussen privacy officers, Bibob, beleidswijzigingen.
datalek = sa.Table(
    "datalek",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("organisatie", sa.String(4), nullable=False),  # who registered it: a gemeente or the ROB
    sa.Column("omschrijving", sa.Text, nullable=False),
    sa.Column("ontdekt_op", Tijd, nullable=False),
    sa.Column("categorieen", sa.JSON, nullable=False),
    sa.Column("geregistreerd_op", Tijd, nullable=False),
    sa.Column("geregistreerd_door", sa.String(200), nullable=False),
    sa.Column("ap_gemeld_op", Tijd, nullable=True),  # report to the Autoriteit Persoonsgegevens (AVG art. 33)
    sa.Column("ap_kenmerk", sa.String(100), nullable=True),
    sa.Index("ix_datalek_volgorde", "geregistreerd_op", "id"),
)

datalek_object = sa.Table(
    "datalek_object",
    metadata,
    sa.Column("datalek_id", sa.String(36), sa.ForeignKey("datalek.id"), primary_key=True),
    sa.Column("object_type", sa.String(20), primary_key=True),  # casus | melding
    sa.Column("object_id", sa.String(36), primary_key=True),
    sa.Column("gemeente_code", sa.String(4), sa.ForeignKey("gemeente.code"), nullable=False),
)

datalek_melding = sa.Table(
    "datalek_melding",
    metadata,
    # Every other gemeente is informed at once (Bijlage 1 art. 4.2); this row is that notice.
    sa.Column("datalek_id", sa.String(36), sa.ForeignKey("datalek.id"), primary_key=True),
    sa.Column("organisatie", sa.String(4), primary_key=True),
    sa.Column("gemeld_op", Tijd, nullable=False),
)

privacymelding = sa.Table(
    "privacymelding",
    metadata,
    # A notice from one privacy officer's organisation to another's (Bijlage 1 art. 5.1), never with
    # persoonsgegevens: which of the receiver's own objects a request concerns, not who asked.
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("soort", sa.String(30), nullable=False),
    sa.Column("van_organisatie", sa.String(4), nullable=False),
    sa.Column("aan_organisatie", sa.String(4), nullable=False),
    sa.Column("op", Tijd, nullable=False),
    sa.Column("objecten", sa.JSON, nullable=False),
    sa.Index("ix_privacymelding_aan", "aan_organisatie", "op", "id"),
)

bibob_onderzoek = sa.Table(
    "bibob_onderzoek",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("aanbieder_id", sa.String(36), sa.ForeignKey("aanbieder.id"), nullable=False, index=True),
    sa.Column("organisatie", sa.String(4), nullable=False),  # the gemeente (or the ROB) that reports it
    sa.Column("gestart_op", sa.Date, nullable=False),
    sa.Column("beeindigd_op", sa.Date, nullable=True),
    sa.Column("gemeld_door", sa.String(200), nullable=False),
)

beleidswijziging = sa.Table(
    "beleidswijziging",
    metadata,
    # Run-time changes on top of beleid/beleid.csv, in order; the highest id is the policy version
    # every worker compares with its own before each request.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("soort", sa.String(12), nullable=False),  # toevoegen | verwijderen
    sa.Column("rol", sa.String(30), nullable=False),
    sa.Column("resource", sa.String(100), nullable=False),
    sa.Column("actie", sa.String(20), nullable=False),
    sa.Column("bereik", sa.String(20), nullable=False),
    sa.Column("doel", sa.String(40), nullable=False),
    sa.Column("reden", sa.Text, nullable=False),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("op", Tijd, nullable=False),
)

# --- Idempotentie (issue 12): één sleutel per organisatie en client, één keer uitgevoerd.
idempotentie = sa.Table(
    "idempotentie",
    metadata,
    sa.Column("organisatie", sa.String(4), primary_key=True),  # CBS-code of ROB
    sa.Column("client", sa.String(200), primary_key=True),  # 'sub' of the token (user or service account)
    sa.Column("sleutel", sa.String(200), primary_key=True),
    sa.Column("soort", sa.String(40), nullable=False),  # which create mutation, e.g. 'casus'
    sa.Column("vingerafdruk", sa.String(64), nullable=False),  # keyed HMAC of the input, never the input itself
    sa.Column("object_id", sa.String(36), nullable=True),  # set in the same transaction as the creation
    sa.Column("aangemaakt_op", Tijd, nullable=False),
)
