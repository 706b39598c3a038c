"""RFC 9457 problem details: one exception type the handlers raise, one response builder."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from contracts import Finding

PROBLEM_TYPE = "urn:hazlink:problem:"


class Problem(Exception):
    """An error answer: HTTP status, stable code, bilingual title, optional findings and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        title_zh: str,
        *,
        detail: str | None = None,
        findings: list[Finding] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {title}")
        self.status = status
        self.code = code
        self.title = title
        self.title_zh = title_zh
        self.detail = detail
        self.findings = findings or []
        self.headers = headers or {}

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document."""
        doc: dict[str, Any] = {
            "type": PROBLEM_TYPE + self.code,
            "title": self.title,
            "title_zh": self.title_zh,
            "status": self.status,
            "code": self.code,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.detail:
            doc["detail"] = self.detail
        if instance:
            doc["instance"] = instance
        return doc

    def response(self, instance: str | None = None) -> JSONResponse:
        """The problem as an ``application/problem+json`` response."""
        return JSONResponse(
            self.body(instance), status_code=self.status, headers=self.headers, media_type="application/problem+json"
        )


def invalid(findings: list[Finding], detail: str | None = None) -> Problem:
    """422: the body breaks the contract or a business rule."""
    return Problem(
        422,
        "contract.invalid",
        "The request breaks the contract",
        "请求不符合接口契约",
        detail=detail,
        findings=findings,
    )


def not_found(what: str, key: str) -> Problem:
    """404 for an unknown record."""
    return Problem(404, "not_found", f"No {what} {key}", f"未找到{what} {key}")


def forbidden(code: str, detail: str) -> Problem:
    """403: the key's scope or role does not allow this."""
    return Problem(403, code, "Not allowed for this key", "该密钥无权执行此操作", detail=detail)
