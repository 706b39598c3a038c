"""The national contract, version 2024.1: models, code lists, identifier validators and business rules.

This floor imports nothing else of hazlink. Everything above it (adapters, mocks, conformance)
speaks this contract.
"""

from ._base import CONTRACT_VERSION, Contact, Form, Hazard, Method
from .approval import ApprovalItem, TransferApproval
from .findings import CATALOG, Finding, Severity, has_errors
from .label import Label
from .ledger import (
    GenerateRecord,
    LedgerKind,
    LedgerRecord,
    OutsourceRecord,
    Purpose,
    ReceiverType,
    SelfProcessRecord,
    StoreInRecord,
    StoreOutRecord,
)
from .license import License, LicenseStatus, LicenseType
from .manifest import Carrier, Manifest, ManifestItem, ManifestStatus, Party, TrackBatch, TrackPoint, TransportMode
from .operation import OperationKind, OperationRecord, OperationReport, ReportLine
from .unit import ManagementClass, Unit
from .validation import KINDS, Outcome, Validator

__all__ = [
    "CATALOG",
    "CONTRACT_VERSION",
    "KINDS",
    "ApprovalItem",
    "Carrier",
    "Contact",
    "Finding",
    "Form",
    "GenerateRecord",
    "Hazard",
    "Label",
    "LedgerKind",
    "LedgerRecord",
    "License",
    "LicenseStatus",
    "LicenseType",
    "ManagementClass",
    "Manifest",
    "ManifestItem",
    "ManifestStatus",
    "Method",
    "OperationKind",
    "OperationRecord",
    "OperationReport",
    "Outcome",
    "OutsourceRecord",
    "Party",
    "Purpose",
    "ReceiverType",
    "ReportLine",
    "SelfProcessRecord",
    "Severity",
    "StoreInRecord",
    "StoreOutRecord",
    "TrackBatch",
    "TrackPoint",
    "TransferApproval",
    "TransportMode",
    "Unit",
    "Validator",
    "has_errors",
]
