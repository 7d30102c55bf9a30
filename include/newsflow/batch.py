"""Reading the JSON-lines batches of `newsflow extract|events|dedup --batch`."""
from __future__ import annotations

import json


def parse_json_object(line: str) -> dict:
    """One batch line as a dict; ValueError with a message fit for the output's "error"."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(record, dict):
        raise ValueError("line is not a JSON object")
    return record
