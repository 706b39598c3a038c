"""Ledger mass balance (HJ 1259 §6): what was generated is stored, shipped or processed; stock never negative.

Per unit and waste code, over the records given (one period):

    opening stock + generated = closing stock + outsourced + processed in-house

where the store's stock is ``opening + Σ store_in − Σ store_out`` and must not drop below zero at any
moment. An imbalance at the end of the period is a warning (waste may lie at the generating point
across the cut-off); a negative stock is an error, since no store can release what it does not hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from ..findings import Finding, Severity, finding, register
from ..ledger import GenerateRecord, OutsourceRecord, SelfProcessRecord, StoreInRecord, StoreOutRecord

LedgerModel = GenerateRecord | StoreInRecord | StoreOutRecord | SelfProcessRecord | OutsourceRecord

register(
    "ledger.negative_stock",
    Severity.ERROR,
    "单位 {unit} 废物 {code} 出库后库存为 {stock} 吨（负数）",
    "Unit {unit} waste {code}: stock would be {stock} t after this store-out",
)
register(
    "ledger.unbalanced",
    Severity.WARNING,
    "单位 {unit} 废物 {code}：产生 {generated} 吨 ≠ 库存变化 {stored} + 委外 {shipped} + 自行利用处置 {processed}",
    "Unit {unit} waste {code}: generated {generated} t ≠ stock change {stored}"
    " + shipped {shipped} + processed {processed}",
)

_TOLERANCE = Decimal("0.000001")  # one gram: the contract's precision


def check_mass_balance(
    records: Sequence[LedgerModel],
    *,
    opening_stock: Mapping[tuple[str, str], Decimal] | None = None,
    refs: Sequence[int | str] | None = None,
) -> list[Finding]:
    """Mass balance and non-negative stock for every (unit, waste code) in ``records``.

    ``opening_stock`` gives the store's stock at the start, per (unit, code). With ``refs`` (a
    reference per record, such as its line in a file) a finding about one record carries that
    reference; without, its path says the record's index (``$[i]``).
    """
    opening = opening_stock or {}
    order = sorted(range(len(records)), key=lambda i: records[i].occurred_at)
    stock: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    totals: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    out: list[Finding] = []
    for key, value in opening.items():
        stock[key] = value
    for i in order:
        r = records[i]
        key = (r.unit_uscc, r.waste_code)
        totals[key][r.kind] += r.quantity_t
        if isinstance(r, StoreInRecord):
            stock[key] += r.quantity_t
        elif isinstance(r, StoreOutRecord):
            stock[key] -= r.quantity_t
            if stock[key] < -_TOLERANCE:
                path = "$.quantity_t" if refs is not None else f"$[{i}].quantity_t"
                f = finding("ledger.negative_stock", path, unit=key[0], code=key[1], stock=stock[key])
                out.append(f.at_record(refs[i]) if refs is not None else f)
    for key, t in totals.items():
        stored = t["store_in"] - t["store_out"]
        generated, shipped, processed = t["generate"], t["outsource"], t["self_process"]
        if abs(generated - (stored + shipped + processed)) > _TOLERANCE:
            out.append(
                finding(
                    "ledger.unbalanced",
                    "$",
                    unit=key[0],
                    code=key[1],
                    generated=generated,
                    stored=stored,
                    shipped=shipped,
                    processed=processed,
                )
            )
    return out
