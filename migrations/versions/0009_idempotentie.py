"""idempotentie: sleutels van create-mutaties per organisatie en client

A create mutation with an ``idempotentieSleutel`` claims (organisatie, client, sleutel) here before it
creates anything; the primary key makes two simultaneous requests with one key create one object.
The row stores a keyed HMAC of the input (never the input: it holds persoonsgegevens) and the id of
what the first request created.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 19:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotentie',
    sa.Column('organisatie', sa.String(length=4), nullable=False),
    sa.Column('client', sa.String(length=200), nullable=False),
    sa.Column('sleutel', sa.String(length=200), nullable=False),
    sa.Column('soort', sa.String(length=40), nullable=False),
    sa.Column('vingerafdruk', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=36), nullable=True),
    sa.Column('aangemaakt_op', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('organisatie', 'client', 'sleutel', name=op.f('pk_idempotentie'))
    )


def downgrade() -> None:
    op.drop_table('idempotentie')
