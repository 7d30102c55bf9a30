"""Where newsflow's own source and data files are, and fingerprints of them (cache keys, the event
coder's version)."""
from __future__ import annotations

import hashlib
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent
# The modules of event coding, in dependency order.
EVENT_CODING_MODULES = ("text", "dates", "places", "actors", "events")


def source_digests(modules: tuple[str, ...] = EVENT_CODING_MODULES) -> dict[str, str]:
    """SHA-256 of each module's source."""
    return {name: hashlib.sha256((SOURCE_DIR / f"{name}.py").read_bytes()).hexdigest() for name in modules}
