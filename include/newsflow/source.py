"""Where newsflow's own source and data files are, and fingerprints of them (cache keys, the event
coder's version)."""
from __future__ import annotations

import hashlib
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent
# The modules of event coding, in dependency order: a name is a module file, or a package whose
# every .py file counts.
EVENT_CODING_MODULES = ("text", "dates", "places", "actors", "events")


def _module_files(name: str) -> list[tuple[str, Path]]:
    """(name, path) of the source files of a module or of every file of a package."""
    package = SOURCE_DIR / name
    if package.is_dir():
        return [(f"{name}/{path.name}", path) for path in sorted(package.glob("*.py"))]
    return [(name, SOURCE_DIR / f"{name}.py")]


def source_digests(modules: tuple[str, ...] = EVENT_CODING_MODULES) -> dict[str, str]:
    """SHA-256 of each module's source (of each file, for a package: events/coder.py ...)."""
    return {key: hashlib.sha256(path.read_bytes()).hexdigest()
            for name in modules for key, path in _module_files(name)}
