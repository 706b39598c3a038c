"""Building both sides and the engine from the configuration (the reconciliation package is imported lazily).

The local side is either NDJSON exports of contract records (``NdjsonSide``) or the local system
read through its adapter: every record is read, mapped and validated as the bridge would send it,
and the accepted contract records are held in memory (``MemorySide``) for the cycle. The national
side is the signed query API (``NationalApiSide``).
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import httpx

from .config import ConfigError, LocalConfig, NationalConfig
from .cycle import Engine

__all__ = ["adapter_records", "default_engine", "local_side", "national_side"]


_RESOURCE_OF_KIND = {
    "ledger": "ledger-records",
    "manifest": "manifests",
    "operation": "operation-records",
    "label": "labels",
}


def adapter_records(config: LocalConfig) -> dict[str, list[dict[str, Any]]]:
    """The local system's records in contract form (plain JSON values) by resource, read through the adapter.

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
    """The local side of one cycle (read afresh: the local system changes between cycles)."""
    from conformance.reconcile import sides

    if config.files:
        missing = [str(f) for f in config.files.values() if not f.is_file()]
        if missing:
            raise ConfigError(f"local.files: no such file: {', '.join(missing)}")
        return sides.NdjsonSide(dict(config.files), name=config.name)
    return sides.MemorySide(adapter_records(config), name=config.name)


def national_side(config: NationalConfig, stack: ExitStack) -> Any:
    """The national query API, signed with the app key and the secret from its file."""
    from conformance.reconcile.national import NationalApiSide
    from contracts.signing import SigningAuth

    auth = SigningAuth(config.app_key, config.secret())
    client = stack.enter_context(httpx.Client(base_url=config.base_url, timeout=config.timeout_seconds))
    return NationalApiSide(client, auth, name=config.name, units=config.units)


def default_engine() -> Engine:
    """The reconciliation engine of ``conformance.reconcile`` and its timeliness rules."""
    from conformance.reconcile.engine import reconcile

    from .timely import overdue_items

    return Engine(reconcile=reconcile, overdue=overdue_items)
