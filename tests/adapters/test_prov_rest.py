"""The prov-rest adapter against the reference platform: window pulls, resumption, errors by what to do."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from adapters import Bookmark, ConfigurationError, FatalSyncError, RetriableSyncError
from adapters.prov_rest import ProvRestAdapter
from mocks.local import Generator
from mocks.local.prov_rest import render_manifest


def adapter(client: httpx.Client, now: object, **config: object) -> ProvRestAdapter:
    return ProvRestAdapter({"token": "demo-token", **config}, client=client, clock=now)  # type: ignore[arg-type]


def keys(records: list) -> list[str]:  # type: ignore[type-arg]
    return [r.data.get("ldbh", "") + "/" + r.data.get("dwsj", "") for r in records]


def test_reads_every_record_once_in_cursor_order_across_pages(prov_system, prov_client, now) -> None:  # type: ignore[no-untyped-def]
    prov_system.seed(Generator(1), manifests=9, points=2)
    got = list(adapter(prov_client, now, page_size=4).read(None))
    manifests = [r for r in got if r.stream == "manifest"]
    assert len(manifests) == 9 and len(set(keys(manifests))) == 9
    cursors = [(r.cursor[1]["t"], r.cursor[1]["key"]) for r in got if r.stream == "manifest"]
    assert cursors == sorted(cursors)
    assert all(r.position.page and r.position.index for r in got)
    assert "MODIFYRQ_KS=" in got[0].position.source


def test_a_bookmark_resumes_after_the_last_acknowledged_record(prov_system, prov_client, saved_clock, now) -> None:  # type: ignore[no-untyped-def]
    gen = Generator(2)
    prov_system.seed(gen, manifests=5, points=0)
    first = list(adapter(prov_client, now, page_size=2).read(None))
    bookmark = Bookmark()
    for record in first[:3]:  # only three were acknowledged before a crash
        bookmark = bookmark.advanced(record)
    bookmark = Bookmark.from_json(bookmark.to_json())
    again = list(adapter(prov_client, now, page_size=2).read(bookmark))
    assert keys(again) == keys(first[3:])
    for record in again:
        bookmark = bookmark.advanced(record)
    # later, one new manifest and one modified one
    saved_clock.now += timedelta(minutes=5)
    now.now += timedelta(minutes=5)
    fresh = gen.manifest()
    prov_system.save("ldxx", render_manifest(fresh))
    prov_system.save("ldxx", dict(first[0].data))
    later = list(adapter(prov_client, now).read(bookmark))
    assert sorted(keys(later)) == sorted([fresh["manifest_no"] + "/", keys(first)[0]])


def test_a_record_modified_during_a_pull_does_not_hide_another(prov_system, prov_client, saved_clock, now) -> None:  # type: ignore[no-untyped-def]
    # Paging by number would skip a record when one on an earlier page leaves the window mid-pull.
    gen = Generator(3)
    for _ in range(6):
        saved_clock.now = saved_clock.now + timedelta(seconds=1)
        prov_system.save("ldxx", render_manifest(gen.manifest()))
    reader = adapter(prov_client, now, page_size=2).read(None)
    seen = [next(reader), next(reader)]
    saved_clock.now = now.now + timedelta(minutes=10)  # modified after the window end
    prov_system.save("ldxx", dict(seen[0].data))
    seen += list(reader)
    assert len(set(keys(seen))) == 6  # paging by number would have lost one


def test_window_end_leaves_a_settle_time(prov_system, prov_client, saved_clock, now) -> None:  # type: ignore[no-untyped-def]
    prov_system.seed(Generator(4), manifests=1, points=0)
    now.now = saved_clock.now + timedelta(seconds=1)
    assert list(adapter(prov_client, now, settle_seconds=2.0).read(None)) == []
    assert len(list(adapter(prov_client, now, settle_seconds=0.0).read(None))) == 1


def test_a_refused_token_is_fatal(prov_client, now) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FatalSyncError, match="token无效"):
        list(ProvRestAdapter({"token": "wrong"}, client=prov_client, clock=now).read(None))


@pytest.mark.parametrize(
    ("status", "error"), [(503, RetriableSyncError), (429, RetriableSyncError), (401, FatalSyncError)]
)
def test_http_status_decides_retry_or_stop(status: int, error: type[Exception], now) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.MockTransport(lambda request: httpx.Response(status, headers={"Retry-After": "7"}))
    with httpx.Client(transport=transport, base_url="http://prov.test") as client, pytest.raises(error) as err:
        list(adapter(client, now).read(None))
    if status == 429:
        assert err.value.retry_after == 7.0  # type: ignore[attr-defined]


def test_network_failures_are_retriable(now) -> None:  # type: ignore[no-untyped-def]
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = httpx.MockTransport(fail)
    with (
        httpx.Client(transport=transport, base_url="http://prov.test") as client,
        pytest.raises(RetriableSyncError) as err,
    ):
        list(adapter(client, now).read(None))
    assert isinstance(err.value.__cause__, httpx.ConnectError)


def test_a_reply_that_is_not_json_is_fatal(now) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>维护中</html>"))
    with httpx.Client(transport=transport, base_url="http://prov.test") as client, pytest.raises(FatalSyncError):
        list(adapter(client, now).read(None))


def test_a_record_without_its_cursor_is_yielded_with_a_problem(now) -> None:  # type: ignore[no-untyped-def]
    body = {"success": True, "obj": [{"ldbh": "20241306000123"}], "pages": 1}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with httpx.Client(transport=transport, base_url="http://prov.test") as client:
        got = list(adapter(client, now, interfaces={"manifest": "ldxx"}).read(None))
    assert got[0].problem is not None and got[0].problem.code == "input.no_cursor" and got[0].cursor is None


def test_configuration_is_checked_and_secrets_are_not_shown(prov_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match="did you mean 'page_size'"):
        ProvRestAdapter({"token": "t", "pagesize": 10}, client=prov_client)
    with pytest.raises(ConfigurationError, match="required"):
        ProvRestAdapter({}, client=prov_client)
    with pytest.raises(ConfigurationError) as err:
        ProvRestAdapter({"token": 12345}, client=prov_client)
    assert "12345" not in str(err.value)
    with pytest.raises(ConfigurationError, match=r"httpx\.Client"):
        ProvRestAdapter({"token": "t"})
