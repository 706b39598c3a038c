"""The monitor's web face (Starlette): health page, trends, drill-down to one record's diff, metrics, JSON.

Routes: ``/`` health per unit and resource with daily trends, ``/differences?cycle=&unit=&resource=``,
``/diff/{cycle}/{seq}`` one record's field diff, ``/metrics`` Prometheus text, ``/api/run`` the last
cycle as a ``RunResult``, ``/api/health`` and ``/api/trends?days=`` as JSON, ``/static/…`` the bundled
stylesheet. Everything is rendered on the server from the history store, so the page works offline.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import _html
from .metrics import render
from .service import Monitor

__all__ = ["create_app"]

STATIC = Path(__file__).with_name("static")


def _int(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        return default


def create_app(monitor: Monitor) -> Starlette:
    """The ASGI app over ``monitor`` (which runs its cycles elsewhere, e.g. ``Monitor.start``)."""
    history = monitor.history

    def index(request: Request) -> HTMLResponse:
        days = _int(request, "days", 14)
        last = history.last_cycle()
        if last is None:
            note = monitor.last_error or "还没有完成的周期 no cycle has completed yet"
            waiting = f'<h1>{_html.bi("同步健康", "Sync health")}</h1><p class="muted" id="waiting">{escape(note)}</p>'
            return HTMLResponse(_html.page("hazlink monitor", waiting, refresh=5))
        trends = history.trends(days, monitor.now())
        status = "ok" if last.ok else "breach"
        label = _html.bi("正常", "healthy") if last.ok else _html.bi(f"{last.breaches} 项超阈值", "threshold breached")
        err = ""
        if monitor.last_error:
            err = f'<p><span class="status error" id="error">{_html.bi("最近周期失败", "last cycle failed")}</span> {escape(monitor.last_error)}</p>'
        overdue = history.overdue(last.id)
        body: list[str] = [
            f"<h1>{_html.bi('同步健康', 'Sync health')}</h1>",
            f'<p><span class="status {status}" id="status">{label}</span> '
            f'<span class="muted">{_html.bi("周期", "cycle")} #{last.id} · {escape(last.finished_at)}'
            f"{' · truncated' if last.truncated else ''}</span></p>{err}",
            f"<h2>{_html.bi('各单位与资源', 'Per unit and resource')}</h2>",
            _html.health_table(history.health(last.id), monitor.config.thresholds, last.id, trends),
            f'<h2>{_html.bi(f"近 {days} 天趋势", f"Trends over {days} days")}</h2><div class="charts">',
            *(_html.chart(points, f"{unit} · {resource}") for (unit, resource), points in sorted(trends.items())),
            "</div>",
        ]
        if overdue:
            rows = "".join(
                f'<tr><td class="text">{escape(str(o.get("unit")))}</td><td class="text">{escape(str(o.get("resource")))}</td>'
                f'<td class="text">{escape(str(o.get("key")))}</td><td class="text">{escape(str(o.get("rule") or o.get("code")))}</td>'
                f'<td>{escape(str(o.get("days_late", "")))}</td><td class="text">{escape(str(o.get("message_zh") or ""))}</td></tr>'
                for o in overdue
            )
            head = "".join(f"<th class='text'>{_html.bi(a, b)}</th>" for a, b in (("单位", "Unit"), ("资源", "Resource"),
                           ("记录", "Record"), ("规则", "Rule"), ("逾期天数", "Days late"), ("说明", "Message")))  # fmt: skip
            body.append(
                f'<h2>{_html.bi("逾期事项", "Overdue items")}</h2><table id="overdue"><tr>{head}</tr>{rows}</table>'
            )
        refresh = max(30, int(monitor.config.monitor.interval_seconds))
        return HTMLResponse(_html.page("hazlink monitor", "".join(body), refresh=refresh))

    def differences(request: Request) -> HTMLResponse:
        last = history.last_cycle()
        cycle = _int(request, "cycle", last.id if last else 0)
        unit, resource = request.query_params.get("unit"), request.query_params.get("resource")
        diffs = history.differences(cycle, unit, resource)
        title = f"{unit or '*'} · {resource or '*'}"
        body = f"<h1>{_html.bi('差异', 'Differences')} {escape(title)}</h1>" + _html.differences_table(diffs, cycle)
        return HTMLResponse(_html.page(f"hazlink monitor · {title}", body))

    def diff(request: Request) -> Response:
        d = history.difference(int(request.path_params["cycle"]), int(request.path_params["seq"]))
        if d is None:
            return HTMLResponse(_html.page("not found", "<h1>404</h1>"), status_code=404)
        return HTMLResponse(_html.page(f"hazlink monitor · {d['key']}", _html.diff_view(d)))

    def metrics(request: Request) -> PlainTextResponse:
        last = history.last_cycle()
        rows = history.health(last.id) if last else []
        return PlainTextResponse(render(rows, monitor.counters), media_type="text/plain; version=0.0.4; charset=utf-8")

    def api_run(request: Request) -> Response:
        last = history.last_cycle()
        return JSONResponse(last.run if last else None, status_code=200 if last else 404)

    def api_health(request: Request) -> JSONResponse:
        last = history.last_cycle()
        rows: list[Any] = [h.model_dump() for h in history.health(last.id)] if last else []
        return JSONResponse({"cycle": last.id if last else None, "ok": last.ok if last else None, "health": rows})

    def api_trends(request: Request) -> JSONResponse:
        trends = history.trends(_int(request, "days", 14), monitor.now())
        return JSONResponse([{"unit": u, "resource": r, "points": p} for (u, r), p in sorted(trends.items())])

    return Starlette(
        routes=[
            Route("/", index),
            Route("/differences", differences),
            Route("/diff/{cycle:int}/{seq:int}", diff),
            Route("/metrics", metrics),
            Route("/api/run", api_run),
            Route("/api/health", api_health),
            Route("/api/trends", api_trends),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )
