"""Reference system ``prov-rest``: a provincial platform with a paged, modified-time-window REST API.

``GET /{interfaceId}/V1?token=&pageNum=&pageSize=&MODIFYRQ_KS=&MODIFYRQ_JS=`` (both window ends
inclusive, ordered by modification time then key) answers ``{"success", "obj", "pages", "total",
"pageNum"}``; a bad token answers ``{"success": false, "code": "03", "msg": "token无效"}`` with HTTP
200, as such platforms do. ``POST /{interfaceId}/V1?token=`` saves local records (the platform's own
write API: a business event happens); ``POST /admin/generate`` inserts generated records.

``render_manifest`` and ``render_track`` turn contract-form records into the platform's form:
pinyin-initial keys, local times, 吨 or counted 桶, GCJ-02 coordinates, codes written the ways
operators write them.

Carriers: the first leg is kept in flat keys of the manifest (``ysdwxydm`` 运输单位信用代码, ``ysdwmc``,
``ysxzqhdm``, ``ysdwdz``, ``ysdwlxr``, ``ysdwlxrsj``, ``ysdwdlyszh`` 道路运输证号, ``yscph`` 车牌号,
``jsyxm`` 驾驶员, ``ysfs`` 运输方式), as the platform's form has always had them; a manifest moved by
several carriers (分段运输) has its further legs in ``ysdwlb`` (运输单位列表), one object per leg with the
same keys plus ``dh`` (段号, the leg number as text). A one-carrier manifest has no ``ysdwlb``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mappings.transforms.geo import wgs84_to_gcj02

from ._generator import TZ, Generator

__all__ = ["ProvRestSystem", "create_app", "render_manifest", "render_track"]

FMT = "%Y-%m-%d %H:%M:%S"
_STATUS = {"draft": "1", "submitted": "2", "in_transit": "3", "received": "4", "rejected": "6", "cancelled": "9"}
_MODE = {"road": "1", "rail": "2", "water": "3", "pipeline": "4", "air": "5", "other": "6"}  # crosswalks/ysfs.csv
_FORM_WORDS = {"S": "固态", "SS": "半固态", "L": "液态", "G": "气态"}
_DRUM = Decimal("0.2")


def _t(value: datetime | None) -> str | None:
    return value.astimezone(TZ).strftime(FMT) if value is not None else None


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


def render_manifest(m: dict[str, Any]) -> dict[str, Any]:
    """A contract-form manifest as the platform stores it (without ``MODIFYRQ``, which saving sets)."""
    rng = random.Random(m["manifest_no"])  # the same manifest always renders the same way
    s, r = m["shipper"], m["receiver"]
    out: dict[str, Any] = {
        "ldbh": m["manifest_no"],
        "ldzt": _STATUS[m["status"]],
        "ycdwxydm": s["uscc"],
        "wfycdwmc": s["name"],
        "ycsxzqhdm": s["region_code"],
        "wfycdwdz": s["address"],
        "wfycdwlxr": s["contact"]["person"],
        "wfycdwlxrsj": s["contact"]["phone"],
        **_render_carrier(m["carriers"][0], rng),
        "jsdwxydm": r["uscc"],
        "wfjsdwmc": r["name"],
        "yrsxzqhdm": r["region_code"],
        "wfjsdz": r["address"],
        "wfjsdwlxr": r["contact"]["person"],
        "wfjsdwlxrsj": r["contact"]["phone"],
        "fwjsdwwxfwjyxkzh": m["receiver_license_no"],
        "kszyspwh": m.get("approval_no"),
        "yjcs": m.get("emergency_measures"),
        "tbrq": _t(m["created_at"]),
        "wfycrq": _t(m.get("dispatched_at")),
        "wfjsdwjsrq": _t(m.get("received_at")),
        "sfczzdcy": "1" if m.get("significant_discrepancy") else "0",
        "cysm": m.get("discrepancy_note"),
        "jsyj": m.get("rejection_reason"),
        "wxfw": [_render_item(it, rng) for it in m["items"]],
    }
    # Drawn after the waste lines, so that a one-carrier manifest renders exactly as it always has.
    further = [{"dh": str(c["leg"]), **_render_carrier(c, rng)} for c in m["carriers"][1:]]
    if further:
        out["ysdwlb"] = further
    return {k: v for k, v in out.items() if v is not None}


def _render_carrier(c: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One carrier leg in the platform's keys (flat on the manifest for the first leg, in ``ysdwlb`` after)."""
    plate = c["vehicle_plate"]
    out: dict[str, Any] = {
        "ysdwxydm": c["uscc"],
        "ysdwmc": c["name"],
        "ysxzqhdm": c["region_code"],
        "ysdwdz": c["address"],
        "ysdwlxr": c["contact"]["person"],
        "ysdwlxrsj": c["contact"]["phone"],
        "ysdwdlyszh": c["road_permit_no"],
        "yscph": plate if rng.random() < 0.7 else plate[:2] + "·" + plate[2:],
        "jsyxm": c.get("driver"),
        "ysfs": _MODE[str(c.get("mode") or "road")],
    }
    return {k: v for k, v in out.items() if v is not None}


