"""The OpenAPI 3.1 document of the REST binding, generated from the contract models.

The document is kept in the package as ``openapi.json``; ``build_openapi()`` regenerates it and a
test fails when the stored copy is stale. Regenerate with ``hazlink contract openapi --write``.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from . import api
from ._base import CONTRACT_VERSION
from .approval import TransferApproval
from .label import Label, LabelRequest
from .license import License
from .manifest import Manifest, TrackPoint
from .operation import OperationRecord, OperationReport
from .unit import Unit

__all__ = ["build_openapi", "load_openapi", "openapi_path"]

PREFIX = "/api/v1"
_ERRORS = {
    400: ("BadRequest", "Malformed request or missing Idempotency-Key"),
    401: ("Unauthorized", "Signature, timestamp, nonce or key rejected"),
    403: ("Forbidden", "The key's scope does not cover the records or fields touched"),
    404: ("NotFound", "No such record"),
    409: (
        "Conflict",
        "Illegal lifecycle transition, a manifest no longer a draft, or the same Idempotency-Key still in flight",
    ),
    413: ("PayloadTooLarge", "Body or batch above the limit"),
    422: ("Unprocessable", "The body breaks the contract; findings say where"),
    429: ("TooManyRequests", "Rate limit; retry after the Retry-After header"),
}


class OperationReportPage(BaseModel):
    """One page of filed operation reports."""

    next_cursor: str | None = Field(default=None, description="Pass as cursor to get the next page; null at the end")
    items: list[OperationReport]


class LabelPage(BaseModel):
    """One page of issued labels."""

    next_cursor: str | None = Field(default=None, description="Pass as cursor to get the next page; null at the end")
    items: list[Label]


_MODELS: list[type[BaseModel]] = [
    Unit,
    License,
    TransferApproval,
    LabelRequest,
    Label,
    Manifest,
    TrackPoint,
    OperationRecord,
    OperationReport,
    api.Problem,
    api.Health,
    api.LedgerBatch,
    api.BatchResult,
    api.DispatchAction,
    api.ReceiveAction,
    api.RejectAction,
    api.CancelAction,
    api.SubmitAction,
    api.TrackAppend,
    api.TracksAccepted,
    api.ReportAccepted,
    api.Digest,
    api.ManifestPage,
    api.LedgerRecordPage,
    api.OperationRecordPage,
    api.TrackPointPage,
    OperationReportPage,
    LabelPage,
]


def _samples(name: str) -> list[Any]:
    text = resources.files(__package__).joinpath("samples", name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _ref(model: type[BaseModel] | str) -> dict[str, str]:
    name = model if isinstance(model, str) else model.__name__
    return {"$ref": f"#/components/schemas/{name}"}


def _json(model: type[BaseModel] | str, media: str = "application/json", example: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": _ref(model)}
    if example is not None:
        body["example"] = example
    return {media: body}


def _op(
    summary: str,
    ok: tuple[int, type[BaseModel] | str],
    errors: tuple[int, ...],
    *,
    body: tuple[type[BaseModel], Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    also: tuple[int, ...] = (),
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "security": [{"HzSignature": []}]}
    parameters = list(params or [])
    if body is not None:
        parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
        op["requestBody"] = {"required": True, "content": _json(body[0], example=body[1])}
    if parameters:
        op["parameters"] = parameters
    status, model = ok
    op["responses"] = {str(status): {"description": "Success", "content": _json(model)}}
    for other in also:
        op["responses"][str(other)] = {"description": "Success (duplicate or update)", "content": _json(model)}
    for code in errors:
        op["responses"][str(code)] = {"$ref": f"#/components/responses/{_ERRORS[code][0]}"}
    return op


def _path_param(name: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_PAGING = [
    _query("cursor", {"type": "string", "pattern": "^[0-9]{1,18}$"}, "Cursor from the previous page's next_cursor"),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, "Page size"),
]
_UNIT = _query(
    "unit", {"type": "string", "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"}, "Unit"
)
_SINCE = _query("updated_since", {"type": "string", "format": "date-time"}, "Only records changed at or after")
_READ = (400, 401, 403, 404, 429)
_WRITE = (400, 401, 403, 404, 409, 413, 422, 429)


def _paths() -> dict[str, Any]:
    manifest = json.loads(resources.files(__package__).joinpath("samples", "manifest.json").read_text(encoding="utf-8"))
    draft = {k: v for k, v in manifest.items() if k not in ("manifest_no", "status", "dispatched_at", "received_at")}
    draft["items"] = [{k: v for k, v in it.items() if k != "received_t"} for it in manifest["items"]]
    label = _samples("labels.ndjson")[0]
    label_req = {k: v for k, v in label.items() if k not in ("label_id", "qr_payload", "issued_at")}
    no = _path_param("manifest_no", r"^[0-9]{14}$")
    actions: dict[str, Any] = {}
    for action, model, example in (
        ("submit", api.SubmitAction, {}),
        ("dispatch", api.DispatchAction, {"dispatched_at": manifest["dispatched_at"]}),
        (
            "receive",
            api.ReceiveAction,
            {"received_at": manifest["received_at"], "lines": [{"line_no": 1, "received_t": "1.246000"}]},
        ),
        ("reject", api.RejectAction, {"rejected_at": manifest["received_at"], "reason": "包装破损，废物泄漏"}),
        ("cancel", api.CancelAction, {"reason": "计划变更，取消本次转移"}),
    ):
        actions[f"{PREFIX}/manifests/{{manifest_no}}/{action}"] = {
            "post": _op(f"Manifest lifecycle: {action}", (200, Manifest), _WRITE, body=(model, example), params=[no])
        }
    kind = _query(
        "kind", {"type": "string", "enum": ["generate", "store_in", "store_out", "self_process", "outsource"]}, ""
    )
    return {
        f"{PREFIX}/health": {"get": _op("Liveness", (200, api.Health), (429,)) | {"security": []}},
        f"{PREFIX}/units/{{uscc}}": {"get": _op("A registered unit", (200, Unit), _READ, params=[_path_param("uscc")])},
        f"{PREFIX}/licenses/{{number}}": {
            "get": _op("An operating licence", (200, License), _READ, params=[_path_param("number")])
        },
        f"{PREFIX}/transfer-approvals/{{number}}": {
            "get": _op("A cross-province approval", (200, TransferApproval), _READ, params=[_path_param("number")])
        },
        f"{PREFIX}/labels": {
            "post": _op("Issue a label code and QR payload", (201, Label), _WRITE, body=(LabelRequest, label_req)),
            "get": _op(
                "List issued labels (unit: the producer)",
                (200, LabelPage),
                _READ,
                params=[_UNIT, _SINCE, *_PAGING],
            ),
        },
        f"{PREFIX}/labels/{{label_id}}": {
            "get": _op("A label", (200, Label), _READ, params=[_path_param("label_id", r"^[0-9A-Z]{37}$")])
        },
        f"{PREFIX}/ledger-records": {
            "post": _op(
                "Submit a batch of ledger records",
                (200, api.BatchResult),
                _WRITE,
                body=(api.LedgerBatch, {"records": _samples("ledger.ndjson")[:2]}),
            ),
            "get": _op(
                "List ledger records",
                (200, api.LedgerRecordPage),
                _READ,
                params=[_UNIT, kind, _SINCE, *_PAGING],
            ),
        },
        f"{PREFIX}/manifests": {
            "post": _op("Create a manifest; the number is assigned", (201, Manifest), _WRITE, body=(Manifest, draft)),
            "get": _op("List manifests", (200, api.ManifestPage), _READ, params=[_UNIT, _SINCE, *_PAGING]),
        },
        f"{PREFIX}/manifests/{{manifest_no}}": {
            "get": _op("A manifest", (200, Manifest), _READ, params=[no]),
            "put": _op(
                "Replace the content of a draft manifest (number, status and local_ref are kept; 409 once submitted)",
                (200, Manifest),
                _WRITE,
                body=(Manifest, draft),
                params=[no],
            ),
        },
        **actions,
        f"{PREFIX}/manifests/{{manifest_no}}/tracks": {
            "post": _op(
                "Append track points",
                (200, api.TracksAccepted),
                _WRITE,
                body=(
                    api.TrackAppend,
                    {"points": [{"recorded_at": "2024-03-25T10:06:00+08:00", "lat": 31.3162, "lon": 120.7205}]},
                ),
                params=[no],
            ),
            "get": _op("The track of a manifest", (200, api.TrackPointPage), _READ, params=[no, *_PAGING]),
        },
        f"{PREFIX}/operation-records": {
            "post": _op(
                "Book an operation record",
                (201, OperationRecord),
                _WRITE,
                body=(OperationRecord, _samples("operations.ndjson")[0]),
                also=(200,),
            ),
            "get": _op(
                "List operation records",
                (200, api.OperationRecordPage),
                _READ,
                params=[_UNIT, _SINCE, *_PAGING],
            ),
        },
        f"{PREFIX}/operation-reports": {
            "post": _op(
                "File a monthly or annual operation report",
                (201, api.ReportAccepted),
                _WRITE,
                body=(OperationReport, _samples("operation-reports.ndjson")[0]),
            ),
            "get": _op(
                "List filed operation reports",
                (200, OperationReportPage),
                _READ,
                params=[_UNIT, _SINCE, *_PAGING],
            ),
        },
        f"{PREFIX}/digests": {
            "get": _op(
                "Digest of one unit's records of one resource on one day",
                (200, api.Digest),
                _READ,
                params=[
                    {
                        "name": "resource",
                        "in": "query",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "enum": ["labels", "ledger-records", "manifests", "operation-records"],
                        },
                    },
                    _UNIT | {"required": True},
                    {"name": "date", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
                ],
            )
        },
    }


_LISTED_PAGES = ("LabelPage", "LedgerRecordPage", "ManifestPage", "OperationRecordPage", "OperationReportPage")
"""Pages whose items carry the national write time besides the record (see ``api.LISTED_WRITE_TIME``)."""


def _listed(schemas: dict[str, Any]) -> None:
    """Point the items of the record listings at ``<Model>Listed``: the contract model plus ``updated_at``.

    The contract models forbid extra fields, so the item schema is a copy of the model's schema with one
    more optional, read-only property; the models themselves stay as they are.
    """
    prefix = "#/components/schemas/"

    def relink(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: relink(v) for k, v in node.items()}
        if isinstance(node, list):
            return [relink(v) for v in node]
        if isinstance(node, str) and node.startswith(prefix):
            name = node[len(prefix) :]
            listed = f"{name}Listed"
            if listed not in schemas:
                schema = copy.deepcopy(schemas[name])
                schema["title"] = listed
                schema["description"] = (
                    f"A {name} as the list endpoints give it: the record plus {api.LISTED_WRITE_TIME}, "
                    "the time the national system last wrote it."
                )
                schema["properties"][api.LISTED_WRITE_TIME] = {
                    "type": "string",
                    "format": "date-time",
                    "readOnly": True,
                    "description": "When the national system last wrote the record (RFC 3339 with offset)",
                    "title": "Updated At",
                }
                schemas[listed] = schema
            return prefix + listed
        return node

    for page in _LISTED_PAGES:
        items = schemas[page]["properties"]["items"]
        items["items"] = relink(items["items"])
    ordered = dict(sorted(schemas.items()))
    schemas.clear()
    schemas.update(ordered)


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of contract ``CONTRACT_VERSION``."""
    _, schemas = models_json_schema([(m, "validation") for m in _MODELS], ref_template="#/components/schemas/{model}")
    _listed(schemas["$defs"])
    problem = {"application/problem+json": {"schema": _ref(api.Problem)}}
    responses: dict[str, Any] = {}
    for name, text in _ERRORS.values():
        responses[name] = {"description": text, "content": problem}
    responses["TooManyRequests"]["headers"] = {
        "Retry-After": {"description": "Seconds or an HTTP-date", "schema": {"type": "string"}}
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hazlink national solid waste API (contract binding)",
            "version": CONTRACT_VERSION,
            "description": (
                "REST binding of the hazlink national contract. Every request is signed: X-Hz-AppKey, "
                "X-Hz-Timestamp (unix seconds), X-Hz-Nonce (16-64 of [A-Za-z0-9]) and X-Hz-Signature, the lowercase "
                "hex HMAC-SM3 (or HMAC-SHA256 with X-Hz-Sign-Method) over METHOD, PATH, CANONICAL_QUERY, "
                "HEX_HASH(BODY), TIMESTAMP, NONCE and APPKEY joined by newlines. Every POST and PUT needs an "
                "Idempotency-Key."
            ),
        },
        "servers": [{"url": "http://127.0.0.1:8900"}],
        "paths": _paths(),
        "components": {
            "schemas": schemas["$defs"],
            "responses": responses,
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
                    "description": "Fixed per logical operation for its whole life; replays return the first answer",
                }
            },
            "securitySchemes": {
                "HzSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Hz-AppKey",
                    "description": "App key; the request must also carry X-Hz-Timestamp, X-Hz-Nonce and X-Hz-Signature",
                }
            },
        },
    }


def openapi_path() -> Path:
    """Where the stored document lives in the source tree."""
    return Path(__file__).with_name("openapi.json")


def render(doc: dict[str, Any]) -> str:
    """The stored text form of the document."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def load_openapi() -> dict[str, Any]:
    """The stored document, as shipped in the package."""
    loaded: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8")
    )
    return loaded
