"""Compiled copies of the event-coding modules.

`make compiled` (scripts/build_compiled.py) compiles the modules in
COMPILED_MODULES, unchanged, with Cython into a folder of the Python environment
(they are specific to its interpreter). Event coding then runs about a third faster. The compiled copies
are used only when they were built by this interpreter from exactly the source
beside this file. If any source file has changed since the build, all copies are
ignored: the plain modules run and a warning says to build again. Set
NEWSFLOW_COMPILED=0 to run the plain modules anyway.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import sysconfig
from pathlib import Path

log = logging.getLogger(__name__)

SOURCE_DIR = Path(__file__).resolve().parent
# The modules where event coding spends its time, in dependency order.
COMPILED_MODULES = ("text", "dates", "places", "actors", "events")
MANIFEST = "manifest.json"


def compiled_root() -> Path:
    """Folder holding the compiled package (`newsflow/`) and its manifest:
    NEWSFLOW_COMPILED_DIR, by default `newsflow-compiled` in the Python environment."""
    configured = os.environ.get("NEWSFLOW_COMPILED_DIR")
    return Path(configured) if configured else Path(sys.prefix) / "newsflow-compiled"


def enabled() -> bool:
    """False when NEWSFLOW_COMPILED=0 asks for the plain modules."""
    return os.environ.get("NEWSFLOW_COMPILED", "1") != "0"


def interpreter_tag() -> str:
    """What a compiled module is bound to: the interpreter's version and extension ABI."""
    return f"{sys.implementation.cache_tag} {sysconfig.get_config_var('EXT_SUFFIX')}"


def source_digests(source_dir: Path = SOURCE_DIR) -> dict[str, str]:
    """SHA-256 of each compiled module's source."""
    return {name: hashlib.sha256((source_dir / f"{name}.py").read_bytes()).hexdigest()
            for name in COMPILED_MODULES}


def write_manifest(root: Path, source_dir: Path = SOURCE_DIR) -> None:
    manifest = {"interpreter": interpreter_tag(), "modules": source_digests(source_dir)}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def fresh_package_dir(root: Path | None = None, source_dir: Path = SOURCE_DIR) -> Path | None:
    """The compiled package folder when its copies match this interpreter and
    the current source; None otherwise (with a warning when they are stale)."""
    root = compiled_root() if root is None else root
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("newsflow: ignoring compiled modules, unreadable %s: %s", root / MANIFEST, error)
        return None
    if manifest.get("interpreter") != interpreter_tag():
        return None
    stale = sorted(name for name, digest in source_digests(source_dir).items()
                   if manifest.get("modules", {}).get(name) != digest)
    if stale:
        log.warning("newsflow: compiled modules are older than their source (%s); running the plain "
                    "modules. Build again: make compiled", ", ".join(stale))
        return None
    return root / "newsflow"


def use_compiled(package_path: list[str]) -> bool:
    """Put the compiled package folder first on the package's `__path__` when it
    is fresh, so that `import newsflow.events` loads the compiled copy."""
    if not enabled():
        return False
    folder = fresh_package_dir()
    if folder is None:
        return False
    package_path.insert(0, str(folder))
    return True


def is_compiled(module) -> bool:
    """Whether `module` was loaded from a compiled copy."""
    return not str(getattr(module, "__file__", "")).endswith(".py")
