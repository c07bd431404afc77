"""statistiek: beschermde maandtabellen bewaard (statistiek_maandtabel, statistiek_maandcel)

The protected month tables of the signaalstatistiek, persisted per version of their month so that a cold
process reads a month's finished cells instead of all its stapgebeurtenissen. Starts empty: every month is
computed (and stored) the first time it is asked for.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statistiek_maandtabel',
    sa.Column('maand', sa.String(length=7), nullable=False),
    sa.Column('variant', sa.String(length=60), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('groepering', sa.String(length=60), nullable=False),
    sa.Column('versie', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('maand', 'variant', 'k', 'groepering', 'versie', name=op.f('pk_statistiek_maandtabel'))
    )
    op.create_table('statistiek_maandcel',
    sa.Column('maand', sa.String(length=7), nullable=False),
    sa.Column('variant', sa.String(length=60), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('groepering', sa.String(length=60), nullable=False),
    sa.Column('versie', sa.Integer(), nullable=False),
    sa.Column('stap', sa.String(length=20), nullable=False),
    sa.Column('aanbieder_id', sa.String(length=36), nullable=False),
    sa.Column('gemeente_code', sa.String(length=4), nullable=False),
    sa.Column('categorie', sa.String(length=40), nullable=False),
    sa.Column('aantal', sa.Integer(), nullable=False),
    sa.Column('beslist', sa.Integer(), nullable=False),
    sa.Column('binnen_termijn', sa.Integer(), nullable=False),
    sa.Column('doorlooptijden', sa.Text(), nullable=False),
    sa.Column('publiceerbaar', sa.Boolean(), nullable=False),
    sa.Column('blok', sa.Integer(), nullable=True),
    sa.Column('blok_veilig', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(
        ['maand', 'variant', 'k', 'groepering', 'versie'],
        ['statistiek_maandtabel.maand', 'statistiek_maandtabel.variant', 'statistiek_maandtabel.k',
         'statistiek_maandtabel.groepering', 'statistiek_maandtabel.versie'],
        name=op.f('fk_statistiek_maandcel_maand_statistiek_maandtabel'),
        ondelete='CASCADE',
    ),
    sa.PrimaryKeyConstraint(
        'maand', 'variant', 'k', 'groepering', 'versie', 'stap', 'aanbieder_id', 'gemeente_code', 'categorie',
        name=op.f('pk_statistiek_maandcel'),
    )
    )


def downgrade() -> None:
    op.drop_table('statistiek_maandcel')
    op.drop_table('statistiek_maandtabel')
