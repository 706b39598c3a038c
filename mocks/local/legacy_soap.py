"""Reference system ``legacy-soap``: an old XFire-era SOAP WebService for transfer manifests.

``GET {path}?wsdl`` serves the WSDL of ``mappings/profiles/legacy-soap/service.wsdl`` with the
address of the request; ``POST {path}`` takes document/literal SOAP 1.1 calls: ``getToken(yhm, mm)``,
``queryLdxx``/``queryGjxx(token, ksrq, jsrq, pageNo, pageSize)`` (a window of modification times
``yyyyMMddHHmmss``, both ends inclusive, ordered by time then key), and ``saveLdxx``/``saveGjxx``
(a business event happens). A bad token is a SOAP Fault ``03 token无效``.

Records use the service's own shape: a 16-digit local number (``ldbh``) and the national one once
assigned (``gjldbh``), kilograms, split dates and times (``20240325`` + ``083000``, sometimes an
integer that lost its leading zero), Chinese form and hazard words, BD-09 coordinates.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mappings import PROFILES_DIR
from mappings.transforms.geo import wgs84_to_bd09

from ._generator import TZ, Generator

__all__ = [
    "NS",
    "PATH",
    "LegacySoapSystem",
    "create_app",
    "envelope",
    "render_manifest",
    "render_track",
    "response_document",
]

NS = "http://ws.gfxt.local/"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
PATH = "/edpgf_ws/servicesx/TranService"
WSDL = PROFILES_DIR / "legacy-soap" / "service.wsdl"
_STATUS = {"draft": "0", "submitted": "1", "in_transit": "2", "received": "3", "rejected": "4", "cancelled": "9"}
_FORM = {"S": "固态", "SS": "半固态", "L": "液态", "G": "气态"}
_HAZARD = {"T": "毒性", "C": "腐蚀性", "I": "易燃性", "R": "反应性", "In": "感染性"}
# Element order of each XSD type: zeep reads a sequence in order.
_DWXX = ("xydm", "mc", "dz", "lxr", "lxdh", "xzqhdm", "dlyszh", "cph", "jsy", "xkzh")
_FWXX = ("xh", "fwdm", "fwmc", "fwlb", "xt", "wxtx", "bzfs", "bzsl", "czfs", "zl", "jszl", "bqbm")
_LDXX: tuple[str, ...] = ("ldbh", "gjldbh", "zt", "ycdw", "ysdw", "jsdw", "pwh", "yjcs", "tbrq", "tbsj", "ycrq")
_LDXX += ("ycsj", "jsrq", "jssj", "zdcy", "cysm", "jsyj", "fwxx", "xgsj")
_GJXX = ("xh", "gjldbh", "cph", "rq", "sj", "bdjd", "bdwd", "sd", "fx", "xgsj")
_ORDER = {"ldxx": _LDXX, "gjxx": _GJXX, "ycdw": _DWXX, "ysdw": _DWXX, "jsdw": _DWXX, "fwxx": _FWXX}


def _split_time(value: datetime | None, rng: random.Random) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    local = value.astimezone(TZ)
    hms = local.strftime("%H%M%S")
    # One record in five went through an integer column and lost its leading zeros (083000 → 83000).
    return local.strftime("%Y%m%d"), (hms.lstrip("0") or "0") if rng.random() < 0.2 else hms


def _party(p: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out = {"xydm": p["uscc"], "mc": p["name"], "dz": p["address"], "lxr": p["contact"]["person"]}
    out |= {"lxdh": p["contact"]["phone"], "xzqhdm": p["region_code"], **extra}
    return {k: v for k, v in out.items() if v is not None}


def legacy_number(m: dict[str, Any]) -> str:
    """The service's own 16-digit number: year, 6-digit region of the shipper, 6-digit serial."""
    return f"{m['created_at'].year}{m['shipper']['region_code']}{m['manifest_no'][-6:]}"


