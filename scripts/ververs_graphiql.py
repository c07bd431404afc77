"""Ververst de GraphiQL-bestanden in api/ide/static/ uit het npm-register (vaste versies) en schrijft het manifest.

Run from the repository root when the pinned versions change (needs ``npm`` and network; the server never
does this): ``python scripts/ververs_graphiql.py``. Each package is fetched with ``npm pack`` (the registry's
own tarball, checked by npm against its integrity hash), the browser build and the licence are copied under
a name with the version in it, and ``manifest.json`` records per file its package, version, source path,
the tarball's integrity and the sha256 of the shipped file (tests/test_ide.py checks the files against it).
A trailing ``sourceMappingURL`` comment is removed: the source maps are not shipped, and a browser's
developer tools would otherwise ask the server for them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DOEL = Path(__file__).resolve().parent.parent / "api" / "ide" / "static"

PAKKETTEN: dict[str, tuple[str, dict[str, str]]] = {
    # package: (version, {path in the tarball: shipped name})
    "react": ("18.3.1", {"umd/react.production.min.js": "react-{v}.production.min.js", "LICENSE": "LICENSE-react.txt"}),
    "react-dom": (
        "18.3.1",
        {"umd/react-dom.production.min.js": "react-dom-{v}.production.min.js", "LICENSE": "LICENSE-react-dom.txt"},
    ),
    "graphiql": (
        "3.8.3",
        {
            "graphiql.min.js": "graphiql-{v}.min.js",
            "graphiql.min.css": "graphiql-{v}.min.css",
            "LICENSE": "LICENSE-graphiql.txt",
        },
    ),
}

BRONKAART = re.compile(rb"\n?/[/*][#@] sourceMappingURL=[^\n]*\s*$")


def _pack(pakket: str, versie: str, map_: Path) -> tuple[Path, str]:
    uitslag = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["npm", "pack", f"{pakket}@{versie}", "--json", "--pack-destination", str(map_)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(uitslag.stdout)[0]
    return map_ / info["filename"], info["integrity"]


def ververs() -> dict[str, dict[str, str]]:
    DOEL.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pakket, (versie, bestanden) in PAKKETTEN.items():
            tarball, integriteit = _pack(pakket, versie, Path(tmp))
            with tarfile.open(tarball) as tar:
                for bron, naam in bestanden.items():
                    lid = tar.extractfile(f"package/{bron}")
                    if lid is None:
                        raise SystemExit(f"{pakket}@{versie}: {bron} ontbreekt in het pakket")
                    inhoud = BRONKAART.sub(b"\n", lid.read())
                    doelnaam = naam.format(v=versie)
                    (DOEL / doelnaam).write_bytes(inhoud)
                    manifest[doelnaam] = {
                        "pakket": pakket,
                        "versie": versie,
                        "bron": bron,
                        "integriteit": integriteit,
                        "sha256": hashlib.sha256(inhoud).hexdigest(),
                    }
    (DOEL / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main() -> int:
    if shutil.which("npm") is None:
        print("ververs_graphiql: npm ontbreekt; installeer Node.js met npm.", file=sys.stderr)
        return 2
    for naam, regel in ververs().items():
        print(f"{naam}: {regel['pakket']}@{regel['versie']} sha256 {regel['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
