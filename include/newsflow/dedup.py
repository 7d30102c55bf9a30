"""Deduplication at three levels: URL, article (exact and near duplicate) and event.

- URL level: `canonical_url` maps tracking, AMP and mobile variants of a link to one form.
- Article level: `content_hash` finds exact duplicates of the normalised body;
  `minhash_signature` + `lsh_band_keys` find near duplicates (MinHash LSH over character
  shingles), and `containment_keys` find a text that sits inside a longer one (an agency copy
  inside a longer rewrite), whose resemblance is low because the longer text has much more.
  `fingerprint` computes all of it once; `compare` measures a pair and `judge` decides it, for
  the batch (`ArticleIndex`) and the warehouse alike. The warehouse stores (key, article_id)
  rows of both kinds of key and looks candidates up with `WHERE band_key = ANY(%s)`.
- Event level: `event_key` gives the deterministic id of a merged event.

Settings (shingle size, permutations, bands, threshold, tracking parameters) live in
`include/config/dedup.yaml`; see `load_config`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import numpy as np

from newsflow.batch import parse_json_object
from newsflow.event_ids import (  # noqa: F401  (event_key and its namespaces: dedup's names before)
    DATE_PRECISIONS, EVENT_NAMESPACE, FOLD_TABLE_SIZE, NEWSFLOW_NAMESPACE, event_key, fold_map)

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "dedup.yaml"
CONFIG_ENV = "NEWSFLOW_DEDUP_CONFIG"

CLUSTER_NAMESPACE = uuid.uuid5(NEWSFLOW_NAMESPACE, "story-cluster")


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------


class DedupConfigError(ValueError):
    """dedup.yaml is missing a setting or holds an invalid value."""


@dataclass(frozen=True)
class VerbatimRule:
    """A second containment rule: a long text found (almost) whole inside a much longer one.
    Its Jaccard floor is lower than the main rule's, since a rewrite may add several times the
    copy's length, and its length floor higher, since a quoted lead paragraph or summary found
    whole inside another story is short."""

    threshold: float  # share of the shorter text's shingles found in the longer one
    min_chars: int  # normalised characters of the shorter text
    min_resemblance: float  # Jaccard floor of the containment shingles


@dataclass(frozen=True)
class ContainmentConfig:
    """When a shorter text inside a longer one makes the two the same article."""

    shingle_size: int  # characters per containment shingle: long, so unrelated texts share few
    sample_one_in: int  # a shingle hash h is a candidate key when h % sample_one_in == 0
    min_shared_keys: int  # candidates share at least this many keys
    min_key_share: float  # ... and this share of the keys of the text with fewer keys
    threshold: float  # share of the shorter text's shingles found in the longer one
    min_chars: int  # the shorter text's normalised characters: shorter ones never link this way
    min_resemblance: float  # Jaccard floor of the containment shingles (the longer text's share)
    verbatim: VerbatimRule | None = None  # optional second rule (see VerbatimRule)


@dataclass(frozen=True)
class DedupConfig:
    num_perm: int
    shingle_size: int
    seed: int
    bands: int
    rows: int
    similarity_threshold: float
    lookback_days: int
    min_text_chars: int
    max_candidates: int  # candidates compared per article: those sharing the most keys
    tracking_parameters: tuple[str, ...]
    mobile_host_prefixes: tuple[str, ...]
    mobile_to_www: bool
    containment: ContainmentConfig


def _require(mapping: dict, key: str, kind: type, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise DedupConfigError(f"{where}: missing setting '{key}'")
    value = mapping[key]
    # bool is a subclass of int: refuse true/false where a number is expected.
    if kind in (int, float) and isinstance(value, bool):
        raise DedupConfigError(f"{where}: '{key}' must be a number, got {value!r}")
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind):
        raise DedupConfigError(f"{where}: '{key}' must be {kind.__name__}, got {value!r}")
    return value


def _string_list(raw: dict, key: str, where: str) -> tuple[str, ...]:
    values = _require(raw, key, list, where)
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise DedupConfigError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip().lower() for v in values)


def parse_config(raw: dict, where: str = "dedup.yaml") -> DedupConfig:
    """Validate a loaded dedup.yaml mapping; raise DedupConfigError naming the bad setting."""
    if not isinstance(raw, dict):
        raise DedupConfigError(f"{where}: expected a mapping at the top level")
    minhash = _require(raw, "minhash", dict, where)
    lsh = _require(raw, "lsh", dict, where)
    config = DedupConfig(
        num_perm=_require(minhash, "num_perm", int, f"{where} minhash"),
        shingle_size=_require(minhash, "shingle_size", int, f"{where} minhash"),
        seed=_require(minhash, "seed", int, f"{where} minhash"),
        bands=_require(lsh, "bands", int, f"{where} lsh"),
        rows=_require(lsh, "rows", int, f"{where} lsh"),
        similarity_threshold=_require(raw, "similarity_threshold", float, where),
        lookback_days=_require(raw, "lookback_days", int, where),
        min_text_chars=_require(raw, "min_text_chars", int, where),
        max_candidates=_require(raw, "max_candidates", int, where),
        tracking_parameters=_string_list(raw, "tracking_parameters", where),
        mobile_host_prefixes=_string_list(raw, "mobile_host_prefixes", where),
        mobile_to_www=_require(raw, "mobile_to_www", bool, where),
        containment=_parse_containment(_require(raw, "containment", dict, where), f"{where} containment"),
    )
    if config.num_perm < 16:
        raise DedupConfigError(f"{where}: minhash.num_perm must be at least 16, got {config.num_perm}")
    if not 1 <= config.shingle_size <= 20:
        raise DedupConfigError(f"{where}: minhash.shingle_size must be 1..20, got {config.shingle_size}")
    if config.bands < 1 or config.rows < 1:
        raise DedupConfigError(f"{where}: lsh.bands and lsh.rows must be positive")
    if config.bands * config.rows != config.num_perm:
        raise DedupConfigError(
            f"{where}: lsh.bands x lsh.rows ({config.bands} x {config.rows}) "
            f"must equal minhash.num_perm ({config.num_perm})"
        )
    if not 0.0 < config.similarity_threshold <= 1.0:
        raise DedupConfigError(
            f"{where}: similarity_threshold must be in (0, 1], got {config.similarity_threshold}"
        )
    if config.lookback_days < 0:
        raise DedupConfigError(f"{where}: lookback_days must be >= 0, got {config.lookback_days}")
    if config.min_text_chars < 0:
        raise DedupConfigError(f"{where}: min_text_chars must be >= 0, got {config.min_text_chars}")
    if config.max_candidates < 1:
        raise DedupConfigError(f"{where}: max_candidates must be at least 1, got {config.max_candidates}")
    return config


def _parse_containment(raw: dict, where: str) -> ContainmentConfig:
    containment = ContainmentConfig(
        shingle_size=_require(raw, "shingle_size", int, where),
        sample_one_in=_require(raw, "sample_one_in", int, where),
        min_shared_keys=_require(raw, "min_shared_keys", int, where),
        min_key_share=_require(raw, "min_key_share", float, where),
        threshold=_require(raw, "threshold", float, where),
        min_chars=_require(raw, "min_chars", int, where),
        min_resemblance=_require(raw, "min_resemblance", float, where),
        verbatim=_parse_verbatim(raw.get("verbatim"), f"{where}: containment.verbatim"),
    )
    if not 1 <= containment.shingle_size <= 40:
        raise DedupConfigError(f"{where}: shingle_size must be 1..40, got {containment.shingle_size}")
    if containment.sample_one_in < 1:
        raise DedupConfigError(f"{where}: sample_one_in must be >= 1, got {containment.sample_one_in}")
    if containment.min_shared_keys < 1:
        raise DedupConfigError(f"{where}: min_shared_keys must be >= 1, got {containment.min_shared_keys}")
    if not 0.0 <= containment.min_key_share <= 1.0:
        raise DedupConfigError(f"{where}: min_key_share must be in [0, 1], got {containment.min_key_share}")
    _check_link_rule(containment, where)
    return containment


def _check_link_rule(rule, where: str) -> None:
    if not 0.0 < rule.threshold <= 1.0:
        raise DedupConfigError(f"{where}: threshold must be in (0, 1], got {rule.threshold}")
    if rule.min_chars < 0:
        raise DedupConfigError(f"{where}: min_chars must be >= 0, got {rule.min_chars}")
    if not 0.0 <= rule.min_resemblance <= 1.0:
        raise DedupConfigError(f"{where}: min_resemblance must be in [0, 1], got {rule.min_resemblance}")


def _parse_verbatim(raw, where: str) -> VerbatimRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise DedupConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
    rule = VerbatimRule(threshold=_require(raw, "threshold", float, where),
                        min_chars=_require(raw, "min_chars", int, where),
                        min_resemblance=_require(raw, "min_resemblance", float, where))
    _check_link_rule(rule, where)
    return rule


def load_config(path: str | os.PathLike | None = None) -> DedupConfig:
    """Read and validate dedup.yaml (default: `$NEWSFLOW_DEDUP_CONFIG` or include/config/dedup.yaml)."""
    import yaml

    config_path = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DedupConfigError(f"cannot read dedup config {config_path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise DedupConfigError(f"{config_path}: invalid YAML: {exc}") from exc
    return parse_config(raw, where=str(config_path))


@lru_cache(maxsize=1)
def settings() -> DedupConfig:
    """The default configuration, loaded once per process."""
    return load_config()


# ---------------------------------------------------------------------------
# Text normalisation and exact duplicates
# ---------------------------------------------------------------------------

_SPACE = 0x20
_DROP = 0xFFFFFFFF


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """The folding rules of `event_ids.fold_map` (shared with event ids, which fold place names
    without numpy) as one numpy lookup table: code point -> code point after folding, _DROP for
    a dropped one (diacritics, tatweel). Built on first use, not at import."""
    table = np.arange(FOLD_TABLE_SIZE, dtype=np.uint32)
    for cp, replacement in fold_map().items():
        table[cp] = _DROP if replacement is None else ord(replacement)
    return table


def _normalised_codepoints(text: str) -> np.ndarray:
    """`normalize_text` as a uint32 array of code points (vectorised: no per-character Python)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    points = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    low = points < FOLD_TABLE_SIZE
    points = np.where(low, _fold_table()[np.where(low, points, 0)], points)
    points = points[points != _DROP]
    if points.size == 0:
        return points
    # Keep a space only right after a non-space (drops runs and the leading space), then
    # drop a trailing space.
    is_space = points == _SPACE
    keep = ~is_space
    keep[1:] |= ~is_space[:-1]
    points = points[keep]
    if points.size and points[-1] == _SPACE:
        points = points[:-1]
    return points


