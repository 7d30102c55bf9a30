"""Compiled copies of the event-coding modules: used only when fresh, and they code
events exactly as the plain modules do."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import newsflow
from newsflow import compiled

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """A copy of the compiled modules' source, free to edit."""
    folder = tmp_path / "source"
    folder.mkdir()
    for name in compiled.COMPILED_MODULES:
        shutil.copyfile(compiled.SOURCE_DIR / f"{name}.py", folder / f"{name}.py")
    return folder


@pytest.fixture
def build_root(tmp_path: Path, source_copy: Path) -> Path:
    """A compiled build folder (its manifest; no extension is loaded from it here)."""
    root = tmp_path / "build"
    (root / "newsflow").mkdir(parents=True)
    compiled.write_manifest(root, source_copy)
    return root


def test_a_build_of_the_current_source_is_used(build_root, source_copy):
    assert compiled.fresh_package_dir(build_root, source_copy) == build_root / "newsflow"


def test_a_build_older_than_its_source_is_ignored_with_a_warning(build_root, source_copy, caplog):
    with (source_copy / "events.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# edited after the build\n")
    with caplog.at_level(logging.WARNING, logger="newsflow.compiled"):
        assert compiled.fresh_package_dir(build_root, source_copy) is None
    assert "older than their source (events)" in caplog.text
    assert "make compiled" in caplog.text


def test_a_build_for_another_interpreter_is_ignored(build_root, source_copy):
    manifest = json.loads((build_root / compiled.MANIFEST).read_text())
    manifest["interpreter"] = "cpython-310 .cpython-310-x86_64-linux-gnu.so"
    (build_root / compiled.MANIFEST).write_text(json.dumps(manifest))
    assert compiled.fresh_package_dir(build_root, source_copy) is None


def test_no_build_or_an_unreadable_manifest_means_plain_modules(tmp_path, build_root, source_copy, caplog):
    assert compiled.fresh_package_dir(tmp_path / "nothing", source_copy) is None
    (build_root / compiled.MANIFEST).write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="newsflow.compiled"):
        assert compiled.fresh_package_dir(build_root, source_copy) is None
    assert "unreadable" in caplog.text


def test_use_compiled_puts_a_fresh_build_first_unless_switched_off(tmp_path, monkeypatch):
    root = tmp_path / "build"
    (root / "newsflow").mkdir(parents=True)
    compiled.write_manifest(root)  # of the real source: fresh
    monkeypatch.setenv("NEWSFLOW_COMPILED_DIR", str(root))
    path = ["/the/package"]
    monkeypatch.setenv("NEWSFLOW_COMPILED", "0")
    assert compiled.use_compiled(path) is False and path == ["/the/package"]
    monkeypatch.setenv("NEWSFLOW_COMPILED", "1")
    assert compiled.use_compiled(path) is True
    assert path == [str(root / "newsflow"), "/the/package"]


CODE_EVENTS = """
import json, sys
from datetime import datetime
import newsflow.events as events
from newsflow.compiled import is_compiled
texts = json.load(sys.stdin)
print(json.dumps({"compiled": is_compiled(events),
                  "events": [events.extract_events(t, l, datetime(2024, 12, 2, 9)) for t, l in texts]},
                 ensure_ascii=False, default=str, sort_keys=True))
"""


def _code_events(texts: list, compiled_switch: str) -> dict:
    environment = dict(os.environ, NEWSFLOW_COMPILED=compiled_switch)
    result = subprocess.run([sys.executable, "-c", CODE_EVENTS], input=json.dumps(texts), env=environment,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.skipif(not newsflow.COMPILED, reason="compiled modules not built here (make compiled)")
def test_compiled_modules_code_events_exactly_as_the_plain_ones():
    fixture = (FIXTURES / "events_ar.txt").read_text(encoding="utf-8")
    texts = [[fixture, "ar"]] + [[paragraph, "ar"] for paragraph in fixture.split("\n\n") if paragraph.strip()]
    texts += [
        ["Police fired tear gas at hundreds of students protesting in Karachi on Tuesday, officials said.", "en"],
        ["The European Union imposed new sanctions on Russia on 3 March.", "en"],
        ["Rebels seized the town of Saraqib and shelled an army base near Hama.", "en"],
        ["ولم تقصف الطائرات المدينة أمس، بل ألقت منشورات تدعو السكان إلى المغادرة.", "ar"],
    ]
    plain, fast = _code_events(texts, "0"), _code_events(texts, "1")
    assert plain["compiled"] is False and fast["compiled"] is True
    coded = [event for found in plain["events"] for event in found]
    assert len(coded) > 10 and any(event["event_date"] == "2024-11-29" for event in coded)
    assert fast["events"] == plain["events"]
