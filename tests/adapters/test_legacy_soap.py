"""The legacy-soap adapter: zeep over an injected client, token renewal, safe XML, errors by what to do."""

from __future__ import annotations

import httpx
import pytest

from adapters import (
    Accepted,
    Bookmark,
    ConfigurationError,
    FatalSyncError,
    RetriableSyncError,
    Translator,
    UnsafeXMLError,
)
from adapters.legacy_soap import HttpxTransport, LegacySoapAdapter
from mocks.local import Generator, legacy_soap

from .conftest import SOAP_CONFIG

EVIL_REPLY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<getTokenResponse xmlns="http://ws.gfxt.local/"><token>&b;</token></getTokenResponse></soap:Body></soap:Envelope>"""


def test_reads_manifests_then_tracks_with_soap_call_positions(soap_system, soap_client, now) -> None:  # type: ignore[no-untyped-def]
    soap_system.seed(Generator(21), manifests=7, points=2)
    got = list(LegacySoapAdapter({**SOAP_CONFIG, "page_size": 3}, client=soap_client, clock=now).read(None))
    streams = [r.stream for r in got]
    assert streams == sorted(streams, key=["manifest", "track"].index)
    assert streams.count("manifest") == 7
    first = got[0].position
    assert first.call is not None and first.call.startswith("queryLdxx(") and first.index == 1
    assert str(first).startswith("http://legacy.test/edpgf_ws/servicesx/TranService call queryLdxx(")
    # By default lxml reads the records: text, as saved responses give it
    assert type(got[0].data["fwxx"][0]["zl"]).__name__ == "str"
    # payload = "typed": zeep gives typed values, Decimal kilograms, int sequence numbers
    config = {**SOAP_CONFIG, "page_size": 3, "payload": "typed"}
    typed = list(LegacySoapAdapter(config, client=soap_client, clock=now).read(None))
    assert [r.position for r in typed] == [r.position for r in got]
    assert type(typed[0].data["fwxx"][0]["zl"]).__name__ == "Decimal"


def test_resumes_from_a_bookmark(soap_system, soap_client, now) -> None:  # type: ignore[no-untyped-def]
    soap_system.seed(Generator(22), manifests=6, points=0)
    first = list(LegacySoapAdapter({**SOAP_CONFIG, "page_size": 4}, client=soap_client, clock=now).read(None))
    bookmark = Bookmark()
    for r in first[:4]:
        bookmark = bookmark.advanced(r)
    rest = list(LegacySoapAdapter(SOAP_CONFIG, client=soap_client, clock=now).read(bookmark))
    assert [r.data["ldbh"] for r in rest] == [r.data["ldbh"] for r in first[4:]]


def test_an_expired_token_is_renewed_once(soap_system, soap_client, now) -> None:  # type: ignore[no-untyped-def]
    soap_system.seed(Generator(23), manifests=2, points=0)
    reader = LegacySoapAdapter(SOAP_CONFIG, client=soap_client, clock=now)
    assert len(list(reader.read(None))) == 2
    soap_system.tokens.clear()  # the service restarted and forgot every token
    assert len(list(reader.read(None))) == 2


def test_wrong_credentials_are_fatal(soap_client, now) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FatalSyncError, match="02"):
        list(LegacySoapAdapter({**SOAP_CONFIG, "password": "x"}, client=soap_client, clock=now).read(None))


def test_a_reply_with_a_dtd_is_refused_not_parsed(now) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=EVIL_REPLY, headers={"Content-Type": "text/xml"})
    )
    with httpx.Client(transport=transport) as client, pytest.raises(UnsafeXMLError):
        list(LegacySoapAdapter(SOAP_CONFIG, client=client, clock=now).read(None))


def test_a_wsdl_with_a_dtd_is_refused(tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    wsdl = (legacy_soap.WSDL.read_text(encoding="utf-8")).replace(
        "<wsdl:definitions", '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<wsdl:definitions', 1
    )
    (tmp_path / "evil.wsdl").write_text(wsdl, encoding="utf-8")
    with httpx.Client() as client, pytest.raises(UnsafeXMLError):
        LegacySoapAdapter({**SOAP_CONFIG, "wsdl": str(tmp_path / "evil.wsdl")}, client=client)


@pytest.mark.parametrize(("status", "error"), [(503, RetriableSyncError), (404, FatalSyncError)])
def test_http_errors_by_what_to_do(status: int, error: type[Exception], now) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.MockTransport(lambda request: httpx.Response(status))
    with httpx.Client(transport=transport) as client, pytest.raises(error):
        list(LegacySoapAdapter(SOAP_CONFIG, client=client, clock=now).read(None))


def test_connection_failures_are_retriable(now) -> None:  # type: ignore[no-untyped-def]
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with httpx.Client(transport=httpx.MockTransport(fail)) as client, pytest.raises(RetriableSyncError):
        list(LegacySoapAdapter(SOAP_CONFIG, client=client, clock=now).read(None))


def test_a_zeep_transport_can_be_injected_directly(soap_system, soap_client, now) -> None:  # type: ignore[no-untyped-def]
    soap_system.seed(Generator(24), manifests=1, points=0)
    reader = LegacySoapAdapter(SOAP_CONFIG, client=HttpxTransport(soap_client), clock=now)
    assert len(list(reader.read(None))) == 1


def test_the_wsdl_is_served_with_the_callers_address(soap_client) -> None:  # type: ignore[no-untyped-def]
    text = soap_client.get(legacy_soap.PATH + "?wsdl").text
    assert 'location="http://legacy.test/edpgf_ws/servicesx/TranService"' in text


def test_no_client_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="zeep Transport"):
        LegacySoapAdapter(SOAP_CONFIG)


def test_the_lxml_payload_mode_gives_the_same_records_as_the_typed_one(soap_system, soap_client, now) -> None:  # type: ignore[no-untyped-def]
    soap_system.seed(Generator(25), manifests=6, points=2)
    translator = Translator(LegacySoapAdapter.profile())
    outputs = []
    for payload in ("typed", "lxml"):
        adapter = LegacySoapAdapter({**SOAP_CONFIG, "page_size": 4, "payload": payload}, client=soap_client, clock=now)
        results = list(translator.translate(adapter.read(None)))
        assert all(isinstance(r, Accepted) for r in results)
        outputs.append([(r.record.position.call, r.to_json()) for r in results if isinstance(r, Accepted)])
    assert outputs[0] == outputs[1]
    assert sum(1 for call, _ in outputs[0] if call and call.startswith("queryLdxx")) == 6


def test_the_lxml_payload_mode_renews_tokens_and_refuses_dtds(soap_system, soap_client, now) -> None:  # type: ignore[no-untyped-def]
    soap_system.seed(Generator(26), manifests=2, points=0)
    reader = LegacySoapAdapter({**SOAP_CONFIG, "payload": "lxml"}, client=soap_client, clock=now)
    assert len(list(reader.read(None))) == 2
    soap_system.tokens.clear()
    assert len(list(reader.read(None))) == 2
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200,
            content=EVIL_REPLY if b"getToken" not in request.content else legacy_soap.envelope(_token_reply()),
            headers={"Content-Type": "text/xml"},
        )
    )
    with httpx.Client(transport=transport) as client, pytest.raises(UnsafeXMLError):
        list(LegacySoapAdapter({**SOAP_CONFIG, "payload": "lxml"}, client=client, clock=now).read(None))


def _token_reply() -> object:
    from lxml import etree

    return etree.fromstring(b'<getTokenResponse xmlns="http://ws.gfxt.local/"><token>t</token></getTokenResponse>')