def normalize_text(text: str) -> str:
    """Normalise text for matching: NFKC, case-folded, Arabic letter variants folded (alef
    forms, alef maqsura, ta marbuta, hamza seats), diacritics and tatweel removed, Arabic-Indic
    digits made ASCII, punctuation and symbols turned into spaces, whitespace collapsed.

    The folding is done here (not in `newsflow.text`) on purpose: stored content hashes and
    band keys depend on it, so it must not change when display-oriented normalisation does.
    """
    if not text:
        return ""
    return _normalised_codepoints(text).tobytes().decode("utf-32-le")


def content_hash(text: str) -> str:
    """sha256 hex digest of `normalize_text(text)`: equal for exact duplicates."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Canonical URLs
# ---------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped in paths and query values; everything else is percent-encoded,
# so "%D8%A7" and a raw "ا" give the same canonical URL.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*+,;/?-._~"
_AMP_QUERY_FLAGS = {("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp"),
                    ("output", "amp"), ("format", "amp")}


def _is_tracking(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    for pattern in patterns:
        if pattern.endswith("*"):
            if lowered.startswith(pattern[:-1]):
                return True
        elif lowered == pattern:
            return True
    return False


def _canonical_host(host: str, config: DedupConfig) -> str:
    host = host.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # keep hosts that IDNA refuses (e.g. with underscores) as they are
    for prefix in config.mobile_host_prefixes:
        if host.startswith(prefix) and host.count(".") >= 2:
            bare = host[len(prefix):]
            return f"www.{bare}" if config.mobile_to_www else bare
    return host


def _canonical_path(path: str) -> str:
    segments = [s for s in unquote(path).split("/")]
    # AMP mirrors: "/amp/news/x", "/news/x/amp", "/news/x.amp.html", "/news/x.amp".
    segments = [s for s in segments if s.lower() != "amp"]
    if segments:
        last = segments[-1]
        lowered = last.lower()
        if lowered.endswith(".amp.html"):
            last = last[: -len(".amp.html")] + ".html"
        elif lowered.endswith(".amp"):
            last = last[: -len(".amp")]
        segments[-1] = last
    path = "/".join(segments)
    path = re.sub(r"/{2,}", "/", path)
    if not path.startswith("/"):
        path = "/" + path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return quote(path, safe=_PATH_SAFE)


def canonical_url(url: str, config: DedupConfig | None = None) -> str:
    """One form per article link: https, lower-case host without default port, mobile and
    AMP hosts/paths/flags mapped to the canonical page, tracking parameters and the fragment
    dropped, remaining query parameters sorted, no trailing slash. Pure: redirects are
    followed by the fetcher, which passes the final URL in."""
    config = config or settings()
    raw = (url or "").strip()
    if not raw:
        raise ValueError("empty URL")
    if raw.startswith("//"):
        raw = "https:" + raw
    elif "://" not in raw:
        # "mailto:x", "javascript:..." are other schemes; "example.com:8080/a" is a bare host.
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", raw):
            raise ValueError(f"not a web URL: {url!r}")
        raw = "https://" + raw
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"not a web URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL without a host: {url!r}")
    host = _canonical_host(parts.hostname, config)
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    params = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name, config.tracking_parameters)
        and (name.lower(), value.lower()) not in _AMP_QUERY_FLAGS
    ]
    query = urlencode(sorted(params), quote_via=quote, safe=_QUERY_SAFE)
    return urlunsplit(("https", netloc, _canonical_path(parts.path), query, ""))


# ---------------------------------------------------------------------------
# Near duplicates: MinHash signatures and LSH band keys
# ---------------------------------------------------------------------------

# datasketch's "affine32" permutation scheme: each permutation is h -> a*h + b mod 2^32 over
# the MurmurHash3-premixed shingle hash. Values are widened to uint64 in the public signature.
MINHASH_SCHEME = "affine32"
_EMPTY_VALUE = np.uint64(0xFFFFFFFF)  # datasketch's "no shingle seen" value for affine32

# Shingle hash: a polynomial over the shingle's code points (mod 2^64), then the MurmurHash3
# 64-bit finaliser; the high 32 bits are the shingle's hash. Vectorised over the whole text,
# it is about ten times faster than calling a hash function once per shingle.
_POLY_BASE = 0x100000001B3
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def _fmix64(values: np.ndarray) -> np.ndarray:
    shift, m1, m2 = _FMIX64
    values = values ^ (values >> shift)
    values *= m1
    values ^= values >> shift
    values *= m2
    values ^= values >> shift
    return values


def _fmix32(values: np.ndarray) -> np.ndarray:
    # MurmurHash3 32-bit finaliser, the pre-mix datasketch applies before its permutations.
    s1, m1, s2, m2 = _FMIX32
    values = values ^ (values >> s1)
    values *= m1
    values ^= values >> s2
    values *= m2
    values ^= values >> s1
    return values


def _shingle_hashes(points: np.ndarray, size: int) -> np.ndarray:
    """Distinct 32-bit hashes of the character shingles of a normalised text (code points).
    A text shorter than one shingle is a single shingle; an empty text has none."""
    if points.size == 0:
        return np.empty(0, dtype=np.uint32)
    size = min(size, points.size)
    count = points.size - size + 1
    wide = points.astype(np.uint64)
    hashes = wide[:count] * np.uint64(1)
    for offset in range(1, size):
        hashes += wide[offset:offset + count] * np.uint64(pow(_POLY_BASE, offset, 1 << 64))
    hashes = (_fmix64(hashes) >> np.uint64(32)).astype(np.uint32)
    hashes.sort()  # sort-based distinct values: much faster than np.unique here
    return hashes[np.concatenate(([True], hashes[1:] != hashes[:-1]))]


def shingle_hashes(text: str, size: int | None = None) -> np.ndarray:
    """Distinct 32-bit hashes of the `size`-character shingles of `normalize_text(text)`:
    the values a MinHash of the text is built from."""
    return _shingle_hashes(_normalised_codepoints(text or ""), size or settings().shingle_size)


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for this size and seed, as column vectors.

    Drawn as datasketch's MinHash draws them for "affine32" (a test checks they are equal), without
    importing datasketch: its import (scipy) costs seconds in every task process that loads pages."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a[:, None], b[:, None]


def _signature_of_hashes(hashes: np.ndarray, config: DedupConfig) -> np.ndarray:
    """Same values as datasketch `MinHash(scheme="affine32").update_batch(hashes)` (a test
    checks it), computed as one (num_perm x shingles) array operation."""
    if hashes.size == 0:
        return np.full(config.num_perm, _EMPTY_VALUE, dtype=np.uint64)
    a, b = _permutations(config.num_perm, config.seed)
    permuted = a * _fmix32(hashes)[None, :]
    permuted += b
    return permuted.min(axis=1).astype(np.uint64)


def _signature_of_points(points: np.ndarray, config: DedupConfig) -> np.ndarray:
    return _signature_of_hashes(_shingle_hashes(points, config.shingle_size), config)


def minhash_signature(text: str, config: DedupConfig | None = None) -> np.ndarray:
    """MinHash signature (numpy uint64 array of `num_perm` values) of the character shingles
    of `normalize_text(text)`. An empty text gives the "empty" signature, which has no band
    keys and matches nothing."""
    config = config or settings()
    return _signature_of_points(_normalised_codepoints(text or ""), config)


def to_datasketch(signature, config: DedupConfig | None = None):
    """The signature as a datasketch LeanMinHash (for datasketch's own LSH or estimators)."""
    from datasketch import LeanMinHash, MinHash

    config = config or settings()
    values = np.asarray(signature, dtype=np.uint64).astype(np.uint32)
    return LeanMinHash(MinHash(num_perm=values.size, seed=config.seed, hashvalues=values,
                               scheme=MINHASH_SCHEME))


def _is_empty_signature(signature) -> bool:
    return bool(np.all(np.asarray(signature) == _EMPTY_VALUE))


def signature_to_bytes(signature) -> bytes:
    """Little-endian bytes of a signature (8 bytes per permutation), for a bytea column."""
    return np.asarray(signature, dtype="<u8").tobytes()


def signature_from_bytes(data: bytes):
    """Inverse of `signature_to_bytes`."""
    if len(data) == 0 or len(data) % 8:
        raise ValueError(f"signature bytes must be a non-empty multiple of 8, got {len(data)}")
    return np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64)


