"""Gaps found in the mock's label issuing (the rest is covered by tests/mocks/test_labels.py)."""

from __future__ import annotations

import asyncio

import httpx

from contracts.identifiers import LabelIdScheme
from contracts.signing import SigningAuth
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from tests.labels.conftest import SECRET, label_body


def test_mock_issues_37_characters_with_a_custom_split() -> None:
    scheme = LabelIdScheme(unit=18, waste=8, day=6, sequence=5)  # YYMMDD and a 5-digit sequence
    app = create_app(config=MockConfig(label_scheme=scheme))
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key="labels", secret=SECRET, scope="*")]))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def issue() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://mock", auth=SigningAuth("labels", SECRET)
        ) as c:
            return await c.post("/api/v1/labels", json=label_body(), headers={"Idempotency-Key": "custom-1"})

    resp = asyncio.run(issue())
    assert resp.status_code == 201, resp.text
    label_id = resp.json()["label_id"]
    assert len(label_id) == 37
    assert label_id[26:32] == "240315"
    assert label_id[32:] == "00001"