def render_manifest(m: dict[str, Any], *, national: bool = True) -> dict[str, Any]:
    """A contract-form manifest as the service stores it (``xgsj`` is set when saved)."""
    rng = random.Random(m["manifest_no"])
    c = m["carriers"][0]
    out: dict[str, Any] = {"ldbh": legacy_number(m), "gjldbh": m["manifest_no"] if national else None}
    out["zt"] = _STATUS[m["status"]]
    out["ycdw"] = _party(m["shipper"])
    out["ysdw"] = _party(c, dlyszh=c["road_permit_no"], cph=c["vehicle_plate"], jsy=c.get("driver"))
    out["jsdw"] = _party(m["receiver"], xkzh=m["receiver_license_no"])
    out["pwh"], out["yjcs"] = m.get("approval_no"), m.get("emergency_measures")
    out["tbrq"], out["tbsj"] = _split_time(m["created_at"], rng)
    out["ycrq"], out["ycsj"] = _split_time(m.get("dispatched_at"), rng)
    out["jsrq"], out["jssj"] = _split_time(m.get("received_at"), rng)
    out["zdcy"] = "Y" if m.get("significant_discrepancy") else "N"
    out["cysm"] = m.get("discrepancy_note")
    out["fwxx"] = [
        {
            "xh": str(it["line_no"]),
            "fwdm": it["waste_code"].replace("-", ""),
            "fwmc": it["waste_name"],
            "fwlb": it["waste_category"],
            "xt": _FORM[it["form"]],
            "wxtx": "、".join(_HAZARD[h] for h in it["hazards"]),
            "bzfs": it["packaging"],
            "bzsl": str(it["package_count"]),
            "czfs": it["method"],
            "zl": f"{it['quantity_t'] * 1000:.3f}",
            "jszl": f"{it['received_t'] * 1000:.3f}" if it.get("received_t") is not None else None,
            "bqbm": ";".join(it.get("label_ids", [])) or None,
        }
        for it in m["items"]
    ]
    return {k: v for k, v in out.items() if v is not None}


def render_track(manifest_no: str, point: dict[str, Any], xh: int) -> dict[str, Any]:
    """A WGS-84 fix as the service stores it: BD-09 with 6 decimals, split date and time."""
    lon, lat = wgs84_to_bd09(point["lon"], point["lat"])
    local = point["recorded_at"].astimezone(TZ)
    return {
        "xh": str(xh),
        "gjldbh": manifest_no,
        "cph": point.get("vehicle_plate"),
        "rq": local.strftime("%Y%m%d"),
        "sj": local.strftime("%H%M%S"),
        "bdjd": f"{lon:.6f}",
        "bdwd": f"{lat:.6f}",
        "sd": str(point.get("speed_kmh", Decimal(0))),
        "fx": str(point.get("heading_deg", Decimal(0))),
    }


def to_element(tag: str, record: dict[str, Any]) -> Any:
    """A record as an element of the service's namespace, children in XSD order."""
    el = etree.Element(f"{{{NS}}}{tag}")
    for name in _ORDER[tag]:
        value = record.get(name)
        if value is None:
            continue
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict):
                el.append(to_element(name, v))
            else:
                etree.SubElement(el, f"{{{NS}}}{name}").text = str(v)
    return el


def envelope(body: Any) -> bytes:
    """A SOAP 1.1 envelope around ``body``."""
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS, "tns": NS})
    etree.SubElement(env, f"{{{SOAP_NS}}}Body").append(body)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def response_document(
    operation: str, tag: str, records: list[dict[str, Any]], *, page: int = 1, pages: int = 1
) -> bytes:
    """A whole ``queryLdxxResponse``/``queryGjxxResponse`` envelope, as a saved response file holds it."""
    resp = etree.Element(f"{{{NS}}}{operation}Response")
    for name, value in (("code", "01"), ("total", str(len(records))), ("pageCount", str(pages))):
        etree.SubElement(resp, f"{{{NS}}}{name}").text = value
    for r in records:
        resp.append(to_element(tag, r))
    return envelope(resp)


