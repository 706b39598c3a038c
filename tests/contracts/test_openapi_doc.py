"""The stored OpenAPI document is current, valid OpenAPI 3.1, and its examples obey the contract."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import schemathesis

from contracts.openapi import build_openapi, load_openapi

DOC = build_openapi()


def test_stored_document_is_not_stale() -> None:
    assert load_openapi() == DOC, "run: hazlink contract openapi --write"


def test_schemas_are_valid_json_schema_2020_12() -> None:
    for schema in DOC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in DOC["paths"].items() for method, op in item.items()]


def test_schemathesis_loads_every_operation() -> None:
    schema = schemathesis.openapi.from_dict(DOC)
    loaded = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert loaded == {(m.upper(), p) for p, m, _ in _operations()}


@pytest.mark.parametrize(("path", "method", "op"), [o for o in _operations() if "requestBody" in o[2]])
def test_every_request_body_has_an_example_that_validates(path: str, method: str, op: dict[str, Any]) -> None:
    media = op["requestBody"]["content"]["application/json"]
    assert "example" in media, f"{method} {path} has no example"
    ref = media["schema"]["$ref"]
    schema = {"$ref": ref, "components": DOC["components"]}
    jsonschema.validate(media["example"], schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(("path", "method", "op"), _operations())
def test_every_write_lists_its_error_statuses(path: str, method: str, op: dict[str, Any]) -> None:
    statuses = set(op["responses"])
    if method == "post":
        assert {"400", "401", "403", "409", "413", "422", "429"} <= statuses
    elif path != "/api/v1/health":
        assert {"401", "403", "429"} <= statuses
