"""Fixtures for label tests: sample labels per size class and a served, seeded mock national API."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from conformance.labels import DPI, NationalLabels, layout, to_image
from contracts import Label
from contracts.signing import SigningAuth
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.server import running

SHIPPER = "91320576MA1MXK3Q7M"
OTHER_UNIT = "91320612MA1NH0KR2W"
SECRET = "secret-labels"
VOLUMES = {"S": "20", "M": "200", "L": "1000"}


def sample_labels() -> list[dict[str, Any]]:
    text = resources.files("contracts").joinpath("samples", "labels.ndjson").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def label_body(**changes: Any) -> dict[str, Any]:
    """The first sample label as a unit asks for it (no national fields)."""
    body = copy.deepcopy(sample_labels()[0])
    for k in ("label_id", "qr_payload", "issued_at"):
        body.pop(k)
    body.update(changes)
    return body


def sample_label(**changes: Any) -> Label:
    return Label.model_validate(sample_labels()[0] | changes)


@pytest.fixture(scope="session")
def national_url() -> Iterator[str]:
    app = create_app(config=MockConfig())
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key="labels", secret=SECRET, scope="*")]))
    with running(app) as url:
        yield url


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


@pytest.fixture
def signed(national_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=national_url, auth=SigningAuth("labels", SECRET), timeout=10) as c:
        yield c


@pytest.fixture
def lookup(signed: httpx.Client) -> NationalLabels:
    return NationalLabels(signed)


_keys = iter(range(1, 1_000_000))


def issue(client: httpx.Client, **changes: Any) -> Label:
    """Ask the mock for a label; returns the national record."""
    resp = client.post("/api/v1/labels", json=label_body(**changes), headers={"Idempotency-Key": f"lbl-{next(_keys)}"})
    assert resp.status_code == 201, resp.text
    return Label.model_validate(resp.json())


@pytest.fixture(scope="session")
def issued(national_url: str) -> dict[str, Label]:
    """One issued label per size class (the same sample at 20 L, 200 L and 1000 L)."""
    with httpx.Client(base_url=national_url, auth=SigningAuth("labels", SECRET), timeout=10) as c:
        return {name: issue(c, container_volume_l=v) for name, v in VOLUMES.items()}


def weight_painted_over(record: Label) -> Image.Image:
    """``record`` rendered, then its weight painted over with the background and "9.9 吨" written, as an editor would."""
    lay = layout(record)
    img = to_image(lay)
    box = lay.block("weight").box
    k = DPI / 25.4
    draw = ImageDraw.Draw(img)
    draw.rectangle((box.x * k + 200, box.y * k, (box.x + box.w) * k, (box.y + box.h) * k), fill=(255, 150, 0))
    baseline = lay.block("weight").lines[0].y
    draw.text((box.x * k + 260, baseline * k), "9.9 吨", fill=(0, 0, 0), font=lay.font.at(5 * k), anchor="ls")
    return img
