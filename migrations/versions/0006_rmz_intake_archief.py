"""rmz-intake en archief: herkomst en meldergemeente van een melding, archiefstand, archiefraadplegingen

Existing meldingen came from a gemeente (the ladder or the direct route): herkomst 'gemeente' and the
melder's gemeente is the melding's gemeente. Meldingen already in an end state enter the archive at
the moment they were last changed (Bijlage 1 art. 3.1).

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03 14:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

EINDTOESTANDEN = ("NIET_IN_BEHANDELING", "AFGEROND")


def upgrade() -> None:
    with op.batch_alter_table('melding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('herkomst', sa.String(length=20), server_default='gemeente', nullable=False))
        batch_op.add_column(sa.Column('melder_gemeente', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('gearchiveerd_op', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_melding_melder_gemeente_gemeente'), 'gemeente', ['melder_gemeente'], ['code']
        )
        batch_op.create_index('ix_melding_melder_volgorde', ['melder_gemeente', 'aangemaakt_op', 'id'], unique=False)
    melding = sa.table(
        'melding',
        sa.column('gemeente_code'),
        sa.column('melder_gemeente'),
        sa.column('status'),
        sa.column('gewijzigd_op'),
        sa.column('gearchiveerd_op'),
    )
    op.execute(melding.update().values(melder_gemeente=melding.c.gemeente_code))
    op.execute(
        melding.update()
        .where(melding.c.status.in_(EINDTOESTANDEN))
        .values(gearchiveerd_op=melding.c.gewijzigd_op)
    )
    op.create_table('archiefraadpleging',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('melding_id', sa.String(length=36), nullable=False),
    sa.Column('reden', sa.Text(), nullable=False),
    sa.Column('op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('door_sub', sa.String(length=200), nullable=False),
    sa.Column('door_rol', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['melding_id'], ['melding.id'], name=op.f('fk_archiefraadpleging_melding_id_melding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archiefraadpleging'))
    )
    with op.batch_alter_table('archiefraadpleging', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archiefraadpleging_melding_id'), ['melding_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('archiefraadpleging', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archiefraadpleging_melding_id'))
    op.drop_table('archiefraadpleging')
    with op.batch_alter_table('melding', schema=None) as batch_op:
        batch_op.drop_index('ix_melding_melder_volgorde')
        batch_op.drop_constraint(batch_op.f('fk_melding_melder_gemeente_gemeente'), type_='foreignkey')
        batch_op.drop_column('gearchiveerd_op')
        batch_op.drop_column('melder_gemeente')
        batch_op.drop_column('herkomst')
