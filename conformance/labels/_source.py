"""Where labels come from: a JSON/NDJSON file, or the national API by 数字识别码 (signed GET)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from contracts import Label
from contracts.signing import SigningAuth

LABELS_PATH = "/api/v1/labels/"


class LabelSourceError(ValueError):
    """A label file or a national answer could not be read as labels."""


def _objects(text: str) -> Iterator[Any]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from json.loads(stripped)
        return
    try:
        yield json.loads(stripped)
        return
    except json.JSONDecodeError:
        pass
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelSourceError(f"line {n}: not JSON: {exc.msg}") from exc


def read_labels(path: Path) -> list[Label]:
    """Labels from a file holding one JSON object, a JSON array, or NDJSON (one label a line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LabelSourceError(f"{path}: {exc.strerror}") from exc
    out: list[Label] = []
    try:
        for obj in _objects(text):
            out.append(Label.model_validate(obj))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise LabelSourceError(f"{path}: label {len(out) + 1} is not a valid label: {where}: {err['msg']}") from exc
    except json.JSONDecodeError as exc:
        raise LabelSourceError(f"{path}: not JSON: {exc.msg}") from exc
    if not out:
        raise LabelSourceError(f"{path}: no labels")
    return out


class NationalLabels:
    """Looks labels up in the national API: ``GET /api/v1/labels/{label_id}``, signed by the client's auth.

    Callable, so that it serves as the ``lookup`` of the linkage checks; unknown labels give ``None``.
    """

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._cache: dict[str, Label | None] = {}

    @classmethod
    def connect(cls, base_url: str, app_key: str, secret: str, *, timeout: float = 30.0) -> NationalLabels:
        """A looker-up with its own signed client on ``base_url`` (the API root, without ``/api/v1``)."""
        return cls(httpx.Client(base_url=base_url, auth=SigningAuth(app_key, secret), timeout=timeout))

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def __call__(self, label_id: str) -> Label | None:
        """The national record of ``label_id``, or ``None`` when the national system does not know it."""
        if label_id not in self._cache:
            resp = self.client.get(LABELS_PATH + quote(label_id, safe=""))
            if resp.status_code == 404:
                self._cache[label_id] = None
            elif resp.status_code != 200:
                raise LabelSourceError(
                    f"national API answered {resp.status_code} for label {label_id}: {resp.text[:200]}"
                )
            else:
                try:
                    self._cache[label_id] = Label.model_validate_json(resp.content)
                except ValidationError as exc:
                    raise LabelSourceError(f"national record of {label_id} is not a valid label") from exc
        return self._cache[label_id]