def _render_item(it: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    code = it["waste_code"]
    drums = it["packaging"] == "200L钢桶" and it["quantity_t"] == _DRUM * it["package_count"]
    out: dict[str, Any] = {
        "fwmc": it["waste_name"],
        "fwlb": it["waste_category"] if rng.random() < 0.5 else it["waste_category"][2:],
        "fwdm": code if rng.random() < 0.6 else f"{it['waste_category']}/{code}",
        "xt": it["form"] if rng.random() < 0.5 else _FORM_WORDS[it["form"]],
        "xz": "/".join(it["hazards"]),
        "bzlx": it["packaging"],
        "bzsl": str(it["package_count"]),
        "lyczfs": it["method"],
        "jldw": "桶" if drums else "吨",
        "zysl": str(it["package_count"]) if drums else _plain(it["quantity_t"]),
        "bqbm": ";".join(it.get("label_ids", [])) or None,
    }
    received = it.get("received_t")
    if received is not None:
        out["jssl"] = _plain(received / _DRUM) if drums else _plain(received)
    return {k: v for k, v in out.items() if v is not None}


def render_track(manifest_no: str, point: dict[str, Any]) -> dict[str, Any]:
    """A WGS-84 fix as the platform stores it: GCJ-02 with 6 decimals, local time."""
    lon, lat = wgs84_to_gcj02(point["lon"], point["lat"])
    return {
        "ldbh": manifest_no,
        "cph": point.get("vehicle_plate"),
        "dwsj": _t(point["recorded_at"]),
        "jd": f"{lon:.6f}",
        "wd": f"{lat:.6f}",
        "sd": _plain(point.get("speed_kmh", Decimal(0))),
        "fx": _plain(point.get("heading_deg", Decimal(0))),
    }


_KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "ldxx": lambda r: str(r.get("ldbh", "")),
    "gjxx": lambda r: f"{r.get('ldbh', '')}/{r.get('dwsj', '')}",
}


class ProvRestSystem:
    """The platform's state: records per interface with their modification times."""

    def __init__(self, *, token: str = "demo-token", clock: Callable[[], datetime] | None = None) -> None:
        self.token = token
        self.clock = clock or (lambda: datetime.now(TZ))
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in _KEYS}

    def save(self, interface: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or update a record; its ``MODIFYRQ`` becomes now."""
        stored = {**record, "MODIFYRQ": self.clock().astimezone(TZ).strftime(FMT)}
        self.records[interface][_KEYS[interface](stored)] = stored
        return stored

    def seed(self, generator: Generator, manifests: int = 10, points: int = 4) -> list[dict[str, Any]]:
        """Insert ``manifests`` generated manifests and their tracks; returns the contract forms."""
        made = []
        for _ in range(manifests):
            m = generator.manifest()
            self.save("ldxx", render_manifest(m))
            if m["status"] in ("in_transit", "received"):
                for p in generator.track(m, points):
                    self.save("gjxx", render_track(m["manifest_no"], p))
            made.append(m)
        return made

    def page(self, interface: str, ks: str, js: str, page_no: int, page_size: int) -> dict[str, Any]:
        """One page of the window ``[ks, js]`` in (modification time, key) order."""
        key = _KEYS[interface]
        rows = sorted(
            (r for r in self.records[interface].values() if ks <= r["MODIFYRQ"] <= js),
            key=lambda r: (r["MODIFYRQ"], key(r)),
        )
        pages = max(1, -(-len(rows) // page_size))
        chunk = rows[(page_no - 1) * page_size : page_no * page_size]
        return {"success": True, "obj": chunk, "pages": pages, "total": len(rows), "pageNum": page_no}


def _refused(code: str, msg: str) -> JSONResponse:
    return JSONResponse({"success": False, "code": code, "msg": msg, "obj": None})


def create_app(system: ProvRestSystem | None = None) -> Starlette:
    """The platform as an ASGI app (``app.state.system`` holds its state)."""
    system = system or ProvRestSystem()

    async def pull(request: Request) -> JSONResponse:
        interface = request.path_params["interface"]
        q = request.query_params
        if interface not in system.records:
            return JSONResponse({"success": False, "code": "404", "msg": f"no interface {interface}"}, status_code=404)
        if q.get("token") != system.token:
            return _refused("03", "token无效")
        try:
            page_no, page_size = int(q.get("pageNum", "1")), int(q.get("pageSize", "500"))
        except ValueError:
            return _refused("14", "pageNum/pageSize 不是数字")
        if not 1 <= page_size <= 500 or page_no < 1:
            return _refused("14", "pageSize 应为 1..500")
        ks, js = q.get("MODIFYRQ_KS", "0000-00-00 00:00:00"), q.get("MODIFYRQ_JS", "9999-12-31 23:59:59")
        return JSONResponse(system.page(interface, ks, js, page_no, page_size))

    async def push(request: Request) -> JSONResponse:
        interface = request.path_params["interface"]
        if interface not in system.records:
            return JSONResponse({"success": False, "msg": f"no interface {interface}"}, status_code=404)
        if request.query_params.get("token") != system.token:
            return _refused("03", "token无效")
        body = await request.json()
        items = body if isinstance(body, list) else [body]
        if not all(isinstance(i, dict) for i in items):
            return _refused("05", "上传失败：记录应为对象")
        saved = [system.save(interface, i) for i in items]
        return JSONResponse({"success": True, "obj": saved})

    async def generate(request: Request) -> JSONResponse:
        q = request.query_params
        gen = Generator(int(q.get("seed", "0")))
        made = system.seed(gen, int(q.get("manifests", "10")), int(q.get("points", "4")))
        return JSONResponse({"success": True, "obj": [m["manifest_no"] for m in made]})

    app = Starlette(
        routes=[
            Route("/admin/generate", generate, methods=["POST"]),
            Route("/{interface}/V1", pull, methods=["GET"]),
            Route("/{interface}/V1", push, methods=["POST"]),
        ]
    )
    app.state.system = system
    return app
