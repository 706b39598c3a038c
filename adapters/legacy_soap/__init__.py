"""``legacy-soap``: an old SOAP WebService (XFire era) read with zeep.

The WSDL is the profile's ``service.wsdl`` (read from disk: nothing is fetched), the endpoint comes
from the configuration, and the injected ``httpx.Client`` (or a zeep ``Transport``) carries the calls.
zeep parses with ``forbid_dtd``/``forbid_entities``/``forbid_external``: a reply with a DOCTYPE is
refused (``UnsafeXMLError``), not parsed. Saved responses are read by the lxml path instead (see
``adapters.files``), with the same mapping.

``payload = "lxml"`` (the default) keeps zeep for the calls (envelope, operation, WSDL, token, faults,
with the safe Settings) and reads the records of each reply with the safe one-pass lxml reader, the
same one saved responses go through. ``payload = "typed"`` lets zeep deserialise replies by the XSD
(Decimal kilograms, int sequence numbers); zeep's Python XSD walk costs about a millisecond per
manifest, about three times the whole lxml route, which is why it is not the default. The contract
records are identical either way (a test compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx
from zeep import Client, Transport
from zeep.exceptions import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden, Fault, TransportError
from zeep.exceptions import Error as ZeepError
from zeep.helpers import serialize_object

from mappings import PROFILES_DIR
from mappings.transforms.times import zone

from ..base import BaseAdapter, Bookmark, Setting, SourceRecord
from ..errors import ConfigurationError, DataError, FatalSyncError, RetriableSyncError, UnsafeXMLError
from ..window import Page, WindowPull, window_end
from ..xmlsafe import element_to_dict, parse_bytes, zeep_settings
from ._transport import HttpxTransport

__all__ = ["BINDING", "HttpxTransport", "LegacySoapAdapter"]

NAMESPACE = "http://ws.gfxt.local/"
BINDING = f"{{{NAMESPACE}}}TranServiceBinding"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TIME_FORMAT = "%Y%m%d%H%M%S"
_OPERATIONS = {"manifest": ("queryLdxx", "ldxx"), "track": ("queryGjxx", "gjxx")}


class LegacySoapAdapter(BaseAdapter):
    """Reads manifests and tracks from the legacy WebService through zeep."""

    name: ClassVar[str] = "legacy-soap"
    mapping: ClassVar[str] = "legacy-soap"
    streams: ClassVar[tuple[str, ...]] = ("manifest", "track")
    settings: ClassVar[dict[str, Setting]] = {
        "address": Setting(str, required=True, help="the service endpoint URL"),
        "username": Setting(str, required=True, help="account for getToken"),
        "password": Setting(str, required=True, secret=True, help="password for getToken"),
        "wsdl": Setting(str, str(PROFILES_DIR / "legacy-soap" / "service.wsdl"), help="WSDL file or URL"),
        "page_size": Setting(int, 100, help="records per call"),
        "start": Setting(str, "20000101000000", help="window start when there is no bookmark"),
        "settle_seconds": Setting(float, 2.0, help="the window ends this long before now"),
        "payload": Setting(str, "lxml", help="lxml: zeep calls, lxml reads the records; typed: zeep parses by the XSD"),
    }

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        client: httpx.Client | Transport | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(config, client=client)
        if isinstance(client, httpx.Client):
            transport: Transport = HttpxTransport(client)
        elif isinstance(client, Transport):
            transport = client
        else:
            raise ConfigurationError("legacy-soap needs an httpx.Client or a zeep Transport passed as client=")
        self.clock = clock or (lambda: datetime.now(zone("Asia/Shanghai")))
        try:
            self.zeep = Client(self.config["wsdl"], transport=transport, settings=zeep_settings())  # type: ignore[no-untyped-call]
            self.service = self.zeep.create_service(BINDING, self.config["address"])  # type: ignore[no-untyped-call]
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
            raise UnsafeXMLError(f"WSDL {self.config['wsdl']}: {exc}", source=self.config["wsdl"]) from exc
        except (ZeepError, OSError, ValueError) as exc:
            raise ConfigurationError(f"WSDL {self.config['wsdl']} cannot be used: {exc}") from exc
        if self.config["payload"] not in ("typed", "lxml"):
            raise ConfigurationError(f"legacy-soap: payload is typed or lxml, not {self.config['payload']!r}")
        self._raw = self.config["payload"] == "lxml"
        self._token: str | None = None

    def _call(self, operation: str, **kwargs: Any) -> Any:
        """Call ``operation``, translating zeep's errors once, here; a stale token is renewed once."""
        for attempt in (1, 2):
            if operation != "getToken" and self._token is None:
                self._token = self._call("getToken", yhm=self.config["username"], mm=self.config["password"])
            args = kwargs if operation == "getToken" else {"token": self._token, **kwargs}
            try:
                if self._raw and operation != "getToken":
                    with self.zeep.settings(raw_response=True):
                        return self._reply(operation, getattr(self.service, operation)(**args))
                return getattr(self.service, operation)(**args)
            except Fault as exc:
                message = str(exc.message or "")
                if message.startswith("03") and attempt == 1 and operation != "getToken":
                    self._token = None  # the token expired: log in again once
                    continue
                raise FatalSyncError(f"{operation}: the service refused: {message}") from exc
            except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
                raise UnsafeXMLError(
                    f"{operation}: unsafe XML in the reply: {exc}", source=self.config["address"]
                ) from exc
            except TransportError as exc:
                if exc.status_code == 429 or exc.status_code >= 500:
                    raise RetriableSyncError(f"{operation}: HTTP {exc.status_code}") from exc
                raise FatalSyncError(f"{operation}: HTTP {exc.status_code}") from exc
            except ZeepError as exc:
                raise FatalSyncError(f"{operation}: {type(exc).__name__}: {exc}") from exc
        raise FatalSyncError(f"{operation}: the service keeps refusing the token")  # pragma: no cover

    def _reply(self, operation: str, response: Any) -> Any:
        """The response element of a raw reply, read with the safe lxml parser; a SOAP Fault raises ``Fault``."""
        try:
            root = parse_bytes(response.content, f"{operation} reply")
        except UnsafeXMLError:
            raise
        except DataError as exc:
            if response.status_code == 429 or response.status_code >= 500:
                raise RetriableSyncError(f"{operation}: HTTP {response.status_code}") from exc
            raise FatalSyncError(f"{operation}: HTTP {response.status_code}: {exc}") from exc
        body = root.find(f"{{{SOAP_ENV}}}Body")
        fault = body.find(f"{{{SOAP_ENV}}}Fault") if body is not None else None
        if fault is not None:
            raise Fault(fault.findtext("faultstring") or "")  # type: ignore[no-untyped-call]
        if response.status_code >= 400 or body is None or not len(body):
            raise FatalSyncError(f"{operation}: HTTP {response.status_code}: no response element")
        return body[0]

    def _fetch(self, operation: str, element: str) -> Callable[[str, str, int], Page]:
        lists = frozenset(self.profile().source.get("lists", ()))

        def fetch(ks: str, js: str, page_no: int) -> Page:
            result = self._call(operation, ksrq=ks, jsrq=js, pageNo=page_no, pageSize=self.config["page_size"])
            if self._raw:
                records = [element_to_dict(el, lists) for el in result.iterchildren(f"{{{NAMESPACE}}}{element}")]
                count = result.findtext(f"{{{NAMESPACE}}}pageCount")
                pages = int(count) if count and count.isdigit() else None
            else:
                records = serialize_object(getattr(result, element, None) or [], dict)  # type: ignore[no-untyped-call]
                pages = getattr(result, "pageCount", None)
            call = f"{operation}(ksrq={ks}, jsrq={js}, pageNo={page_no})"
            return Page(records, pages if isinstance(pages, int) else None, self.config["address"], call)

        return fetch

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        """Manifests then track points modified since the bookmark, in modification-time order."""
        end = window_end(self.clock(), self.config["settle_seconds"], TIME_FORMAT)
        profile = self.profile()
        for stream in self.streams:
            operation, element = _OPERATIONS[stream]
            pull = WindowPull(
                profile.streams[stream], self._fetch(operation, element), self.config["page_size"], self.config["start"]
            )
            yield from pull.read(since, end)
