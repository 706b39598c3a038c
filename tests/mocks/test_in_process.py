"""The mock without a port: through httpx's ASGI transport and through a respx route."""

from __future__ import annotations

import asyncio

import httpx
import respx

from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.testing import SigningAuth, route_to, transport
from tests.mocks.conftest import draft_manifest


def _app():  # type: ignore[no-untyped-def]
    app = create_app(config=MockConfig(control=True))
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key="k", secret="secret-k-01", scope="*")]))
    return app


def test_asgi_transport_with_signing_auth_creates_a_manifest() -> None:
    app = _app()

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=transport(app), base_url="http://national", auth=SigningAuth("k", "secret-k-01")
        ) as c:
            return await c.post("/api/v1/manifests", json=draft_manifest(), headers={"Idempotency-Key": "one"})

    r = asyncio.run(go())
    assert r.status_code == 201, r.text
    assert app.state.national.store.count("manifests") == 1


def test_signing_auth_covers_the_query_string() -> None:
    app = _app()

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=transport(app),
            base_url="http://national",
            auth=SigningAuth("k", "secret-k-01", sign_method="HMAC-SHA256"),
        ) as c:
            return await c.get("/api/v1/ledger-records", params={"unit": "91320576MA1MXK3Q7M", "limit": "5"})

    r = asyncio.run(go())
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next_cursor": None}


def test_respx_route_sends_national_host_traffic_to_the_mock_and_records_it() -> None:
    app = _app()

    async def go() -> tuple[httpx.Response, httpx.Response]:
        with respx.mock(assert_all_called=True) as router:
            route = route_to(router, app, "https://gfxt.hazlink.example")
            async with httpx.AsyncClient(auth=SigningAuth("k", "secret-k-01")) as c:
                ok = await c.get("https://gfxt.hazlink.example/api/v1/units/91320576MA1MXK3Q7M")
                missing = await c.get("https://gfxt.hazlink.example/api/v1/units/91320576MA1MXK3Q70")
            assert route.call_count == 2
            return ok, missing

    ok, missing = asyncio.run(go())
    assert ok.status_code == 200 and ok.json()["name"] == "苏州华澄精细化工有限公司"
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
