"""Compile newsflow's event-coding modules with Cython (see newsflow.compiled).

    .venv/bin/python scripts/build_compiled.py [--strict] [--force]

The modules are compiled unchanged into `<environment>/newsflow-compiled/` (or
NEWSFLOW_COMPILED_DIR), only when the build there is missing or older than the
source. Without a C compiler or the Python headers this prints why and leaves
the plain modules in use (exit 0; exit 1 with --strict). NEWSFLOW_COMPILED=0
skips the build.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

# Importing the package already tells whether a fresh build is in use (newsflow.COMPILED).
import newsflow  # noqa: E402
from newsflow.compiled import COMPILED_MODULES, SOURCE_DIR, compiled_root, enabled, write_manifest  # noqa: E402

# Cython reads the source as plain Python: annotations are documentation, not C types.
DIRECTIVES = {"language_level": 3, "annotation_typing": False}


def missing_toolchain() -> str | None:
    """Why no extension can be built here, or None."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    header = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not header.exists():
        return f"no Python headers ({header})"
    try:
        import Cython  # noqa: F401
    except ImportError:
        return "Cython is not installed (it is in requirements.lock)"
    return None


def build(root: Path) -> None:
    from Cython.Build import cythonize
    from setuptools import Distribution

    jobs = str(os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="newsflow-compile-") as work:
        work = Path(work)
        package = work / "newsflow"
        package.mkdir()
        (package / "__init__.py").write_text("")  # names the modules newsflow.<name>
        for name in COMPILED_MODULES:
            shutil.copyfile(SOURCE_DIR / f"{name}.py", package / f"{name}.py")
        extensions = cythonize([str(package / f"{name}.py") for name in COMPILED_MODULES],
                               compiler_directives=DIRECTIVES, nthreads=int(jobs), quiet=True)
        for extension in extensions:
            extension.extra_compile_args = ["-g0"]  # no debug symbols: a smaller, quicker build
        staging = work / "out"
        distribution = Distribution({
            "ext_modules": extensions, "script_name": "build_compiled.py",
            "script_args": ["build_ext", "--build-lib", str(staging), "--build-temp", str(work / "tmp"), "-j", jobs],
        })
        distribution.parse_command_line()
        distribution.run_commands()
        write_manifest(staging, package)
        # Replace the previous build in one step: a half-written folder is never used.
        previous = root.with_name(root.name + ".old")
        shutil.rmtree(previous, ignore_errors=True)
        if root.exists():
            root.rename(previous)
        shutil.copytree(staging, root)
        shutil.rmtree(previous, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="fail when the modules cannot be compiled")
    parser.add_argument("--force", action="store_true", help="compile even when the build is up to date")
    args = parser.parse_args()
    if not enabled():
        print("newsflow: not compiling (NEWSFLOW_COMPILED=0); the plain modules run.")
        return 0
    root = compiled_root()
    if not args.force and newsflow.COMPILED:
        print(f"newsflow: compiled modules in {root} are up to date.")
        return 0
    reason = missing_toolchain()
    if reason:
        print(f"newsflow: not compiling ({reason}); the plain modules run.")
        return 1 if args.strict else 0
    log_path = root.parent / "newsflow-compiled.log"
    print(f"newsflow: compiling {', '.join(COMPILED_MODULES)} (about a minute; compiler output in {log_path})")
    try:
        with compiler_output_to(log_path):
            build(root)
    except Exception as error:  # a compiler or Cython failure: say where to read it
        print(f"newsflow: compiling failed ({error}); see {log_path}. The plain modules run; "
              "NEWSFLOW_COMPILED=0 skips this step.", file=sys.stderr)
        return 1
    print(f"newsflow: compiled into {root}")
    return 0


@contextlib.contextmanager
def compiler_output_to(path: Path):
    """Send this process's and the compilers' output to `path` meanwhile."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


if __name__ == "__main__":
    sys.exit(main())
