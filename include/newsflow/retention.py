"""Raw HTML retention: pages' HTML older than the configured days leaves the warehouse.

The cutoff comes from the day a run builds (never the wall clock), so a re-run, a retry or a backfill
leaves the warehouse as one run would: a page's HTML goes once, to the same file."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from newsflow import stored_html
from newsflow.config import CONFIG_DIR, PROJECT_ROOT, ConfigError, load_settings_file
from newsflow.warehouse import bulk_upsert, connection, fetch_dicts, sql

log = logging.getLogger(__name__)

# pages per transaction: each chunk's HTML is held in memory once
CHUNK = 200


@dataclass(frozen=True)
class StoragePolicy:
    """include/config/storage.yaml."""

    html_retention_days: int | None  # None: keep all HTML
    html_archive_dir: Path | None    # None: HTML past retention is dropped

    def cutoff(self, day: date) -> datetime | None:
        """HTML fetched before this leaves the warehouse in the run for `day` (its end, UTC, minus
        the retention)."""
        if self.html_retention_days is None:
            return None
        end = datetime.combine(day + timedelta(days=1), time.min, timezone.utc)
        return end - timedelta(days=self.html_retention_days)


def storage_config_path() -> Path:
    return Path(os.environ.get("NEWSFLOW_STORAGE_FILE", CONFIG_DIR / "storage.yaml"))


def load_storage_policy(path: str | Path | None = None) -> StoragePolicy:
    """Read and validate the storage settings; raise ConfigError naming the bad field."""
    path = Path(path) if path else storage_config_path()
    doc = load_settings_file(path, "storage", {"html_retention_days", "html_archive_dir"})
    missing = {"html_retention_days", "html_archive_dir"} - set(doc)
    if missing:
        raise ConfigError(f"{path}: missing field(s) {', '.join(sorted(missing))} (null is allowed)")
    days = doc["html_retention_days"]
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise ConfigError(f"{path}: html_retention_days must be a whole number of days >= 1 or null, got {days!r}")
    folder = doc["html_archive_dir"]
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        raise ConfigError(f"{path}: html_archive_dir must be a folder path or null, got {folder!r}")
    if folder is not None:
        folder = Path(folder) if Path(folder).is_absolute() else PROJECT_ROOT / folder
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"{path}: html_archive_dir {str(folder)!r} exists and is not a folder")
    return StoragePolicy(days, folder)


def archive_path(folder: Path, fetched_at: datetime, content_sha256: str, suffix: str = ".html.zst") -> Path:
    """The file a page's HTML goes to: by fetch day (UTC) and content digest (the same bytes, one file;
    `suffix` says their format, `stored_html.file_suffix`)."""
    day = fetched_at.astimezone(timezone.utc)
    if len(content_sha256) != 64 or not all(c in "0123456789abcdef" for c in content_sha256):
        raise ValueError(f"not a SHA-256 digest: {content_sha256!r}")  # a file name must never escape the folder
    return folder / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}" / f"{content_sha256}{suffix}"


def _write_once(path: Path, data: bytes) -> None:
    """Write the file whole (a crash leaves no half file); a file already there holds the same bytes."""
    if path.is_file() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def apply_html_retention(day: date, policy: StoragePolicy | None = None) -> dict:
    """Move (or drop) the HTML of extracted pages fetched before `policy.cutoff(day)`.

    Files are written before their rows change, chunk by chunk, so an interrupted run loses no HTML
    and its re-run finishes the rest."""
    policy = policy or load_storage_policy()
    cutoff = policy.cutoff(day)
    counts = {"day": day.isoformat(), "cutoff": cutoff.isoformat() if cutoff else None,
              "pages": 0, "moved": 0, "dropped": 0, "bytes": 0}
    if cutoff is None:
        return counts
    with connection() as conn:
        while True:
            with conn, conn.cursor() as cur:
                pages = fetch_dicts(cur, sql("html_past_retention"), {"cutoff": cutoff, "limit": CHUNK})
                if not pages:
                    break
                released = []
                for page in pages:
                    data = bytes(page["html_gz"])
                    moved_to = None
                    if policy.html_archive_dir is not None:
                        target = archive_path(policy.html_archive_dir, page["fetched_at"], page["content_sha256"],
                                              stored_html.file_suffix(data))
                        _write_once(target, data)
                        moved_to = str(target.relative_to(policy.html_archive_dir))
                    released.append((page["canonical_url"], page["content_sha256"], moved_to))
                    counts["bytes"] += len(data)
                bulk_upsert(cur, sql("release_page_html"), released)
                counts["pages"] += len(pages)
                counts["moved" if policy.html_archive_dir is not None else "dropped"] += len(pages)
    log.info("HTML retention for %s: %d page(s) fetched before %s left the warehouse (%d moved to files,"
             " %d dropped, %d bytes)", day, counts["pages"], counts["cutoff"], counts["moved"], counts["dropped"],
             counts["bytes"])
    return counts
