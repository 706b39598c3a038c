"""Authentication: every 401 with its own code, query canonicalisation, and the order of the checks."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from contracts.signing import HEADER_APP_KEY, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign_headers
from tests.mocks.conftest import SHIPPER, Control, assert_findings, assert_problem, draft_manifest
from tests.mocks.national_client import Caller

UNIT = f"/api/v1/units/{SHIPPER}"
NONCE = "A1b2C3d4E5f6G7h8"  # 16 characters


def assert_401(resp: httpx.Response, code: str) -> None:
    assert_problem(resp, 401, code)
    assert resp.headers["www-authenticate"].startswith("HzSignature")


@pytest.mark.parametrize("header", [HEADER_APP_KEY, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE])
def test_each_missing_header_is_auth_missing(shipper: Caller, header: str) -> None:
    assert_401(shipper.request("GET", UNIT, drop=[header]), "auth.missing")


def test_no_headers_at_all_is_auth_missing(client: httpx.Client) -> None:
    assert_401(client.get(UNIT), "auth.missing")


def test_unknown_app_key(client: httpx.Client) -> None:
    assert_401(Caller(client, "nobody", "secret-nobody").get(UNIT), "auth.unknown_key")


@pytest.mark.parametrize("skew", [-305, 305, -3600, 3600])
def test_timestamp_outside_window(shipper: Caller, skew: int) -> None:
    assert_401(shipper.request("GET", UNIT, timestamp=int(time.time()) + skew), "auth.timestamp")


@pytest.mark.parametrize("skew", [-290, 290])
def test_timestamp_inside_window(shipper: Caller, skew: int) -> None:
    assert shipper.request("GET", UNIT, timestamp=int(time.time()) + skew).status_code == 200


@pytest.mark.parametrize("value", ["soon", str(int(time.time() * 1000)), "-1", ""])
def test_timestamp_not_unix_seconds(shipper: Caller, value: str) -> None:
    code = "auth.missing" if value == "" else "auth.timestamp"
    assert_401(shipper.request("GET", UNIT, headers={HEADER_TIMESTAMP: value}), code)


@pytest.mark.parametrize(
    "nonce",
    ["A1b2C3d4E5f6G7h", "x" * 65, "A1b2C3d4-5f6G7h8I9", "A1b2C3d4 5f6G7h8I9", "A1b2C3d4_5f6G7h8I9"],
    ids=["15-chars", "65-chars", "dash", "space", "underscore"],
)
def test_malformed_nonce(shipper: Caller, nonce: str) -> None:
    assert_401(shipper.request("GET", UNIT, nonce=nonce), "auth.nonce_invalid")


@pytest.mark.parametrize("nonce", ["A" * 16, "z9" * 32], ids=["16-chars", "64-chars"])
def test_nonce_length_limits_accepted(shipper: Caller, nonce: str) -> None:
    assert shipper.request("GET", UNIT, nonce=nonce).status_code == 200


def test_nonce_replayed_within_900_s(shipper: Caller, app: Any, mock: Control) -> None:
    ts = int(time.time())
    assert shipper.request("GET", UNIT, nonce=NONCE, timestamp=ts).status_code == 200
    # the very same signed request again, then the nonce on another request with a fresh signature
    assert_401(shipper.request("GET", UNIT, nonce=NONCE, timestamp=ts), "auth.nonce_replayed")
    assert_401(shipper.request("GET", "/api/v1/licenses/JS0612OOD567", nonce=NONCE), "auth.nonce_replayed")
    # a replayed POST writes nothing
    body = draft_manifest()
    assert shipper.post("/api/v1/manifests", body, nonce="P" * 20, idem="replay-1").status_code == 201
    assert_401(shipper.post("/api/v1/manifests", body, nonce="P" * 20, idem="replay-2"), "auth.nonce_replayed")
    assert mock.state()["manifests"] == 1
    store = app.state.national.store
    # 899 s later the nonce is still remembered; after 900 s it may be used again
    with store.tx() as db:
        db.execute("UPDATE nonces SET seen_at = ? WHERE nonce = ?", (time.time() - 899, NONCE))
    assert_401(shipper.request("GET", UNIT, nonce=NONCE), "auth.nonce_replayed")
    with store.tx() as db:
        db.execute("UPDATE nonces SET seen_at = ? WHERE nonce = ?", (time.time() - 901, NONCE))
    assert shipper.request("GET", UNIT, nonce=NONCE).status_code == 200


def test_nonces_are_per_app_key(shipper: Caller, receiver: Caller) -> None:
    assert shipper.request("GET", UNIT, nonce=NONCE).status_code == 200
    assert receiver.request("GET", "/api/v1/licenses/JS0612OOD567", nonce=NONCE).status_code == 200


def test_body_altered_after_signing(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    signed = draft_manifest()
    signed["local_ref"] = "SOMETHING-ELSE"
    resp = shipper.post("/api/v1/manifests", body, sign_body=json.dumps(signed, ensure_ascii=False).encode())
    assert_401(resp, "auth.signature")
    # a signature computed over no body at all does not cover a body either
    assert_401(shipper.post("/api/v1/manifests", body, sign_body=b""), "auth.signature")
    assert mock.state()["manifests"] == 0


def test_wrong_secret(client: httpx.Client) -> None:
    assert_401(Caller(client, "shipper", "secret-receiver").get(UNIT), "auth.signature")


def test_path_altered(shipper: Caller) -> None:
    assert_401(shipper.request("GET", UNIT, sign_path="/api/v1/units/" + "91320612MA1NH0KR2W"), "auth.signature")


def test_query_altered(shipper: Caller) -> None:
    resp = shipper.request("GET", "/api/v1/manifests", raw_query="limit=6", sign_query="limit=5")
    assert_401(resp, "auth.signature")
    # a parameter added after signing
    resp = shipper.request("GET", "/api/v1/manifests", raw_query="limit=5&unit=" + SHIPPER, sign_query="limit=5")
    assert_401(resp, "auth.signature")


def test_method_altered(client: httpx.Client) -> None:
    h = sign_headers(app_key="shipper", secret="secret-shipper", method="GET", path="/api/v1/manifests", body=b"{}")
    h["Idempotency-Key"] = "method-altered"
    assert_401(client.post("/api/v1/manifests", content=b"{}", headers=h), "auth.signature")


@pytest.mark.parametrize("method", ["HMAC-SHA1", "HMAC-MD5", "SM2", "hmac-sm3"])
def test_unsupported_sign_method(shipper: Caller, method: str) -> None:
    assert_401(shipper.request("GET", UNIT, headers={"X-Hz-Sign-Method": method}), "auth.sign_method")


def test_hmac_sha256_accepted(shipper: Caller) -> None:
    assert shipper.request("GET", UNIT, sign_method="HMAC-SHA256").status_code == 200
    created = shipper.post("/api/v1/manifests", draft_manifest(), sign_method="HMAC-SHA256")
    assert created.status_code == 201, created.text


def test_sha256_signature_without_its_method_header(shipper: Caller) -> None:
    resp = shipper.request("GET", UNIT, sign_method="HMAC-SHA256", drop=["X-Hz-Sign-Method"])
    assert_401(resp, "auth.signature")


def test_explicit_default_sign_method_accepted(shipper: Caller) -> None:
    assert shipper.request("GET", UNIT, headers={"X-Hz-Sign-Method": "HMAC-SM3"}).status_code == 200


CANONICAL = "kind=generate&limit=5&unit=91320576MA1MXK3Q7M"


@pytest.mark.parametrize(
    ("sent", "signed"),
    [
        ("unit=91320576MA1MXK3Q7M&limit=5&kind=generate", CANONICAL),
        (CANONICAL, "limit=5&unit=91320576MA1MXK3Q7M&kind=generate"),
        ("limit=5&unit=%39%31320576MA1MXK3Q7M&kind=gener%61te", CANONICAL),
        ("limit=5&kind=generate&unit=91320576MA1MXK3Q7M", "unit=%39%31320576MA1MXK3Q7M&kind=generate&limit=5"),
    ],
    ids=["reordered", "signed-reordered", "needless-escapes-sent", "needless-escapes-signed"],
)
def test_query_canonicalisation(shipper: Caller, sent: str, signed: str) -> None:
    """Parameters in any order, percent-encoded or not, sign the same as their canonical form."""
    reference = shipper.request("GET", "/api/v1/ledger-records", raw_query=CANONICAL)
    assert reference.status_code == 200, reference.text
    resp = shipper.request("GET", "/api/v1/ledger-records", raw_query=sent, sign_query=signed)
    assert resp.status_code == 200, resp.text
    assert resp.content == reference.content


@pytest.mark.parametrize(
    ("sent", "signed"),
    [
        ("kind=产生&limit=3", "limit=3&kind=%E4%BA%A7%E7%94%9F"),
        ("limit=3&kind=%E4%BA%A7%E7%94%9F", "kind=产生&limit=3"),
        ("kind=%e4%ba%a7%e7%94%9f&limit=3", "limit=3&kind=%E4%BA%A7%E7%94%9F"),
        ("kind=%E4%BA%A7+%E7%94%9F&limit=3", "limit=3&kind=产%20生"),
    ],
    ids=["raw-sent", "encoded-sent", "lowercase-hex", "plus-for-space"],
)
def test_chinese_query_values_sign_the_same_encoded_or_not(shipper: Caller, sent: str, signed: str) -> None:
    # kind=产生 is not a ledger kind: a 400 from the route shows the signature was accepted
    resp = shipper.request("GET", "/api/v1/ledger-records", raw_query=sent, sign_query=signed)
    assert_problem(resp, 400, "request.query")
    # while another Chinese value signed is refused
    resp = shipper.request("GET", "/api/v1/ledger-records", raw_query=sent, sign_query="kind=产出&limit=3")
    assert_401(resp, "auth.signature")


def test_chinese_path_is_signed_as_sent(shipper: Caller) -> None:
    resp = shipper.get("/api/v1/transfer-approvals/" + quote("苏环危转〔2024〕0131号"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["number"] == "苏环危转〔2024〕0131号"


def test_check_order(client: httpx.Client, shipper: Caller, zhejiang: Caller, mock: Control) -> None:
    wrong = Caller(client, "shipper", "not-the-secret")
    # bad signature and no Idempotency-Key: authentication first
    assert_401(wrong.post("/api/v1/manifests", draft_manifest(), drop=["Idempotency-Key"]), "auth.signature")
    # good signature, no key
    resp = shipper.post("/api/v1/manifests", draft_manifest(), drop=["Idempotency-Key"])
    assert_problem(resp, 400, "idempotency.missing")
    resp = shipper.post("/api/v1/manifests", {"not": "a manifest"}, drop=["Idempotency-Key"])
    assert_problem(resp, 400, "idempotency.missing")
    # key, bad body (even with a key whose scope would not cover it)
    bad = draft_manifest()
    del bad["receiver"]
    assert_findings(shipper.post("/api/v1/manifests", bad), ("schema.missing", "$.receiver"))
    assert_problem(zhejiang.post("/api/v1/manifests", bad), 422, "contract.invalid")
    # key, good body, scope that does not cover the shipper
    assert_problem(zhejiang.post("/api/v1/manifests", draft_manifest()), 403, "authz.scope")
    assert mock.state()["manifests"] == 0


@pytest.mark.parametrize(
    "key", ["x" * 256, "ключ".encode(), "tab\there"], ids=["too-long", "non-ascii", "control-char"]
)
def test_malformed_idempotency_key(shipper: Caller, key: str, mock: Control) -> None:
    resp = shipper.post("/api/v1/manifests", draft_manifest(), headers={"Idempotency-Key": key})
    assert_problem(resp, 400, "idempotency.invalid")
    assert mock.state()["manifests"] == 0


def test_longest_idempotency_key_accepted(shipper: Caller) -> None:
    assert shipper.post("/api/v1/manifests", draft_manifest(), idem="k" * 255).status_code == 201


def test_health_is_public(client: httpx.Client) -> None:
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_expired_nonces_are_purged_as_new_ones_arrive() -> None:
    from mocks.national.store import Store

    store = Store()
    now = time.time()
    assert store.remember_nonce("k", "old" * 6, now - 1000, 900)
    assert not store.remember_nonce("k", "old" * 6, now - 999, 900)  # a replay leaves the first time in place
    for i in range(999):
        assert store.remember_nonce("k", f"n{i:020d}", now, 900)
    kept = {r[0] for r in store.db.execute("SELECT nonce FROM nonces")}
    assert "old" * 6 not in kept and len(kept) == 999
