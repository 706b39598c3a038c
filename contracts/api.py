"""Request and response bodies of the REST binding (``/api/v1``) that are not resources themselves."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._base import ORDER_23, ContractModel, Text, Timestamp, Tonnes, field
from .ledger import LedgerRecord
from .manifest import Manifest, TrackPoint
from .operation import OperationRecord, OperationReport

MAX_LEDGER_BATCH = 500
"""Most ledger records one ``POST /ledger-records`` may carry."""


class FindingOut(BaseModel):
    """A finding as the API reports it."""

    code: str = Field(description="Stable finding code, e.g. waste_code.category_mismatch")
    severity: Literal["error", "warning", "info"]
    path: str = Field(description="JSONPath of the field, e.g. $.items[0].waste_code")
    message_zh: str
    message_en: str
    record: int | str | None = None
    context: dict[str, Any] | None = None


class Problem(BaseModel):
    """RFC 9457 problem details with a stable ``code`` and the findings behind it."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="URI identifying the problem type")
    title: str = Field(description="Short English summary")
    title_zh: str = Field(description="Short Chinese summary")
    status: int = Field(ge=400, le=599)
    code: str = Field(description="Stable problem code, e.g. auth.signature_mismatch")
    detail: str | None = None
    instance: str | None = None
    findings: list[FindingOut] = Field(default_factory=list)


class Health(BaseModel):
    """Liveness and the contract the server speaks."""

    status: Literal["ok"]
    contract_version: str
    time: Timestamp


class LedgerBatch(ContractModel):
    """A batch of ledger records for ``POST /ledger-records``.

    Each record is validated on its own against ``LedgerRecord`` and answered in ``BatchResult``: a
    record that breaks the contract is rejected with its findings while the others are taken, so the
    batch itself only needs to be an array of objects.
    """

    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_LEDGER_BATCH,
        description="Ledger records (see LedgerRecord), validated one by one",
        json_schema_extra={"items": {"type": "object", "description": "A LedgerRecord"}},
    )


class RecordOutcome(enum.StrEnum):
    """What the national side did with one record of a batch."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class RecordResult(BaseModel):
    """The answer for one record of a batch."""

    index: int = Field(ge=0, description="Position of the record in the batch")
    outcome: RecordOutcome
    key: str | None = Field(default=None, description="Natural key of the record")
    findings: list[FindingOut] = Field(default_factory=list)


class BatchResult(BaseModel):
    """Per-record answers of a batch, in the batch's order."""

    results: list[RecordResult]


class DispatchAction(ContractModel):
    """Body of ``POST /manifests/{no}/dispatch``."""

    dispatched_at: Timestamp = field("起运时间", "When the first carrier left", ORDER_23 + " 第十一条")


class ReceivedLine(ContractModel):
    """The receiver's figure for one line."""

    line_no: int = field("序号", "Line number", ORDER_23 + " 第十二条", ge=1, le=999)
    received_t: Tonnes = field("接受数量（吨）", "Accepted quantity", ORDER_23 + " 第十二条")


class ReceiveAction(ContractModel):
    """Body of ``POST /manifests/{no}/receive``."""

    received_at: Timestamp = field("接受时间", "When the receiver took delivery", ORDER_23 + " 第十二条")
    lines: list[ReceivedLine] = field("接受数量", "Accepted quantity per line", ORDER_23 + " 第十二条", min_length=1)
    significant_discrepancy: bool = field(
        "重大差异", "Significant discrepancy found", ORDER_23 + " 第十八条", default=False
    )
    discrepancy_note: Text | None = field("差异说明", "What differed", ORDER_23 + " 第十八条", default=None)


class RejectAction(ContractModel):
    """Body of ``POST /manifests/{no}/reject``."""

    rejected_at: Timestamp = field("拒收时间", "When the receiver refused", ORDER_23 + " 第十二条")
    reason: Text = field("拒收原因", "Why the receiver refused", ORDER_23 + " 第十二条")


class CancelAction(ContractModel):
    """Body of ``POST /manifests/{no}/cancel``."""

    reason: Text = field("作废原因", "Why the manifest is cancelled", ORDER_23 + " 第七条")


class SubmitAction(ContractModel):
    """Body of ``POST /manifests/{no}/submit`` (nothing but the intent)."""


class Digest(BaseModel):
    """A digest over the canonical JSON of one unit's records of one resource on one day."""

    resource: str
    unit: str
    date: date
    count: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TrackAppend(ContractModel):
    """Body of ``POST /manifests/{no}/tracks``: points appended in time order."""

    points: list[TrackPoint] = Field(min_length=1, max_length=5000)


class TracksAccepted(BaseModel):
    """How many points a track append stored, and how many the manifest now has."""

    accepted: int = Field(ge=0)
    total: int = Field(ge=0)


class ReportAccepted(BaseModel):
    """An accepted operation report and the findings raised against the records it summarises."""

    report: OperationReport
    findings: list[FindingOut] = Field(default_factory=list)


LISTED_WRITE_TIME = "updated_at"
"""The field each item of a record listing carries besides the record: the national write time.

Not part of the record (the contract models forbid it); drop it before validating an item as one.
"""


class _Page(BaseModel):
    next_cursor: str | None = Field(default=None, description="Pass as cursor to get the next page; null at the end")


class ManifestPage(_Page):
    """One page of manifests."""

    items: list[Manifest]


class LedgerRecordPage(_Page):
    """One page of ledger records."""

    items: list[LedgerRecord]


class OperationRecordPage(_Page):
    """One page of operation records."""

    items: list[OperationRecord]


class TrackPointPage(_Page):
    """One page of a manifest's track points."""

    items: list[TrackPoint]
