"""auditketen per verantwoordelijke: parallelle ketens, één statement om toe te voegen op PostgreSQL

Records up to and including ``auditketen_begin.volgnummer`` (the highest volgnummer when this migration
ran) form the one global chain with hash formula 1; they are not touched. After it every
verantwoordelijke has its own chain (formula 2, see domein/audit.py), so organisations append in
parallel. The index on (verantwoordelijke, volgnummer) finds a chain's last record. On PostgreSQL
volgnummers now come from the sequence (set past the existing records here), and
``auditketen_toevoegen`` appends a request's records in one statement: lock per chain, last hash,
inserts into auditregel and auditbetrokkene. Downgrading and upgrading again only starts the chains
afresh (a start record is recognisable, ``audit verify`` accepts it), it never breaks one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 17:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TOEVOEGEN = r"""
CREATE OR REPLACE FUNCTION auditketen_toevoegen(p_tijdstip timestamptz, p_rijen jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_begin integer;
    v_keten record;
    v_kop record;
    v_staat jsonb := '{}';
    r record;
    v_vorige text;
    v_tijd timestamptz;
    v_nr integer;
    v_hash text;
    v_aantal integer := 0;
    v_volgordes integer[] := '{}';
    v_nrs integer[] := '{}';
    v_tijden timestamptz[] := '{}';
    v_vorigen text[] := '{}';
    v_hashes text[] := '{}';
BEGIN
    SELECT volgnummer INTO v_begin FROM auditketen_begin;
    -- One lock per chain, taken in a fixed order: requests touching several chains cannot deadlock.
    -- Held until commit; each statement below takes a fresh snapshot, so it sees the last commit.
    FOR v_keten IN
        SELECT DISTINCT hashtextextended('regiekamer-auditketen:' || x.keten, 0) AS sleutel
        FROM jsonb_to_recordset(p_rijen) AS x(keten text) ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(v_keten.sleutel);
    END LOOP;
    FOR v_keten IN SELECT DISTINCT x.keten FROM jsonb_to_recordset(p_rijen) AS x(keten text) LOOP
        SELECT a.volgnummer, a.hash, a.tijdstip INTO v_kop
        FROM auditregel a WHERE a.verantwoordelijke = v_keten.keten
        ORDER BY a.volgnummer DESC LIMIT 1;
        -- time never runs backwards along a chain (a clock step back keeps the previous time)
        v_staat := v_staat || jsonb_build_object(v_keten.keten, jsonb_build_object(
            'vorige', CASE WHEN v_kop.volgnummer > v_begin THEN v_kop.hash END,
            'tijd', greatest(p_tijdstip, v_kop.tijdstip)));
    END LOOP;
    -- The links are computed row by row (each hash needs the one before it); the rows are then written
    -- with one INSERT per table, not one per row.
    FOR r IN
        SELECT x.volgorde, x.keten, x.inhoud
        FROM jsonb_to_recordset(p_rijen) AS x(volgorde integer, keten text, inhoud text)
        ORDER BY x.volgorde
    LOOP
        v_nr := nextval('auditregel_volgnummer_seq');
        v_tijd := (v_staat -> r.keten ->> 'tijd')::timestamptz;
        -- the first record of a chain links to a start value with its own volgnummer in it
        v_vorige := coalesce(v_staat -> r.keten ->> 'vorige',
            encode(sha256(convert_to('auditketen|' || r.keten || '|' || v_nr, 'UTF8')), 'hex'));
        v_hash := encode(sha256(convert_to(
            v_vorige || '|' || to_char(v_tijd AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            || '|' || r.inhoud, 'UTF8')), 'hex');
        v_staat := jsonb_set(v_staat, ARRAY[r.keten, 'vorige'], to_jsonb(v_hash));
        v_volgordes := v_volgordes || r.volgorde;
        v_nrs := v_nrs || v_nr;
        v_tijden := v_tijden || v_tijd;
        v_vorigen := v_vorigen || v_vorige;
        v_hashes := v_hashes || v_hash;
        v_aantal := v_aantal + 1;
    END LOOP;
    INSERT INTO auditregel (
        volgnummer, tijdstip, request_id, sub, rol, organisatie, verantwoordelijke, doel,
        verwerkingsactiviteit, operatie, object_type, object_id, categorieen, betrokkenen, uitkomst,
        vertrouwelijkheid, bewaartermijn, vorige_hash, hash)
    SELECT k.nr, k.tijd, x.request_id, x.sub, x.rol, x.organisatie, x.verantwoordelijke, x.doel,
        x.verwerkingsactiviteit, x.operatie, x.object_type, x.object_id, x.categorieen::json,
        x.betrokkenen::json, x.uitkomst, x.vertrouwelijkheid, x.bewaartermijn, k.vorige, k.hash
    FROM unnest(v_volgordes, v_nrs, v_tijden, v_vorigen, v_hashes) AS k(volgorde, nr, tijd, vorige, hash)
    JOIN jsonb_to_recordset(p_rijen) AS x(
            volgorde integer, request_id text, sub text, rol text, organisatie text, verantwoordelijke text,
            doel text, verwerkingsactiviteit text, operatie text, object_type text, object_id text,
            categorieen jsonb, betrokkenen jsonb, uitkomst text, vertrouwelijkheid text, bewaartermijn text)
        ON x.volgorde = k.volgorde
    ORDER BY k.nr;
    INSERT INTO auditbetrokkene (pseudoniem, volgnummer)
    SELECT p, k.nr
    FROM unnest(v_volgordes, v_nrs) AS k(volgorde, nr)
    JOIN jsonb_to_recordset(p_rijen) AS x(volgorde integer, betrokkenen jsonb) ON x.volgorde = k.volgorde
    CROSS JOIN LATERAL jsonb_array_elements_text(x.betrokkenen) AS p;
    RETURN v_aantal;
END
$$
"""


def upgrade() -> None:
    op.create_table('auditketen_begin',
    sa.Column('volgnummer', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('volgnummer', name=op.f('pk_auditketen_begin'))
    )
    op.execute("INSERT INTO auditketen_begin (volgnummer) SELECT coalesce(max(volgnummer), 0) FROM auditregel")
    with op.batch_alter_table('auditregel', schema=None) as batch_op:
        batch_op.drop_index('ix_auditregel_verantwoordelijke')
        batch_op.create_index('ix_auditregel_keten', ['verantwoordelijke', 'volgnummer'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # volgnummers were given explicitly until now: the sequence continues after the last one
        op.execute(
            "SELECT setval('auditregel_volgnummer_seq', coalesce(max(volgnummer), 0) + 1, false) FROM auditregel"
        )
        op.execute(TOEVOEGEN)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS auditketen_toevoegen(timestamptz, jsonb)")
    with op.batch_alter_table('auditregel', schema=None) as batch_op:
        batch_op.drop_index('ix_auditregel_keten')
        batch_op.create_index('ix_auditregel_verantwoordelijke', ['verantwoordelijke'], unique=False)
    op.drop_table('auditketen_begin')
