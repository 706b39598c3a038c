"""Schemathesis against the running mock: every check, a fixed seed, every request signed.

The signature covers the exact bytes sent, so it is computed by a ``requests`` auth hook on the
prepared request, after schemathesis has serialised the generated case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from contracts.openapi import load_openapi
from contracts.signing import sign_headers
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.server import running

load_all_checks()
ALL_CHECKS = [c for c in CHECKS.get_all() if callable(c) and not isinstance(c, type)]
# A schema cannot say that a licence covers a code or that a transition is legal, so a schema-valid
# request may be refused by a business rule (409/422) or miss a record (404): those are accepted answers.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}}}
)
schema = schemathesis.openapi.from_dict(load_openapi(), config=CONFIG)


class HzAuth(requests.auth.AuthBase):
    """Signs a prepared request as the mock expects."""

    def __init__(self, app_key: str, secret: str) -> None:
        self.app_key = app_key
        self.secret = secret

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        # Sign only what carries our key: schemathesis probes without credentials, or with invented
        # ones, must reach the mock unsigned and be refused.
        if r.headers.get("X-Hz-AppKey") != self.app_key:
            return r
        parts = urlsplit(r.url or "")
        body = r.body if isinstance(r.body, bytes) else (r.body or "").encode()
        r.headers.update(
            sign_headers(
                app_key=self.app_key,
                secret=self.secret,
                method=r.method or "GET",
                path=parts.path,
                query=parts.query,
                body=body,
            )
        )
        return r


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    app = create_app(config=MockConfig(rate_per_second=1e6, burst=10**6))
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key="fuzz", secret="fuzz-secret-1", scope="*")]))
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.auth = HzAuth("fuzz", "fuzz-secret-1")
        yield s


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_mock_conforms_to_its_openapi_document(case: Any, served: str, session: requests.Session) -> None:
    case.call_and_validate(base_url=served, session=session, checks=ALL_CHECKS, headers={"X-Hz-AppKey": "fuzz"})
