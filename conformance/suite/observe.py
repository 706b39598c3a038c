"""Observe-only certification: reconcile a vendor's own traffic against the vendor's local export.

No driver: the suite starts the mock national API on loopback with a credential for the vendor, the
vendor points its own integration at it and runs its usual traffic, and then hands over what its
local system holds (an export its mapping profile reads). The export is the local truth: every record
in it must have reached the national side exactly once, accurately, in time (measured from the
record's own business time: ``occurred_at``, ``created_at``, ``dispatched_at``, ``received_at``...),
in legal order, with complete tracks; the same checks as a driven run judge it. Checks that need
a played fault (outage backlog, Retry-After) are skipped unless the vendor's traffic met one.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.translate import Accepted, Translator
from mappings import load_profile
from mocks.local import TZ
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.server import running

from .context import Context, Expectation, observe
from .driver import Session
from .judge import judge
from .model import Waiver
from .profiles import PROFILES, Profile
from .runner import SUITE_KEY, RunArtifacts, _collect, _National, make_identity
from .scenario import Scenario

__all__ = ["ObservedTruth", "certify_observed", "truth_from_export"]

_TIMES = {"submit": "created_at", "dispatch": "dispatched_at", "receive": "received_at", "reject": "received_at"}


@dataclass
class ObservedTruth:
    """What the vendor's local export says must be national: records, expected effects, tracks."""

    truth: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    expectations: list[Expectation] = field(default_factory=list)
    tracks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejected: int = 0


def _epoch(value: Any) -> float:
    return datetime.fromisoformat(str(value)).timestamp()


def truth_from_export(mapping: str, paths: Iterable[Path]) -> ObservedTruth:
    """Translate the export with the vendor's mapping profile into the local truth (rejected rows counted)."""
    files: list[Path] = []
    for p in paths:
        files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    out = ObservedTruth()
    for item in Translator(load_profile(mapping)).translate_files(files):
        if not isinstance(item, Accepted):
            out.rejected += 1
            continue
        rec = json.loads(item.to_json())
        if item.kind == "ledger":
            key = f"{rec['unit_uscc']}/{rec['kind']}/{rec['batch_code']}"
            _add(
                out,
                "ledger-records",
                key,
                rec,
                f"ledger-records/{key}",
                f"ledger:{rec['unit_uscc']}",
                rec["occurred_at"],
            )
        elif item.kind == "operation":
            key = f"{rec['license_no']}/{rec['record_id']}"
            _add(out, "operation-records", key, rec, f"operation-records/{key}", "operations", rec["occurred_at"])
        elif item.kind == "operation-report":
            key = f"{rec['license_no']}/{rec['period_type']}/{rec['period']}"
            _add(out, "operation-reports", key, rec, f"operation-reports/{key}", "operations", rec["submitted_at"])
        elif item.kind == "manifest":
            _manifest(out, rec)
        elif item.kind == "track":
            out.tracks.setdefault(rec["manifest_no"], []).extend(rec["points"])
    return out


def _add(out: ObservedTruth, resource: str, key: str, rec: dict[str, Any], event: str, group: str, at: Any) -> None:
    if key in out.truth.get(resource, {}):
        return  # a later export of the same record: the last one is the truth, the effect is one
    out.truth.setdefault(resource, {})[key] = rec
    out.expectations.append(Expectation("observed", event, group, _epoch(at)))


def _manifest(out: ObservedTruth, m: dict[str, Any]) -> None:
    ref = m["manifest_no"]
    out.truth.setdefault("manifests", {})[ref] = m
    out.expectations = [e for e in out.expectations if not e.event.startswith(f"manifest/{ref}/")]
    status = m["status"]
    steps = ["create"]
    if status != "draft":
        steps.append("submit")
    if status in ("in_transit", "received", "rejected"):
        steps.append("dispatch")
    steps += {"received": ["receive"], "rejected": ["reject"], "cancelled": ["cancel"]}.get(status, [])
    if status == "cancelled" and "submit" in steps and not m.get("dispatched_at"):
        pass  # a cancelled manifest may or may not have been submitted; both are legal
    for step in steps:
        at = m.get(_TIMES.get(step, "created_at")) or m["created_at"]
        out.expectations.append(Expectation("observed", f"manifest/{ref}/{step}", f"manifest:{ref}", _epoch(at)))


def certify_observed(
    mapping: str,
    export: list[Path],
    traffic: Callable[[Session], None],
    *,
    profile: Profile | None = None,
    seed: SeedIn | None = None,
    port: int = 0,
    waivers: list[Waiver] | None = None,
    sut_name: str = "observed",
) -> RunArtifacts:
    """Start the mock, let ``traffic(session)`` run the vendor's integration against it, then judge the export.

    ``traffic`` returns when the vendor's traffic is over (the command line waits for Enter or a
    duration); the export is read afterwards, so it may be written while the traffic runs.
    """
    prof = profile or PROFILES["default"]
    run_id = uuid.uuid4().hex[:16]
    key, secret = "vendor", secrets.token_hex(24)
    token, query_secret = secrets.token_hex(16), secrets.token_hex(24)
    app = create_app(config=MockConfig(control=True, control_token=token))
    state = app.state.national
    load(state.store, seed or demo_seed())
    creds = [CredentialIn(app_key=key, secret=secret), CredentialIn(app_key=SUITE_KEY, secret=query_secret)]
    load(state.store, SeedIn(credentials=creds))
    started = datetime.now(TZ)
    with running(app, port=port) as url:
        traffic(Session(run_id=run_id, national_url=url, app_key=key, app_secret=secret))
        local = truth_from_export(mapping, export)
        nat = _National(url, token, query_secret)
        try:
            nat.refresh()
            nat.resolve_aliases()
            national = _collect(nat, local, state)  # type: ignore[arg-type]
            tracks_national = {
                ref: nat.listing(f"/manifests/{no}/tracks") for no, ref in nat.aliases.items() if ref in local.tracks
            }
        finally:
            nat.http.close()
    observed, appends = observe(nat.journal, key, nat.aliases)
    ctx = Context(
        profile=prof,
        app_key=key,
        secret=secret,
        expectations=local.expectations,
        observed=observed,
        journal=nat.journal,
        truth=local.truth,
        national=national,
        tracks_truth=local.tracks,
        tracks_national=tracks_national,
        track_events={},
        sites={},
        outages=[],
        outcome_findings=[],
        event_failures=[],
        track_appends=appends,
    )
    identity = make_identity(run_id, sut_name, mapping, prof, "observe", 0, started)
    whole = Scenario.model_validate(
        {
            "name": "observed",
            "title_zh": "观察到的业务流量",
            "title_en": "Observed traffic",
            "steps": [{"settle": True}],
        }
    )
    result, diffs = judge(ctx, identity, [whole], {"observed": (0.0, len(local.expectations))}, waivers or [])
    result.identity.finished_at = datetime.now(TZ)
    if local.rejected:
        result.harness_errors.append(f"{local.rejected} record(s) of the export did not map or validate")
    return RunArtifacts(result=result, journal=nat.journal, diffs=diffs, context=ctx)
