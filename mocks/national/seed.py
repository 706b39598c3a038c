"""Loading reference data and credentials, and the demo data set of ``--seed``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field

from contracts import License, TransferApproval, Unit

from .auth import Credential, Scope
from .store import Store


class CredentialIn(BaseModel):
    """A credential as ``POST /_mock/seed`` takes it."""

    app_key: str = Field(min_length=1, max_length=64)
    secret: str = Field(min_length=8, max_length=256)
    scope: str = "*"


class SeedIn(BaseModel):
    """Reference data and credentials to load."""

    units: list[Unit] = Field(default_factory=list)
    licenses: list[License] = Field(default_factory=list)
    approvals: list[TransferApproval] = Field(default_factory=list)
    credentials: list[CredentialIn] = Field(default_factory=list)


def load(store: Store, seed: SeedIn) -> dict[str, int]:
    """Store everything in ``seed``; returns counts."""
    for u in seed.units:
        store.put_refdata("unit", u.uscc, u.model_dump_json())
    for lic in seed.licenses:
        store.put_refdata("license", lic.number, lic.model_dump_json())
    for ap in seed.approvals:
        store.put_refdata("approval", ap.number, ap.model_dump_json())
    for c in seed.credentials:
        store.put_credential(Credential(c.app_key, c.secret, Scope.parse(c.scope)))
    return {
        "units": len(seed.units),
        "licenses": len(seed.licenses),
        "approvals": len(seed.approvals),
        "credentials": len(seed.credentials),
    }


def _sample(name: str) -> list[dict[str, Any]]:
    text = resources.files("contracts").joinpath("samples", name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def demo_seed() -> SeedIn:
    """The shipped sample units, licences and approvals: a 苏州 shipper, a 南通 disposal centre, a 嘉兴 plant."""
    units = [Unit.model_validate(u) for u in _sample("units.ndjson")]
    manifest = json.loads(resources.files("contracts").joinpath("samples", "manifest.json").read_text(encoding="utf-8"))
    cross = _sample("manifests.ndjson")[1]
    for party, cls in ((manifest["carriers"][0], "registered"), (cross["receiver"], "key")):
        fields = {k: party[k] for k in ("uscc", "name", "region_code", "address", "contact")}
        units.append(Unit.model_validate({**fields, "management_class": cls}))
    licences = [License.model_validate(x) for x in _sample("licenses.ndjson")]
    licences.append(
        License.model_validate(
            {
                "number": cross["receiver_license_no"],
                "holder_uscc": cross["receiver"]["uscc"],
                "holder_name": cross["receiver"]["name"],
                "license_type": "comprehensive",
                "categories": ["HW08", "HW49"],
                "methods": ["R9", "R15", "D10"],
                "annual_scale_t": "20000",
                "valid_from": "2023-01-01",
                "valid_to": "2027-12-31",
                "status": "valid",
            }
        )
    )
    approvals = [TransferApproval.model_validate(x) for x in _sample("approvals.ndjson")]
    return SeedIn(units=units, licenses=licences, approvals=approvals)
