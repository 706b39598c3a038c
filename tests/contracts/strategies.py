"""Hypothesis strategies shared by the contract tests.

The credit-code strategy carries its own GB 32100-2015 check-character implementation (written from
the standard, not imported from ``contracts``), so that the property tests compare two independent
implementations.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from contracts import (
    ApprovalItem,
    Carrier,
    Contact,
    Form,
    GenerateRecord,
    Hazard,
    Label,
    License,
    LicenseStatus,
    LicenseType,
    ManagementClass,
    Manifest,
    ManifestItem,
    ManifestStatus,
    Method,
    OperationKind,
    OperationRecord,
    OperationReport,
    OutsourceRecord,
    Party,
    Purpose,
    ReceiverType,
    ReportLine,
    SelfProcessRecord,
    StoreInRecord,
    StoreOutRecord,
    TrackBatch,
    TrackPoint,
    TransferApproval,
    TransportMode,
    Unit,
)
from contracts.codelists import editions, regions

# --- GB 32100-2015, independently -------------------------------------------------------------

# The 31 characters of the code (the Latin alphabet without I, O, S, V, Z), valued 0..30 in order.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# W_i = 3^(i-1) mod 31 for positions 1..17 (table 3 of the standard), written out.
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def gb32100_check_char(body17: str) -> str:
    """C18 = 31 - MOD(Σ Ci × Wi, 31), where 31 stands for 0."""
    if len(body17) != 17:
        raise ValueError("need the first 17 characters")
    total = 0
    for pos, ch in enumerate(body17):
        total += USCC_CHARS.index(ch) * GB32100_WEIGHTS[pos]
    c18 = 31 - total % 31
    return USCC_CHARS[0 if c18 == 31 else c18]


uscc_bodies = st.builds(
    lambda a, b, c: a + b + c,
    st.text(USCC_CHARS, min_size=2, max_size=2),  # registration authority and unit type
    st.text(string.digits, min_size=6, max_size=6),  # region code of the registration authority
    st.text(USCC_CHARS, min_size=9, max_size=9),  # organisation code body
)
usccs = uscc_bodies.map(lambda body: body + gb32100_check_char(body))

# Characters that are never legal anywhere in a credit code or any other national identifier of the
# contract: lowercase, non-ASCII digits (which str.isdigit and regex \d both accept), whitespace.
NON_ASCII_DIGITS = "０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۴߁"
ILLEGAL_ID_CHARS = "abcdefghijklmnopqrstuvwxyziosvz" + NON_ASCII_DIGITS + "²³¹\n\t \u00a0\u3000é"
# Letters the credit code leaves out on purpose.
EXCLUDED_LETTERS = "IOSVZ"

# --- code lists --------------------------------------------------------------------------------

_EDITION = editions()[0]
WASTE_CODES = tuple(sorted(_EDITION.entries))
waste_codes = st.sampled_from(WASTE_CODES)
COUNTY_CODES = tuple(sorted(regions().counties))
region_codes = st.one_of(st.sampled_from(COUNTY_CODES), st.text(string.digits, min_size=6, max_size=6))
province_codes = st.text(string.digits, min_size=2, max_size=2)
categories = st.builds(lambda n: f"HW{n:02d}", st.integers(0, 99))
hazard_lists = st.lists(st.sampled_from(Hazard), min_size=1, max_size=5, unique=True)
manifest_numbers = st.text(string.digits, min_size=14, max_size=14)

# --- text --------------------------------------------------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
ANY_CHAR = st.characters(codec="utf-8")  # any code point but the surrogates
chars = st.one_of(CJK, ANY_CHAR)


def texts(min_size: int = 1, max_size: int = 30) -> st.SearchStrategy[str]:
    """Text mixing Chinese with anything else (controls, emoji, RTL, whitespace...)."""
    return st.text(chars, min_size=min_size, max_size=max_size)


names = texts(1, 24)
phones = st.text("0123456789+-() ", min_size=5, max_size=32)
_SHORT = string.ascii_letters + string.digits + "-_/()〔〕号苏环危转"
short_codes = st.text(st.one_of(st.sampled_from(_SHORT), CJK), min_size=1, max_size=40)
batch_codes = st.text(string.ascii_letters + string.digits + "_-", min_size=3, max_size=40)
facility_codes = st.text(string.ascii_letters + string.digits + "_-", min_size=2, max_size=40)
record_ids = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=64)
qr_payloads = st.builds(
    lambda scheme, rest: f"{scheme}://{rest}",
    st.sampled_from(["http", "https"]),
    st.text(string.ascii_letters + string.digits + "./-_?=&%#", min_size=1, max_size=80),
)

# --- numbers and times -------------------------------------------------------------------------


def decimals(*, places: int = 6, max_int_digits: int = 12, positive: bool = False) -> st.SearchStrategy[Decimal]:
    """Decimals with 0..``places`` decimal places (trailing zeros kept, e.g. ``1.250000``)."""
    return st.builds(
        lambda n, k: Decimal(n).scaleb(-k),
        st.integers(1 if positive else 0, 10**max_int_digits - 1),
        st.integers(0, places),
    )


tonnes = decimals()
positive_tonnes = decimals(positive=True)
litres = decimals(places=3, max_int_digits=9, positive=True)

offsets = st.one_of(
    st.just(UTC),
    st.sampled_from([timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)), timezone(timedelta(hours=5.75))]),
    st.integers(-14 * 60 + 1, 14 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m))),
)
aware_datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31), timezones=offsets)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))

# --- identifiers in their national forms -------------------------------------------------------

PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36: no I, no O
_PLATE_CHARS = PLATE_LETTERS + string.digits


def _plate(prov: str, letter: str, body: str) -> str:
    return prov + letter + body


plate_bodies = st.one_of(
    st.text(_PLATE_CHARS, min_size=5, max_size=5),  # ordinary
    st.builds(
        lambda a, b, c: a + b + c,
        st.sampled_from("DF"),
        st.sampled_from(_PLATE_CHARS),
        st.text(string.digits, min_size=4, max_size=4),
    ),
    st.builds(lambda a, b: a + b, st.text(string.digits, min_size=5, max_size=5), st.sampled_from("DF")),
    st.text(_PLATE_CHARS, min_size=4, max_size=4).map(lambda s: s + "挂"),
)
plates = st.builds(_plate, st.sampled_from(PROVINCE_ABBR), st.sampled_from(PLATE_LETTERS), plate_bodies)


@st.composite
def label_ids(draw: st.DrawFn) -> str:
    """A 数字识别码 in the default split: credit code 18 + waste code 8 + date 8 + sequence 3."""
    return (
        draw(usccs)
        + draw(waste_codes).replace("-", "")
        + draw(dates).strftime("%Y%m%d")
        + f"{draw(st.integers(0, 999)):03d}"
    )


any_label_ids = st.one_of(label_ids(), st.text(string.digits + string.ascii_uppercase, min_size=37, max_size=37))

# --- models ------------------------------------------------------------------------------------

ABSENT: Any = object()


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """An optional field: left out, explicitly null, or present."""
    return st.one_of(st.just(ABSENT), st.none(), strategy)


def build(model: Any, **fields: Any) -> Any:
    return model(**{k: v for k, v in fields.items() if v is not ABSENT})


contacts = st.builds(Contact, person=names, phone=phones)

units = st.builds(
    Unit,
    uscc=usccs,
    name=names,
    region_code=region_codes,
    address=texts(1, 60),
    contact=contacts,
    management_class=st.sampled_from(ManagementClass),
)


@st.composite
def licences(draw: st.DrawFn) -> License:
    return build(
        License,
        number=draw(short_codes),
        holder_uscc=draw(usccs),
        holder_name=draw(names),
        license_type=draw(st.sampled_from(LicenseType)),
        categories=draw(st.one_of(st.just(ABSENT), st.lists(categories, max_size=5))),
        codes=draw(st.one_of(st.just(ABSENT), st.lists(waste_codes, max_size=5))),
        methods=draw(st.lists(st.sampled_from(Method), min_size=1, max_size=4)),
        annual_scale_t=draw(positive_tonnes),
        valid_from=draw(dates),
        valid_to=draw(dates),
        status=draw(st.sampled_from(LicenseStatus)),
    )


approvals = st.builds(
    TransferApproval,
    number=short_codes,
    origin_province=province_codes,
    receiving_province=province_codes,
    shipper_uscc=usccs,
    receiver_uscc=usccs,
    items=st.lists(st.builds(ApprovalItem, waste_code=waste_codes, approved_t=positive_tonnes), min_size=1, max_size=4),
    valid_from=dates,
    valid_to=dates,
)


@st.composite
def labels(draw: st.DrawFn) -> Label:
    code = draw(waste_codes)
    return build(
        Label,
        label_id=draw(any_label_ids),
        waste_name=draw(names),
        waste_category="HW" + code[-2:],
        waste_code=code,
        form=draw(st.sampled_from(Form)),
        hazards=draw(hazard_lists),
        main_components=draw(texts()),
        harmful_components=draw(texts()),
        precautions=draw(texts()),
        producer_uscc=draw(usccs),
        producer_name=draw(names),
        contact=draw(contacts),
        produced_date=draw(dates),
        weight_t=draw(positive_tonnes),
        container_type=draw(names),
        container_volume_l=draw(litres),
        qr_payload=draw(qr_payloads),
        remarks=draw(maybe(st.text(chars, max_size=100))),
        issued_at=draw(maybe(aware_datetimes)),
    )


@st.composite
def _ledger_base(draw: st.DrawFn) -> dict[str, Any]:
    code = draw(waste_codes)
    return {
        "unit_uscc": draw(usccs),
        "batch_code": draw(batch_codes),
        "occurred_at": draw(aware_datetimes),
        "waste_name": draw(names),
        "internal_name": draw(maybe(st.text(chars, max_size=50))),
        "waste_category": draw(st.one_of(st.just("HW" + code[-2:]), categories)),
        "waste_code": code,
        "form": draw(st.sampled_from(Form)),
        "hazards": draw(hazard_lists),
        "quantity_t": draw(positive_tonnes),
        "container_type": draw(names),
        "container_count": draw(st.integers(0, 100000)),
        "label_ids": draw(st.one_of(st.just(ABSENT), st.lists(any_label_ids, max_size=3))),
        "handler": draw(names),
    }


upstreams = st.lists(batch_codes, min_size=1, max_size=3)


@st.composite
def generate_records(draw: st.DrawFn) -> GenerateRecord:
    return build(
        GenerateRecord,
        **draw(_ledger_base()),
        kind="generate",
        facility_code=draw(facility_codes),
        destination=draw(maybe(texts())),
    )


@st.composite
def store_in_records(draw: st.DrawFn) -> StoreInRecord:
    return build(
        StoreInRecord,
        **draw(_ledger_base()),
        kind="store_in",
        facility_code=draw(facility_codes),
        facility_type=draw(names),
        upstream_batch_codes=draw(upstreams),
    )


@st.composite
def store_out_records(draw: st.DrawFn) -> StoreOutRecord:
    return build(
        StoreOutRecord,
        **draw(_ledger_base()),
        kind="store_out",
        facility_code=draw(facility_codes),
        facility_type=draw(names),
        upstream_batch_codes=draw(upstreams),
        destination=draw(maybe(texts())),
    )


@st.composite
def self_process_records(draw: st.DrawFn) -> SelfProcessRecord:
    return build(
        SelfProcessRecord,
        **draw(_ledger_base()),
        kind="self_process",
        purpose=draw(st.sampled_from(Purpose)),
        facility_code=draw(facility_codes),
        method=draw(st.sampled_from(Method)),
        completed_at=draw(maybe(aware_datetimes)),
        upstream_batch_codes=draw(upstreams),
    )


@st.composite
def outsource_records(draw: st.DrawFn) -> OutsourceRecord:
    return build(
        OutsourceRecord,
        **draw(_ledger_base()),
        kind="outsource",
        purpose=draw(st.sampled_from(Purpose)),
        method=draw(st.sampled_from(Method)),
        receiver_type=draw(st.sampled_from(ReceiverType)),
        receiver_name=draw(names),
        receiver_uscc=draw(maybe(usccs)),
        receiver_license_no=draw(maybe(short_codes)),
        manifest_no=draw(maybe(manifest_numbers)),
        upstream_batch_codes=draw(upstreams),
    )


LEDGER_STRATEGIES = {
    "generate": generate_records(),
    "store_in": store_in_records(),
    "store_out": store_out_records(),
    "self_process": self_process_records(),
    "outsource": outsource_records(),
}
ledger_records = st.one_of(*LEDGER_STRATEGIES.values())


def _party_fields(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "uscc": draw(usccs),
        "name": draw(names),
        "region_code": draw(region_codes),
        "address": draw(texts(1, 60)),
        "contact": draw(contacts),
    }


@st.composite
def parties(draw: st.DrawFn) -> Party:
    return Party(**_party_fields(draw))


@st.composite
def carriers(draw: st.DrawFn) -> Carrier:
    return build(
        Carrier,
        **_party_fields(draw),
        leg=draw(st.integers(1, 20)),
        mode=draw(st.one_of(st.just(ABSENT), st.sampled_from(TransportMode))),
        vehicle_plate=draw(plates),
        road_permit_no=draw(short_codes),
        driver=draw(maybe(names)),
    )


@st.composite
def manifest_items(draw: st.DrawFn) -> ManifestItem:
    code = draw(waste_codes)
    return build(
        ManifestItem,
        line_no=draw(st.integers(1, 999)),
        waste_code=code,
        waste_name=draw(names),
        waste_category="HW" + code[-2:],
        form=draw(st.sampled_from(Form)),
        hazards=draw(hazard_lists),
        packaging=draw(names),
        package_count=draw(st.integers(1, 100000)),
        quantity_t=draw(positive_tonnes),
        method=draw(st.sampled_from(Method)),
        label_ids=draw(st.one_of(st.just(ABSENT), st.lists(label_ids(), max_size=2))),
        received_t=draw(maybe(tonnes)),
    )


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    return build(
        Manifest,
        manifest_no=draw(maybe(manifest_numbers)),
        local_ref=draw(maybe(texts(1, 20))),
        status=draw(st.one_of(st.just(ABSENT), st.sampled_from(ManifestStatus))),
        shipper=draw(parties()),
        carriers=draw(st.lists(carriers(), min_size=1, max_size=2)),
        receiver=draw(parties()),
        receiver_license_no=draw(short_codes),
        approval_no=draw(maybe(short_codes)),
        items=draw(st.lists(manifest_items(), min_size=1, max_size=2)),
        emergency_measures=draw(maybe(texts(1, 80))),
        created_at=draw(aware_datetimes),
        dispatched_at=draw(maybe(aware_datetimes)),
        received_at=draw(maybe(aware_datetimes)),
        significant_discrepancy=draw(st.one_of(st.just(ABSENT), st.booleans())),
        discrepancy_note=draw(maybe(texts())),
        rejection_reason=draw(maybe(texts())),
    )


@st.composite
def track_points(draw: st.DrawFn) -> TrackPoint:
    return build(
        TrackPoint,
        recorded_at=draw(aware_datetimes),
        lat=draw(st.floats(-90, 90, allow_nan=False)),
        lon=draw(st.floats(-180, 180, allow_nan=False)),
        speed_kmh=draw(st.one_of(st.just(ABSENT), st.floats(0, 250, allow_nan=False))),
        heading_deg=draw(st.one_of(st.just(ABSENT), st.floats(0, 360, exclude_max=True, allow_nan=False))),
        vehicle_plate=draw(maybe(plates)),
    )


track_batches = st.builds(
    TrackBatch, manifest_no=manifest_numbers, points=st.lists(track_points(), min_size=1, max_size=5)
)


@st.composite
def operation_records(draw: st.DrawFn) -> OperationRecord:
    code = draw(waste_codes)
    return build(
        OperationRecord,
        record_id=draw(record_ids),
        license_no=draw(short_codes),
        unit_uscc=draw(usccs),
        kind=draw(st.sampled_from(OperationKind)),
        occurred_at=draw(aware_datetimes),
        waste_code=code,
        waste_category="HW" + code[-2:],
        waste_name=draw(names),
        quantity_t=draw(positive_tonnes),
        manifest_no=draw(maybe(manifest_numbers)),
        source_uscc=draw(maybe(usccs)),
        facility_code=draw(maybe(st.text(chars, max_size=40))),
        method=draw(maybe(st.sampled_from(Method))),
        operator=draw(names),
    )


report_lines = st.builds(
    ReportLine,
    waste_code=waste_codes,
    opening_stock_t=tonnes,
    received_t=tonnes,
    utilised_t=tonnes,
    disposed_t=tonnes,
    closing_stock_t=tonnes,
)


@st.composite
def operation_reports(draw: st.DrawFn) -> OperationReport:
    period_type = draw(st.sampled_from(["monthly", "annual"]))
    year = draw(st.integers(1990, 2099))
    period = f"{year}-{draw(st.integers(1, 12)):02d}" if period_type == "monthly" else str(year)
    return OperationReport(
        license_no=draw(short_codes),
        unit_uscc=draw(usccs),
        period_type=period_type,
        period=period,
        submitted_at=draw(aware_datetimes),
        lines=draw(st.lists(report_lines, min_size=1, max_size=4)),
    )
