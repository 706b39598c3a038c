"""Sides held in memory (tests) or in NDJSON files (exports, the benchmark); the national API is in ``national.py``.

An NDJSON side streams each file once to index it: for every line its bucket, offset and length, which
for a million records is a few tens of megabytes. Bucket digests are then taken over the line texts
themselves, read back by offset. That assumes the file holds canonical JSON lines (compact, in the
contract's field order, as ``model_dump_json`` writes them): a line that ``orjson`` does not write back
byte for byte, or that carries ``updated_at``, is canonicalised through its contract model instead. A
line that round-trips but is still not canonical (other field order, ``"1.5"`` for ``"1.500000"``) only
makes its bucket differ, so it is read and compared field by field: the assumption costs speed when
wrong, never correctness, because equal digests mean byte-identical records.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from .model import Bucket, BucketDigest
from .resources import META_FIELDS, Record, spec_of

BucketKey = tuple[str, str]  # (unit, ISO day)


def _digest(texts: Iterable[bytes]) -> tuple[int, str]:
    """``contracts.canonical.digest_of`` over UTF-8 texts (byte order of UTF-8 is code point order)."""
    h = hashlib.sha256()
    n = 0
    for t in sorted(texts):
        h.update(t)
        h.update(b"\n")
        n += 1
    return n, h.hexdigest()


def _wanted(buckets: Iterable[Bucket] | None) -> set[BucketKey] | None:
    return None if buckets is None else {(b.unit, b.day.isoformat()) for b in buckets}


def _out(
    resource: str, digests: Mapping[BucketKey, tuple[int, str]], wanted: set[BucketKey] | None
) -> Iterator[BucketDigest]:
    keys = digests.keys() if wanted is None else wanted & digests.keys()
    for unit, day in keys:
        count, sha = digests[(unit, day)]
        if unit != "?":  # records too broken to place have no bucket to compare by digest
            yield BucketDigest(
                bucket=Bucket(resource=resource, unit=unit, day=date.fromisoformat(day)), count=count, sha256=sha
            )


class MemorySide:
    """A side over records in memory (contract form, Python or plain JSON values), validated once."""

    def __init__(self, records: Mapping[str, Iterable[Record]], *, name: str = "memory") -> None:
        self.name = name
        self._rows: dict[str, dict[BucketKey, list[tuple[str, bytes, Record]]]] = {}
        for resource, recs in records.items():
            spec = spec_of(resource)
            rows: dict[BucketKey, list[tuple[str, bytes, Record]]] = {}
            for rec in recs:
                text, plain = spec.canonical(rec)
                rows.setdefault(spec.bucket(plain), []).append((spec.natural_key(plain), text.encode(), plain))
            self._rows[resource] = rows

    def digests(self, resource: str, buckets: Iterable[Bucket] | None = None) -> Iterator[BucketDigest]:
        """Digests of the wanted (or all) non-empty buckets."""
        rows = self._rows.get(resource, {})
        yield from _out(resource, {b: _digest(t for _, t, _ in r) for b, r in rows.items()}, _wanted(buckets))

    def records(self, resource: str, buckets: Iterable[Bucket]) -> Iterator[Record]:
        """Records of these buckets in natural-key order."""
        rows = self._rows.get(resource, {})
        chosen = [row for b in sorted(_wanted(buckets) or ()) for row in rows.get(b, ())]
        for _, _, plain in sorted(chosen, key=lambda r: r[0]):
            yield dict(plain)


class _Index:
    """Where each bucket's lines are in one NDJSON file, and the bucket digests."""

    def __init__(self, path: Path, resource: str) -> None:
        spec = spec_of(resource)
        self.path = path
        self.offsets: dict[BucketKey, array[int]] = {}
        self.lengths: dict[BucketKey, array[int]] = {}
        self.canonical: dict[int, bytes] = {}  # offset → canonical text, for lines that are not canonical
        self.lines = 0
        offset = 0
        bucket_of, dumps, loads = spec.bucket, orjson.dumps, orjson.loads
        with path.open("rb") as f:
            for raw in f:
                line = raw.rstrip(b"\r\n")
                if line.strip():
                    rec = loads(line)
                    key = bucket_of(rec)
                    if not META_FIELDS.isdisjoint(rec) or dumps(rec) != line:
                        self.canonical[offset] = spec.canonical(rec)[0].encode()
                    offs = self.offsets.get(key)
                    if offs is None:
                        offs = self.offsets[key] = array("q")
                        self.lengths[key] = array("l")
                    offs.append(offset)
                    self.lengths[key].append(len(line))
                    self.lines += 1
                offset += len(raw)
        self.digests: dict[BucketKey, tuple[int, str]] = {}
        # pread, not mmap: mapped pages would count in the resident set, and the file may be large.
        with path.open("rb") as f:
            fd = f.fileno()
            for key in self.offsets:
                self.digests[key] = _digest(self._texts(fd, key))

    def _texts(self, fd: int, key: BucketKey) -> Iterator[bytes]:
        for off, n in zip(self.offsets[key], self.lengths[key], strict=True):
            yield self.canonical.get(off) or os.pread(fd, n, off)

    def lines_of(self, key: BucketKey) -> Iterator[bytes]:
        """The raw lines of one bucket, as in the file."""
        if key not in self.offsets:
            return
        with self.path.open("rb") as f:
            fd = f.fileno()
            for off, n in zip(self.offsets[key], self.lengths[key], strict=True):
                yield os.pread(fd, n, off)


class NdjsonSide:
    """A side over NDJSON files, one per resource, each streamed once to index it (see the module docstring)."""

    def __init__(self, paths: Mapping[str, str | os.PathLike[str]], *, name: str = "ndjson") -> None:
        self.name = name
        self.paths = {r: Path(p) for r, p in paths.items()}
        self._indexes: dict[str, _Index] = {}
        self.noncanonical_lines = 0
        """Lines canonicalised through their model because they were not canonical JSON (after indexing)."""

    def _index(self, resource: str) -> _Index | None:
        if resource not in self.paths:
            return None
        idx = self._indexes.get(resource)
        if idx is None:
            idx = self._indexes[resource] = _Index(self.paths[resource], resource)
            self.noncanonical_lines += len(idx.canonical)
        return idx

    def digests(self, resource: str, buckets: Iterable[Bucket] | None = None) -> Iterator[BucketDigest]:
        """Digests of the wanted (or all) non-empty buckets; the first call per resource indexes the file."""
        idx = self._index(resource)
        if idx is not None:
            yield from _out(resource, idx.digests, _wanted(buckets))

    def records(self, resource: str, buckets: Iterable[Bucket]) -> Iterator[Record]:
        """Records of these buckets in natural-key order (one bucket set is held at a time)."""
        idx = self._index(resource)
        if idx is None:
            return
        spec = spec_of(resource)
        chosen: list[tuple[str, dict[str, Any]]] = []
        for key in sorted(_wanted(buckets) or ()):
            for line in idx.lines_of(key):
                rec = orjson.loads(line)
                chosen.append((spec.natural_key(rec), rec))
        chosen.sort(key=lambda kr: kr[0])
        for _, rec in chosen:
            yield rec
