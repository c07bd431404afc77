"""Alembic programmatisch: migreren bij start, en omhoog/omlaag in tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def migreer(url: str, doel: str = "head") -> None:
    """Brengt de database naar ``doel`` (standaard de nieuwste migratie)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), doel)


async def migreer_omlaag(url: str, doel: str = "base") -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), doel)
