"""Building both sides and the engine from the configuration (the reconciliation package is imported lazily).

The local side is either NDJSON exports of contract records (``NdjsonSide``) or the local system
read through its adapter: every record is read, mapped and validated as the bridge would send it,
and the accepted contract records are held in memory (``MemorySide``) for the cycle. The national
side is the signed query API (``NationalApiSide``).
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from .config import TRACKS, ConfigError, LocalConfig, NationalConfig
from .cycle import Engine

__all__ = ["TrackedSide", "adapter_records", "default_engine", "local_side", "national_side", "read_tracks"]


_RESOURCE_OF_KIND = {
    "ledger": "ledger-records",
    "manifest": "manifests",
    "operation": "operation-records",
    "label": "labels",
    "track": TRACKS,
}


class TrackedSide:
    """A local side and the local tracks of its manifests (fixes by manifest local ref)."""

    def __init__(self, side: Any, tracks: dict[str, list[dict[str, Any]]]) -> None:
        self.side, self.name, self.tracks = side, side.name, tracks

    def digests(self, resource: str, buckets: Any = None) -> Any:
        """The wrapped side's digests."""
        return self.side.digests(resource, buckets)

    def records(self, resource: str, buckets: Any) -> Any:
        """The wrapped side's records."""
        return self.side.records(resource, buckets)


def _add_batch(tracks: dict[str, list[dict[str, Any]]], batch: dict[str, Any]) -> None:
    tracks.setdefault(str(batch["manifest_no"]), []).extend(batch.get("points") or [])


def read_tracks(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Fixes by manifest local ref from an NDJSON file of ``TrackBatch`` lines (``manifest_no`` = local ref)."""
    tracks: dict[str, list[dict[str, Any]]] = {}
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                _add_batch(tracks, json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"local.files.{TRACKS}: line {n} of {path} is not a track batch: {exc}") from None
    return tracks


def adapter_records(config: LocalConfig) -> dict[str, list[dict[str, Any]]]:
    """The local system's records in contract form (plain JSON values) by resource, read through the adapter.

    Track batches (kind ``track``: ``TrackBatch`` with ``manifest_no`` = the manifest's local ref) are
    under ``tracks``.

    Records the translator rejects are left out: they are the bridge's dead letters (``hazlink sync
    status`` lists them), not records the national side could hold.
    """
    from adapters import ConfigurationError, Translator
    from adapters.bridge.runner import build_adapter
    from adapters.translate import Accepted

    assert config.profile and config.source
    out: dict[str, list[dict[str, Any]]] = {}
    with ExitStack() as stack:
        try:
            adapter = build_adapter(config.profile, config.source, dict(config.settings), stack)
        except ConfigurationError as exc:
            raise ConfigError(f"local.profile: {exc}") from None
        translator = Translator(adapter.profile())
        for result in translator.translate(adapter.read(None)):
            resource = _RESOURCE_OF_KIND.get(result.kind) if isinstance(result, Accepted) else None
            if isinstance(result, Accepted) and resource:
                out.setdefault(resource, []).append(json.loads(result.to_json()))
    return out


def local_side(config: LocalConfig) -> Any:
    """The local side of one cycle (read afresh: the local system changes between cycles).

    With local tracks (a ``tracks`` file, or track batches from the adapter) it is a
    :class:`TrackedSide`, and the cycle compares the manifests' tracks.
    """
    from conformance.reconcile import sides

    if config.files:
        missing = [str(f) for f in config.files.values() if not f.is_file()]
        if missing:
            raise ConfigError(f"local.files: no such file: {', '.join(missing)}")
        files = {r: f for r, f in config.files.items() if r != TRACKS}
        side: Any = sides.NdjsonSide(files, name=config.name)
        return TrackedSide(side, read_tracks(config.files[TRACKS])) if TRACKS in config.files else side
    records = adapter_records(config)
    batches = records.pop(TRACKS, None)
    side = sides.MemorySide(records, name=config.name)
    if batches is None:
        return side
    tracks: dict[str, list[dict[str, Any]]] = {}
    for batch in batches:
        _add_batch(tracks, batch)
    return TrackedSide(side, tracks)


def national_side(config: NationalConfig, stack: ExitStack) -> Any:
    """The national query API, signed with the app key and the secret from its file."""
    from conformance.reconcile.national import NationalApiSide
    from contracts.signing import SigningAuth

    auth = SigningAuth(config.app_key, config.secret())
    client = stack.enter_context(httpx.Client(base_url=config.base_url, timeout=config.timeout_seconds))
    return NationalApiSide(client, auth, name=config.name, units=config.units)


def default_engine() -> Engine:
    """The reconciliation engine of ``conformance.reconcile``, its timeliness rules and the track comparison."""
    from conformance.reconcile.engine import reconcile

    from .timely import overdue_items, track_differences

    return Engine(reconcile=reconcile, overdue=overdue_items, tracks=track_differences)
