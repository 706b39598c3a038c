"""Ledger mass balance (HJ 1259 §6): generated = stock change + shipped + processed; stock never negative."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from contracts import LedgerRecord, Severity
from contracts.rules import check_mass_balance
from tests.contracts import records
from tests.contracts.records import RECEIVER, SHIPPER

LEDGER = TypeAdapter(LedgerRecord)
CODE = "900-249-08"


def codes(findings):
    return sorted(f.code for f in findings)


def rec(kind: str, at: str, qty: str, *, unit: str = SHIPPER, code: str = CODE, batch: str | None = None):
    """A ledger record of ``kind`` built from the sample of that kind, with time, quantity, unit and code."""
    samples = {d["kind"]: d for d in records.ledger_dicts()}
    if kind == "self_process":  # no sample of this kind: adapt the outsourcing one
        template = samples["outsource"]
        for k in ("receiver_type", "receiver_name", "receiver_uscc", "receiver_license_no", "manifest_no"):
            del template[k]
        template.update(kind="self_process", facility_code="TS101", batch_code="HWZXLY20240325001")
    else:
        template = samples[kind]
    category = "HW" + code[-2:]
    template.update(
        occurred_at=f"2024-03-{at}+08:00",
        quantity_t=qty,
        unit_uscc=unit,
        waste_code=code,
        waste_category=category,
        label_ids=[],
    )
    if batch:
        template["batch_code"] = batch
    return LEDGER.validate_python(template)


def chain(q: str = "0.36"):
    return [
        rec("generate", "18T09:00:00", q),
        rec("store_in", "18T16:00:00", q),
        rec("store_out", "25T09:50:00", q),
        rec("outsource", "25T10:05:00", q),
    ]


def test_sample_ledger_balances():
    models = [LEDGER.validate_python(d) for d in records.ledger_dicts()]
    assert check_mass_balance(models) == []


def test_balanced_chain_generate_store_in_store_out_outsource():
    assert check_mass_balance(chain()) == []


def test_generate_then_process_in_house_balances():
    assert check_mass_balance([rec("generate", "18T09:00:00", "2"), rec("self_process", "18T10:00:00", "2")]) == []


def test_generate_then_ship_directly_balances():
    assert check_mass_balance([rec("generate", "18T09:00:00", "2"), rec("outsource", "18T10:00:00", "2")]) == []


def test_waste_left_in_store_balances():
    # generated 1, stored 1, half shipped: stock change 0.5 + shipped 0.5 = 1
    rs = [
        rec("generate", "18T09:00:00", "1"),
        rec("store_in", "18T10:00:00", "1"),
        rec("store_out", "19T10:00:00", "0.5"),
        rec("outsource", "19T11:00:00", "0.5"),
    ]
    assert check_mass_balance(rs) == []


def test_negative_stock_is_an_error_on_the_store_out():
    rs = [
        rec("generate", "01T09:00:00", "0.2"),
        rec("store_in", "01T10:00:00", "0.2"),
        rec("store_out", "02T09:00:00", "0.5"),
    ]
    findings = [f for f in check_mass_balance(rs) if f.code == "ledger.negative_stock"]
    assert len(findings) == 1
    (f,) = findings
    assert f.severity is Severity.ERROR
    assert f.path == "$[2].quantity_t"
    assert f.record is None
    assert Decimal(f.context["stock"]) == Decimal("-0.3")
    assert f.context["unit"] == SHIPPER and f.context["code"] == CODE


def test_negative_stock_with_refs_names_the_record():
    rs = [
        rec("store_in", "01T10:00:00", "0.2"),
        rec("store_out", "02T09:00:00", "0.5"),
        rec("generate", "01T09:00:00", "0.2"),
    ]
    refs = ["line-7", "line-8", "line-9"]
    (f,) = [f for f in check_mass_balance(rs, refs=refs) if f.code == "ledger.negative_stock"]
    assert f.record == "line-8"
    assert f.path == "$.quantity_t"


def test_negative_stock_path_uses_input_index_not_time_order():
    # the store-out is listed first but happens last
    rs = [
        rec("store_out", "03T09:00:00", "0.5"),
        rec("generate", "01T09:00:00", "0.2"),
        rec("store_in", "01T10:00:00", "0.2"),
    ]
    (f,) = [f for f in check_mass_balance(rs) if f.code == "ledger.negative_stock"]
    assert f.path == "$[0].quantity_t"


def test_records_are_taken_in_time_order_not_list_order():
    rs = chain()
    shuffled = [rs[3], rs[2], rs[0], rs[1]]
    assert check_mass_balance(shuffled) == []


def test_each_store_out_that_goes_negative_is_reported():
    rs = [
        rec("store_out", "02T09:00:00", "0.1", batch="HWCK20240302001"),
        rec("store_out", "02T10:00:00", "0.1", batch="HWCK20240302002"),
    ]
    neg = [f for f in check_mass_balance(rs) if f.code == "ledger.negative_stock"]
    assert [f.path for f in neg] == ["$[0].quantity_t", "$[1].quantity_t"]
    assert [Decimal(f.context["stock"]) for f in neg] == [Decimal("-0.1"), Decimal("-0.2")]


def test_opening_stock_allows_store_out():
    rs = [rec("store_out", "25T09:50:00", "0.36"), rec("outsource", "25T10:05:00", "0.36")]
    assert codes(check_mass_balance(rs)) == ["ledger.negative_stock"]
    opening = {(SHIPPER, CODE): Decimal("0.36")}
    # stock 0.36 - 0.36 = 0; generated 0 = stock change -0.36 + shipped 0.36
    assert check_mass_balance(rs, opening_stock=opening) == []
    # opening stock of another unit or code does not help
    assert codes(check_mass_balance(rs, opening_stock={(RECEIVER, CODE): Decimal("1")})) == ["ledger.negative_stock"]
    assert codes(check_mass_balance(rs, opening_stock={(SHIPPER, "900-041-49"): Decimal("1")})) == [
        "ledger.negative_stock"
    ]


def test_imbalance_is_a_warning():
    rs = [rec("generate", "18T09:00:00", "0.18"), rec("store_in", "18T16:00:00", "0.10")]
    findings = check_mass_balance(rs)
    assert [(f.code, f.path, f.severity) for f in findings] == [("ledger.unbalanced", "$", Severity.WARNING)]
    ctx = findings[0].context
    assert Decimal(ctx["generated"]) == Decimal("0.18")
    assert Decimal(ctx["stored"]) == Decimal("0.10")


def test_imbalance_within_one_gram_is_tolerated():
    assert check_mass_balance([rec("generate", "18T09:00:00", "1.000001"), rec("outsource", "18T10:00:00", "1")]) == []
    found = codes(
        check_mass_balance([rec("generate", "18T09:00:00", "1.000002"), rec("outsource", "18T10:00:00", "1")])
    )
    assert found == ["ledger.unbalanced"]


def test_balance_is_per_unit_and_code():
    rs = [
        *chain(),
        rec("generate", "18T09:00:00", "1", unit=RECEIVER),
        rec("generate", "18T09:00:00", "1", code="900-041-49"),
        rec("outsource", "18T10:00:00", "1", code="900-041-49"),
    ]
    findings = check_mass_balance(rs)
    assert [(f.code, f.context["unit"], f.context["code"]) for f in findings] == [("ledger.unbalanced", RECEIVER, CODE)]


def test_stock_of_one_unit_cannot_be_released_by_another():
    rs = [rec("store_in", "01T10:00:00", "1"), rec("store_out", "02T09:00:00", "1", unit=RECEIVER)]
    neg = [f for f in check_mass_balance(rs) if f.code == "ledger.negative_stock"]
    assert [f.path for f in neg] == ["$[1].quantity_t"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 10**6), min_size=1, max_size=5),
    st.integers(0, 100),
    st.randoms(use_true_random=False),
)
def test_any_consistent_ledger_balances(grams, shipped_pct, rnd: random.Random):
    """Generate N batches, store them all, take them out, and ship part and process the rest."""
    total = sum(grams)
    shipped = total * shipped_pct // 100
    processed = total - shipped
    g = lambda n: str(Decimal(n) / Decimal(10**6))  # noqa: E731
    rs = [rec("generate", f"1{i}T09:00:00", g(n), batch=f"HWCS2024031{i}001") for i, n in enumerate(grams)]
    rs.append(rec("store_in", "20T09:00:00", g(total)))
    rs.append(rec("store_out", "21T09:00:00", g(total)))
    if shipped:
        rs.append(rec("outsource", "22T09:00:00", g(shipped)))
    if processed:
        rs.append(rec("self_process", "22T10:00:00", g(processed)))
    rnd.shuffle(rs)
    assert check_mass_balance(rs) == []


@pytest.mark.parametrize("extra", ["0.000002", "0.5"])
def test_outsourcing_more_than_generated_is_unbalanced(extra):
    rs = [rec("generate", "18T09:00:00", "1"), rec("outsource", "18T10:00:00", str(Decimal(1) + Decimal(extra)))]
    assert codes(check_mass_balance(rs)) == ["ledger.unbalanced"]
