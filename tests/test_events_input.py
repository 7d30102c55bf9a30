"""Event coding on hostile input: a bad `language` is an error for its line, a huge text has a cap."""
from __future__ import annotations

import json

import pytest

from newsflow.events import MAX_TEXT_CHARS, events_batch, extract_events, within_length_cap

REPORT = "Warplanes struck the town of Saraqeb in Idlib province on Monday, killing four people."


@pytest.mark.parametrize("language", [7, "xx", ["en"], "fr"])
def test_unsupported_language_is_an_error_for_that_line_only(language):
    lines = [json.dumps({"id": "bad", "text": REPORT, "language": language}),
             json.dumps({"id": "good", "text": REPORT, "language": "en"})]
    bad, good = events_batch(lines, candidates=True)
    assert bad["id"] == "bad" and bad["events"] == [] and "'language' must be one of ar, en" in bad["error"]
    assert good["error"] is None and good["events"]


def test_absent_language_is_detected():
    (result,) = events_batch([json.dumps({"id": 1, "text": REPORT})], candidates=True)
    assert result["error"] is None and {e["language"] for e in result["events"]} == {"en"}


def test_a_text_beyond_the_cap_is_coded_up_to_a_paragraph_break():
    paragraph = REPORT + "\n"
    huge = paragraph * (3 * MAX_TEXT_CHARS // len(paragraph))  # about 3x the cap
    capped = within_length_cap(huge)
    assert MAX_TEXT_CHARS // 2 < len(capped) <= MAX_TEXT_CHARS and capped.endswith(REPORT)
    events = extract_events(huge, "en")
    assert events and max(e["sentence_end"] for e in events) <= len(capped)
    # no break to cut at: a hard cut at the cap
    assert len(within_length_cap("x" * (MAX_TEXT_CHARS + 5))) == MAX_TEXT_CHARS
    assert within_length_cap(REPORT) == REPORT