def estimate_jaccard(a, b) -> float:
    """Estimated Jaccard similarity of the two texts behind signatures `a` and `b`."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"signatures differ in length: {a.shape} vs {b.shape}")
    if _is_empty_signature(a) or _is_empty_signature(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / a.size


def lsh_band_keys(signature, config: DedupConfig | None = None) -> list[int]:
    """One signed 64-bit key per LSH band (band index mixed in, so equal rows in different
    bands do not collide). Two texts are candidates when they share any key. Empty texts
    have no keys."""
    config = config or settings()
    signature = np.asarray(signature, dtype="<u8")
    if signature.size != config.bands * config.rows:
        raise ValueError(
            f"signature has {signature.size} values, config expects {config.bands * config.rows}"
        )
    if _is_empty_signature(signature):
        return []
    keys = []
    for band, rows in enumerate(signature.reshape(config.bands, config.rows)):
        digest = hashlib.blake2b(band.to_bytes(2, "little") + rows.tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


class NearDuplicateIndex:
    """In-memory LSH index over band keys, with Jaccard confirmation of candidates.
    Uses the same band keys and threshold as the warehouse tables."""

    def __init__(self, config: DedupConfig | None = None):
        self.config = config or settings()
        self._buckets: dict[int, list] = {}
        self._signatures: dict = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, doc_id, signature) -> None:
        if doc_id in self._signatures:
            raise KeyError(f"document {doc_id!r} is already in the index")
        signature = np.asarray(signature, dtype=np.uint64)
        self._signatures[doc_id] = signature
        for key in lsh_band_keys(signature, self.config):
            self._buckets.setdefault(key, []).append(doc_id)

    def candidates(self, signature) -> list:
        """Ids sharing at least one band key with `signature`, in insertion order."""
        seen: dict = {}
        for key in lsh_band_keys(signature, self.config):
            for doc_id in self._buckets.get(key, ()):
                seen.setdefault(doc_id, None)
        return list(seen)

    def query(self, signature, threshold: float | None = None) -> list[tuple]:
        """(doc_id, estimated Jaccard) of indexed documents at or above the threshold,
        most similar first (ties: earliest added first)."""
        threshold = self.config.similarity_threshold if threshold is None else threshold
        signature = np.asarray(signature, dtype=np.uint64)
        ids = self.candidates(signature)
        if not ids:
            return []
        stacked = np.stack([self._signatures[doc_id] for doc_id in ids])
        similarities = np.count_nonzero(stacked == signature, axis=1) / signature.size
        matches = [(doc_id, float(s)) for doc_id, s in zip(ids, similarities, strict=True) if s >= threshold]
        matches.sort(key=lambda match: -match[1])  # stable: keeps insertion order on ties
        return matches


# ---------------------------------------------------------------------------
# Containment: a text inside a longer one
# ---------------------------------------------------------------------------

# Containment keys live in the same table as LSH band keys; this bit, mixed into the shingle
# hash before it is scrambled to 64 bits, keeps the two kinds from meaning the same thing.
_CONTAINMENT_KEY_TAG = np.uint64(1 << 40)


def containment_shingles(points: np.ndarray, config: DedupConfig) -> np.ndarray:
    """Distinct hashes (sorted uint32) of the longer character shingles that containment is
    measured on: 5-character shingles recur across unrelated texts of one language (the
    shorter of two unrelated articles of bench/dedup has a median 4 % and a 99th percentile
    43 % of its 5-shingles in the longer one), 8-character ones much less (0.1 % and 12 %)."""
    return _shingle_hashes(points, config.containment.shingle_size)


def containment_keys(shingles: np.ndarray, config: DedupConfig) -> list[int]:
    """Signed 64-bit keys of the sampled shingles (hash divisible by `sample_one_in`). The
    sample is chosen by content, so the keys two texts share are a sample of the shingles they
    share: a text inside a longer one shares about `containment` of its own keys with it."""
    sampled = shingles[shingles % np.uint32(config.containment.sample_one_in) == 0]
    mixed = _fmix64(sampled.astype(np.uint64) | _CONTAINMENT_KEY_TAG)
    return mixed.view(np.int64).tolist()


def containment_candidate(shared_keys: int, keys_a: int, keys_b: int, config: DedupConfig | None = None) -> bool:
    """Whether two texts sharing `shared_keys` containment keys (of `keys_a` and `keys_b`) are
    compared: the shared keys estimate the containment, and the bar is set well below the
    containment threshold, so that it saves the exact comparison of texts that only share a
    phrase or two and loses (almost) no copy."""
    rule = (config or settings()).containment
    return shared_keys >= max(rule.min_shared_keys, rule.min_key_share * min(keys_a, keys_b))


@dataclass(frozen=True)
class Fingerprint:
    """What matching needs of one text, computed once (`fingerprint`)."""

    chars: int  # normalised characters
    signature: np.ndarray  # MinHash of the short shingles (resemblance)
    band_keys: list[int]  # LSH keys: resemblance candidates
    shingles: np.ndarray  # distinct long-shingle hashes, sorted (containment)
    containment_keys: list[int]  # sampled long shingles: containment candidates

    @property
    def index_keys(self) -> list[int]:
        """Every key the warehouse stores for this text (core.article_lsh)."""
        return [*self.band_keys, *self.containment_keys]


def _fingerprint_of_points(points: np.ndarray, config: DedupConfig, signature=None) -> Fingerprint:
    signature = _signature_of_points(points, config) if signature is None else np.asarray(signature, dtype=np.uint64)
    shingles = containment_shingles(points, config)
    return Fingerprint(int(points.size), signature, lsh_band_keys(signature, config), shingles,
                       containment_keys(shingles, config))


def fingerprint(text: str, config: DedupConfig | None = None, signature=None) -> Fingerprint:
    """The fingerprint of `text`; pass a stored `signature` of the same text to skip
    recomputing it."""
    config = config or settings()
    return _fingerprint_of_points(_normalised_codepoints(text or ""), config, signature)


@dataclass(frozen=True)
class Comparison:
    """How two texts relate, as `judge` reads it."""

    resemblance: float  # MinHash estimate of the Jaccard similarity of the short shingles
    containment: float  # share of the smaller text's long shingles found in the other (exact)
    containment_resemblance: float  # Jaccard similarity of the long shingles (exact)
    shorter_chars: int  # normalised characters of the smaller text


def compare(a: Fingerprint, b: Fingerprint) -> Comparison:
    small, large = (a, b) if a.shingles.size <= b.shingles.size else (b, a)
    shared = 0
    if small.shingles.size and large.shingles.size:
        # Both are sorted and distinct: a binary search of the smaller set in the larger one.
        at = np.searchsorted(large.shingles, small.shingles).clip(max=large.shingles.size - 1)
        shared = int(np.count_nonzero(large.shingles[at] == small.shingles))
    union = small.shingles.size + large.shingles.size - shared
    return Comparison(
        resemblance=estimate_jaccard(a.signature, b.signature),
        containment=shared / small.shingles.size if small.shingles.size else 0.0,
        containment_resemblance=shared / union if union else 0.0,
        shorter_chars=small.chars,
    )


def judge(comparison: Comparison, config: DedupConfig | None = None) -> tuple[str, float] | None:
    """("near", resemblance) or ("contained", containment) when the two texts are the same
    article, else None. Containment links only a shorter text of at least `min_chars` that
    is also a fair share of the longer one (`min_resemblance`): a quoted statement, a
    one-paragraph summary or a boilerplate block inside another story stays apart."""
    config = config or settings()
    if comparison.resemblance >= config.similarity_threshold:
        return "near", comparison.resemblance
    rule = config.containment
    for link_rule in (rule, rule.verbatim):
        if link_rule is not None and (
                comparison.shorter_chars >= link_rule.min_chars and comparison.containment >= link_rule.threshold
                and comparison.containment_resemblance >= link_rule.min_resemblance):
            return "contained", comparison.containment
    return None


def link(a: Fingerprint, b: Fingerprint, config: DedupConfig | None = None) -> tuple[str, float] | None:
    """`judge(compare(a, b))`, without measuring containment when the resemblance decides."""
    config = config or settings()
    resemblance = estimate_jaccard(a.signature, b.signature)
    if resemblance >= config.similarity_threshold:
        return "near", resemblance
    return judge(compare(a, b), config)


@dataclass(frozen=True)
class Match:
    doc_id: object
    kind: str  # "near" or "contained"
    score: float  # resemblance for "near", containment for "contained"


def _rank(match: Match) -> tuple:
    return match.kind != "near", -match.score


def best_match(query: Fingerprint, candidates, config: DedupConfig | None = None) -> Match | None:
    """The best of `candidates` ((doc_id, Fingerprint) pairs) that `judge` links to `query`:
    near duplicates before contained ones, then the higher score, then the earlier candidate."""
    matches = matching(query, candidates, config)
    return min(matches, key=_rank) if matches else None


def matching(query: Fingerprint, candidates, config: DedupConfig | None = None) -> list[Match]:
    """Every one of `candidates` ((doc_id, Fingerprint) pairs) that `judge` links to `query`,
    in candidate order."""
    config = config or settings()
    matches = []
    for doc_id, candidate in candidates:
        verdict = link(query, candidate, config)
        if verdict:
            matches.append(Match(doc_id, *verdict))
    return matches


def stored_candidate_params(query: Fingerprint, article_id, day, config: DedupConfig | None = None) -> dict:
    """Parameters of sql/lsh_candidates.sql for `query`, an article of `day` (its lookback window)."""
    config = config or settings()
    window = timedelta(days=config.lookback_days)
    return {"band_keys": query.band_keys, "containment_keys": query.containment_keys,
            "min_shared_keys": config.containment.min_shared_keys,
            "min_key_share": config.containment.min_key_share, "query_keys": len(query.containment_keys),
            "article_id": article_id, "day_from": day - window, "day_to": day + window,
            "max_candidates": config.max_candidates}


def stored_candidates(query: Fingerprint, rows, config: DedupConfig | None = None):
    """(row, Fingerprint) of the warehouse rows (sql/lsh_candidates.sql: text, signature,
    shares_band, shared_keys) that `ArticleIndex.candidates` would return too, in row order."""
    config = config or settings()
    for row in rows:
        fp = fingerprint(row["text"], config, signature_from_bytes(bytes(row["signature"])))
        if row["shares_band"] or containment_candidate(
                row["shared_keys"], len(query.containment_keys), len(fp.containment_keys), config):
            yield row, fp


class ArticleIndex:
    """In-memory index of fingerprints: candidates share an LSH band key or enough containment
    keys (`containment_candidate`), as in the warehouse, and `judge` decides them."""

    def __init__(self, config: DedupConfig | None = None):
        self.config = config or settings()
        self._fingerprints: dict = {}  # doc_id -> Fingerprint
        self._position: dict = {}  # doc_id -> insertion order
        self._bands: dict[int, list] = {}
        self._postings: dict[int, list] = {}

    def __len__(self) -> int:
        return len(self._fingerprints)

    def add(self, doc_id, fp: Fingerprint) -> None:
        if doc_id in self._fingerprints:
            raise KeyError(f"document {doc_id!r} is already in the index")
        self._fingerprints[doc_id] = fp
        self._position[doc_id] = len(self._position)
        for key in fp.band_keys:
            self._bands.setdefault(key, []).append(doc_id)
        for key in fp.containment_keys:
            self._postings.setdefault(key, []).append(doc_id)

    def candidates(self, fp: Fingerprint) -> list:
        """Candidate ids, in insertion order: at most `max_candidates`, those sharing the most band
        keys, then the most containment keys, then the earliest (as sql/lsh_candidates.sql)."""
        # Set intersections first: most keys of a text are in no other text.
        bands = Counter(chain.from_iterable(self._bands[key] for key in self._bands.keys() & fp.band_keys))
        shared = Counter(chain.from_iterable(
            self._postings[key] for key in self._postings.keys() & fp.containment_keys))
        keys, fewest = len(fp.containment_keys), self.config.containment.min_shared_keys
        found = set(bands)
        found.update(doc_id for doc_id, count in shared.items() if count >= fewest and containment_candidate(
            count, keys, len(self._fingerprints[doc_id].containment_keys), self.config))
        if len(found) > self.config.max_candidates:
            found = sorted(found, key=lambda doc_id: (-bands[doc_id], -shared[doc_id], self._position[doc_id]))
            found = found[:self.config.max_candidates]
        return sorted(found, key=self._position.__getitem__)

    def comparisons(self, fp: Fingerprint) -> list[tuple]:
        """(doc_id, Comparison) of every candidate, in insertion order."""
        return [(doc_id, compare(fp, self._fingerprints[doc_id])) for doc_id in self.candidates(fp)]

    def query(self, fp: Fingerprint) -> list[Match]:
        """Every indexed text `judge` links to `fp`, best first (as `best_match` ranks them)."""
        return sorted(matching(fp, ((doc_id, self._fingerprints[doc_id]) for doc_id in self.candidates(fp)),
                                   self.config), key=_rank)


# ---------------------------------------------------------------------------
# Deterministic ids
# ---------------------------------------------------------------------------


def cluster_id_for(first_member_key: str) -> str:
    """Story cluster id derived from its first member's key (article id or canonical URL):
    the same input gives the same id on every run, so reloads never create a second cluster."""
    if not first_member_key:
        raise ValueError("a cluster needs a non-empty first member key")
    return str(uuid.uuid5(CLUSTER_NAMESPACE, str(first_member_key)))


# ---------------------------------------------------------------------------
# Batch deduplication (`newsflow dedup --batch`)
# ---------------------------------------------------------------------------


@dataclass
class _Article:
    position: int
    id: str
    text: str
    url: str | None
    published: datetime | None


def _parse_published(value) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"published_at must be an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"published_at is not ISO 8601: {value!r}") from exc
    # Naive times are taken as UTC so they sort with aware ones.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _parse_line(position: int, line: str) -> _Article:
    """Parse one input line; raise ValueError with a message for the output's "error"."""
    record = parse_json_object(line)
    doc_id = record.get("id")
    if doc_id is None or isinstance(doc_id, (dict, list, bool)) or str(doc_id) == "":
        raise ValueError("missing or invalid 'id'")
    text = record.get("text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValueError("'text' must be a string")
    url = record.get("url") or None
    if url is not None and not isinstance(url, str):
        raise ValueError("'url' must be a string")
    if not normalize_text(text) and not url:
        raise ValueError("empty 'text' and no 'url'")
    return _Article(position, str(doc_id), text, url, _parse_published(record.get("published_at")))


def _line_id(line: str):
    """Best-effort id of a bad line, for its error record."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, TypeError, RecursionError):
        return None
    doc_id = record.get("id") if isinstance(record, dict) else None
    return doc_id if isinstance(doc_id, (str, int, float)) and not isinstance(doc_id, bool) else None


def _chronological(articles: list[_Article]) -> list[_Article]:
    # Dated articles first, oldest first; undated ones after them in input order.
    far_future = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(articles, key=lambda a: (a.published or far_future, a.position))


def _assign_clusters(articles: list[_Article], config: DedupConfig) -> dict[str, dict]:
    """Cluster id and first member of every article, visiting them in publication order."""
    index = ArticleIndex(config)
    first_by_url: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    cluster_of: dict[str, str] = {}  # article id -> id of its cluster's first member
    results: dict[str, dict] = {}
    for article in _chronological(articles):
        canonical = None
        if article.url:
            try:
                canonical = canonical_url(article.url, config)
            except ValueError:
                canonical = None  # a bad URL only loses URL-level matching
        points = _normalised_codepoints(article.text)
        normalised = points.tobytes().decode("utf-32-le")
        digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest() if normalised else None

        match = None
        if canonical and canonical in first_by_url:
            match = first_by_url[canonical]
        elif digest and digest in first_by_hash:
            match = first_by_hash[digest]
        article_fingerprint = None
        if match is None and len(normalised) >= config.min_text_chars:
            article_fingerprint = _fingerprint_of_points(points, config)
            found = index.query(article_fingerprint)
            if found:
                match = found[0].doc_id

        if match is None:
            first = article.id
            duplicate_of = None
        else:
            first = cluster_of[match]
            duplicate_of = first
        cluster_of[article.id] = first
        results[article.id] = {
            "id": article.id,
            "cluster_id": cluster_id_for(first),
            "duplicate_of": duplicate_of,
        }
        if canonical:
            first_by_url.setdefault(canonical, article.id)
        if digest:
            first_by_hash.setdefault(digest, article.id)
        if article_fingerprint is not None:
            index.add(article.id, article_fingerprint)
    return results


def dedup_batch(lines: Iterable[str], config: DedupConfig | None = None) -> Iterator[dict]:
    """Deduplicate a batch of JSON lines `{"id", "text", "title"?, "url"?, "language"?,
    "published_at"?}` and yield `{"id", "cluster_id", "duplicate_of"}` per line, in input order.

    Matching, in order: same canonical URL, same content hash, then the best match `judge`
    accepts among the `ArticleIndex` candidates (a near duplicate, or a text inside the
    other), the same decision as the warehouse's. Articles are visited
    oldest first (`published_at`; undated ones after dated ones, in input order), so a
    cluster's first member is its earliest article; `duplicate_of` names that first member
    and is null for the first member itself. A bad line yields
    `{"id", "cluster_id": None, "duplicate_of": None, "error"}` and the batch goes on; a
    repeated id is reported as an error too.
    """
    config = config or settings()
    outputs: list = []  # per input line: an _Article or an error record
    seen_ids: set[str] = set()
    for position, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            article = _parse_line(position, line)
            if article.id in seen_ids:
                raise ValueError(f"duplicate id {article.id!r} in the batch")
            seen_ids.add(article.id)
            outputs.append(article)
        except ValueError as exc:
            outputs.append({"id": _line_id(line), "cluster_id": None, "duplicate_of": None,
                            "error": str(exc)})
    results = _assign_clusters([o for o in outputs if isinstance(o, _Article)], config)
    for item in outputs:
        yield results[item.id] if isinstance(item, _Article) else item
