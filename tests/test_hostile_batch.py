"""Hostile batch input for `newsflow extract|events|dedup --batch`, run as a user runs them."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["extract", "events", "dedup"]


def newsflow(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsflow.cli", *args], input=stdin, capture_output=True,
                          timeout=300, env=os.environ.copy(), cwd=ROOT)


def out_lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines() if line.strip()]


def good_line(command: str, item_id: str, tmp_path: Path) -> bytes:
    if command == "extract":
        page = tmp_path / f"{item_id}.html"
        page.write_text("<html><head><title>Talks resume</title></head><body><article><p>"
                        "Negotiators met in Doha on Sunday to resume talks on a ceasefire.</p></article></body></html>",
                        encoding="utf-8")
        record = {"id": item_id, "path": str(page)}
    else:
        record = {"id": item_id, "text": "Negotiators met in Doha on Sunday to resume talks on a ceasefire.",
                  "language": "en"}
    return json.dumps(record).encode() + b"\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_line_that_is_not_utf8_is_reported_and_the_good_lines_processed(command, tmp_path):
    batch = tmp_path / "in.jsonl"
    bad = b'{"id": "bad", "text": "caf\xe9", "path": "x"}\n'
    batch.write_bytes(good_line(command, "first", tmp_path) + bad + good_line(command, "last", tmp_path))
    result = newsflow(command, "--batch", str(batch))
    assert result.returncode == 0, result.stderr
    out = out_lines(result)
    assert len(out) == 3
    assert out[0]["id"] == "first" and not out[0].get("error")
    assert "not valid UTF-8" in out[1]["error"] and "0xe9" in out[1]["error"]
    assert out[2]["id"] == "last" and not out[2].get("error")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_nul_in_a_batch_line_is_dropped(command, tmp_path):
    line = good_line(command, "nul", tmp_path).replace(b"Negotiators", b"Nego\\u0000tiators")
    result = newsflow(command, "--batch", "-", stdin=line)
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in out_lines(result)] == ["nul"] and not out_lines(result)[0].get("error")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("path", ["missing.jsonl", "."], ids=["missing", "directory"])
def test_a_batch_that_cannot_be_read_is_one_line_and_exit_code_2(command, path, tmp_path):
    target = str(tmp_path / path)
    result = newsflow(command, "--batch", target)
    assert result.returncode == 2
    err = result.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and target in err, err
    assert result.stdout == b""


def test_extract_refuses_a_page_that_inflates_past_the_cap_with_memory_bounded(tmp_path):
    bomb = tmp_path / "bomb.html.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as packed:
        packed.write(b"<html><body><p>")
        zeros = b"\0" * (1 << 20)
        for _ in range(1024):  # 1 GiB inflated, about 1 MB on disk
            packed.write(zeros)
    batch = tmp_path / "in.jsonl"
    batch.write_bytes(json.dumps({"id": "bomb", "path": str(bomb)}).encode() + b"\n"
                      + good_line("extract", "fine", tmp_path))
    # the peak memory of the command alone: a fresh parent whose only child it is
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=False)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "newsflow.cli", "extract",
                             "--batch", str(batch)], capture_output=True, timeout=300, cwd=ROOT)
    out = out_lines(result)
    assert out[0]["id"] == "bomb" and "larger than the cap" in out[0]["error"]
    assert out[1]["id"] == "fine" and out[1]["error"] is None
    peak_mb = int(result.stderr.decode().strip().splitlines()[-1]) / 1024
    assert peak_mb < 700, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_byte_order_mark_and_json_nested_too_deeply_cost_nothing_else(command, tmp_path):
    batch = b"\xef\xbb\xbf" + good_line(command, "first", tmp_path) + b'{"id": "deep", "x": ' \
        + b"[" * 100_000 + b"]" * 100_000 + b"}\n" + good_line(command, "last", tmp_path)
    result = newsflow(command, "--batch", "-", stdin=batch)
    assert result.returncode == 0, result.stderr
    out = out_lines(result)
    assert [r["id"] for r in out] == ["first", None, "last"]
    assert not out[0].get("error") and "nested too deeply" in out[1]["error"] and not out[2].get("error")
