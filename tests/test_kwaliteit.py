"""Kwaliteitspoorten als tests: ruff, mypy en de laagindeling (import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def _draai(*args: str) -> subprocess.CompletedProcess[str]:
    programma = BIN / args[0]
    if not programma.exists() and shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is niet geïnstalleerd; installeer met pip install -e '.[test]'")
    cmd = [str(programma) if programma.exists() else args[0], *args[1:]]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_vindt_niets():
    uitslag = _draai("ruff", "check", ".")
    assert uitslag.returncode == 0, uitslag.stdout + uitslag.stderr


def test_mypy_vindt_niets():
    uitslag = _draai("mypy")
    assert uitslag.returncode == 0, uitslag.stdout + uitslag.stderr


def test_domein_en_beleid_kennen_geen_web_of_graphql():
    uitslag = _draai("lint-imports")
    assert uitslag.returncode == 0, uitslag.stdout + uitslag.stderr