def _fault(message: str) -> Response:
    fault = etree.Element(f"{{{SOAP_NS}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soap:Client"
    etree.SubElement(fault, "faultstring").text = message
    return Response(envelope(fault), status_code=500, media_type="text/xml; charset=utf-8")


class LegacySoapSystem:
    """The service's state: manifests by local number, fixes by (national number, sequence)."""

    def __init__(
        self, *, username: str = "demo", password: str = "demo-pass", clock: Callable[[], datetime] | None = None
    ) -> None:
        self.username, self.password = username, password
        self.clock = clock or (lambda: datetime.now(TZ))
        self.tokens: set[str] = set()
        self.records: dict[str, dict[str, dict[str, Any]]] = {"ldxx": {}, "gjxx": {}}

    def save(self, tag: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or update a record; its ``xgsj`` becomes now."""
        stored = {**record, "xgsj": self.clock().astimezone(TZ).strftime("%Y%m%d%H%M%S")}
        # The key is the natural key as the mapping states it; the service orders a window by it.
        key = stored["ldbh"] if tag == "ldxx" else f"{stored.get('gjldbh')}/{stored.get('xh')}"
        self.records[tag][key] = stored
        return stored

    def seed(self, generator: Generator, manifests: int = 10, points: int = 4) -> list[dict[str, Any]]:
        """Insert generated manifests (and tracks of those under way); returns their contract forms."""
        made = []
        for _ in range(manifests):
            m = generator.manifest()
            self.save("ldxx", render_manifest(m))
            if m["status"] in ("in_transit", "received"):
                for xh, p in enumerate(generator.track(m, points), start=1):
                    self.save("gjxx", render_track(m["manifest_no"], p, xh))
            made.append(m)
        return made

    def query(self, tag: str, ksrq: str, jsrq: str, page_no: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
        """One page of the window ``[ksrq, jsrq]``; returns the records and the page count."""
        rows = sorted(
            ((k, r) for k, r in self.records[tag].items() if ksrq <= r["xgsj"] <= jsrq),
            key=lambda kr: (kr[1]["xgsj"], kr[0]),
        )
        pages = max(1, -(-len(rows) // page_size))
        return [r for _, r in rows[(page_no - 1) * page_size : page_no * page_size]], pages


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _children(el: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        value = _children(child) if len(child) else (child.text or "").strip() or None
        if name in out:
            prev = out[name]
            out[name] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[name] = [value] if name == "fwxx" else value
    return out


def create_app(system: LegacySoapSystem | None = None) -> Starlette:
    """The service as an ASGI app (``app.state.system`` holds its state)."""
    system = system or LegacySoapSystem()

    async def wsdl(request: Request) -> Response:
        address = str(request.url.replace(query=""))
        text = WSDL.read_text(encoding="utf-8").replace("http://127.0.0.1:8082" + PATH, address)
        return Response(text, media_type="text/xml; charset=utf-8")

    async def call(request: Request) -> Response:
        try:
            doc = etree.fromstring(await request.body(), parser=_PARSER)
        except etree.XMLSyntaxError as exc:
            return _fault(f"05 请求不是合法的 XML：{exc}")
        docinfo: Any = doc.getroottree().docinfo
        if docinfo.doctype:
            return _fault("05 拒绝含 DOCTYPE 的请求")
        body = doc.find(f"{{{SOAP_NS}}}Body")
        if body is None or not len(body):
            return _fault("05 缺少 SOAP Body")
        op_el = body[0]
        op, args = etree.QName(op_el).localname, _children(op_el)
        if op == "getToken":
            if args.get("yhm") != system.username or args.get("mm") != system.password:
                return _fault("02 用户名或密码错误")
            token = secrets.token_hex(8)
            system.tokens.add(token)
            resp = etree.Element(f"{{{NS}}}getTokenResponse")
            etree.SubElement(resp, f"{{{NS}}}token").text = token
            return Response(envelope(resp), media_type="text/xml; charset=utf-8")
        if args.get("token") not in system.tokens:
            return _fault("03 token无效")
        if op in ("queryLdxx", "queryGjxx"):
            tag = "ldxx" if op == "queryLdxx" else "gjxx"
            try:
                page_no, size = int(args.get("pageNo") or 1), int(args.get("pageSize") or 100)
            except ValueError:
                return _fault("14 pageNo/pageSize 不是数字")
            rows, pages = system.query(tag, args.get("ksrq") or "0", args.get("jsrq") or "9", page_no, size)
            return Response(
                response_document(op, tag, rows, page=page_no, pages=pages), media_type="text/xml; charset=utf-8"
            )
        if op in ("saveLdxx", "saveGjxx"):
            tag = "ldxx" if op == "saveLdxx" else "gjxx"
            items = args.get(tag)
            saved = [
                system.save(tag, i) for i in (items if isinstance(items, list) else [items]) if isinstance(i, dict)
            ]
            resp = etree.Element(f"{{{NS}}}{op}Response")
            etree.SubElement(resp, f"{{{NS}}}code").text = "01" if saved else "05"
            if tag == "ldxx" and saved:
                etree.SubElement(resp, f"{{{NS}}}ldbh").text = saved[0]["ldbh"]
            return Response(envelope(resp), media_type="text/xml; charset=utf-8")
        return _fault(f"05 未知操作 {op}")

    async def generate(request: Request) -> Response:
        q = request.query_params
        made = system.seed(Generator(int(q.get("seed", "0"))), int(q.get("manifests", "10")), int(q.get("points", "4")))
        return Response(" ".join(m["manifest_no"] for m in made), media_type="text/plain")

    app = Starlette(
        routes=[
            Route(PATH, wsdl, methods=["GET"]),
            Route(PATH, call, methods=["POST"]),
            Route("/admin/generate", generate, methods=["POST"]),
        ]
    )
    app.state.system = system
    return app
