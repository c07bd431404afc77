"""sqlite: auditkolommen even breed als op PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:00:00.000000

0002 widened auditregel.object_type (40 → 100) and auditregel.verwerkingsactiviteit (60 → 120) on
PostgreSQL only, so on SQLite the declared types differed from the model and `alembic check` failed.
SQLite changes a column type only by rebuilding the table (batch mode). The rebuild drops the
append-only triggers, so they are dropped first and made again in the same transaction; the rows,
their volgnummers and hashes are copied unchanged. PostgreSQL already has these types: nothing to do.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Frozen copy of 0001's trigger text: a migration must not change when the code changes later.
MELDING = "auditregel is alleen-toevoegen: wijzigen of verwijderen is niet toegestaan"


def _breedte(object_type: int, activiteit: int) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for actie in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS auditregel_geen_{actie}")
    with op.batch_alter_table("auditregel", recreate="always") as batch_op:
        batch_op.alter_column("object_type", type_=sa.String(object_type), existing_nullable=False)
        batch_op.alter_column("verwerkingsactiviteit", type_=sa.String(activiteit), existing_nullable=False)
    for actie in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER auditregel_geen_{actie.lower()} BEFORE {actie} ON auditregel "
            f"BEGIN SELECT RAISE(ABORT, '{MELDING}'); END"
        )


def upgrade() -> None:
    _breedte(100, 120)


def downgrade() -> None:
    _breedte(40, 60)
