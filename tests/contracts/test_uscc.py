"""统一社会信用代码 (GB 32100-2015): format, check character, and the severities of each failure."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, note, settings
from hypothesis import strategies as st

from contracts import Severity
from contracts.identifiers import USCC_ALPHABET, check_uscc, uscc_check_char
from tests.contracts.strategies import (
    EXCLUDED_LETTERS,
    GB32100_WEIGHTS,
    ILLEGAL_ID_CHARS,
    USCC_CHARS,
    gb32100_check_char,
    uscc_bodies,
    usccs,
)

PATH = "$.uscc"


def codes(findings):
    return sorted(f.code for f in findings)


def test_own_implementation_matches_the_standard_tables():
    # 31 characters: ten digits and the 21 capitals left after removing I, O, S, V and Z.
    assert len(USCC_CHARS) == 31
    assert set(USCC_CHARS) == set(string.digits + string.ascii_uppercase) - set(EXCLUDED_LETTERS)
    assert tuple(3**i % 31 for i in range(17)) == GB32100_WEIGHTS
    assert USCC_ALPHABET == USCC_CHARS


@pytest.mark.parametrize("code", ["91130200699229617X", "91350100M000100Y43"])
def test_worked_examples_pass(code):
    assert gb32100_check_char(code[:17]) == code[17]
    assert check_uscc(code, PATH) == []


def test_pilot_code_with_wrong_check_character_is_only_a_warning():
    # 福州's early pilot code: its check character by the formula would be 1, not M.
    assert gb32100_check_char("91350100M0001TGQX") == "1"
    findings = check_uscc("91350100M0001TGQXM", PATH)
    assert codes(findings) == ["uscc.checksum"]
    (f,) = findings
    assert f.severity is Severity.WARNING
    assert f.path == PATH
    assert f.context == {"value": "91350100M0001TGQXM", "expected": "1"}


@settings(max_examples=200, deadline=None)
@given(uscc_bodies)
def test_check_char_agrees_with_independent_implementation(body):
    assert uscc_check_char(body) == gb32100_check_char(body)


@settings(max_examples=200, deadline=None)
@given(usccs)
def test_every_generated_code_is_clean(code):
    assert check_uscc(code, PATH) == []


def _replacement_chars():
    return st.one_of(
        st.sampled_from(USCC_CHARS),
        st.sampled_from(EXCLUDED_LETTERS + ILLEGAL_ID_CHARS),
        st.characters(codec="utf-8"),
    )


def _format_ok(code: str) -> bool:
    """Independent structural oracle: ASCII only, positions 1-2 and 9-18 from the 31, 3-8 ASCII digits."""
    return (
        len(code) == 18
        and all(c in USCC_CHARS for c in code[:2] + code[8:])
        and all(c in string.digits for c in code[2:8])
    )


@settings(max_examples=300, deadline=None, report_multiple_bugs=False)
@given(usccs, st.integers(0, 17), _replacement_chars())
@example("91350100M000100Y43", 8, "O")
@example("91350100M000100Y43", 0, "s")
def test_every_single_character_corruption_is_found(code, pos, ch):
    if ch == code[pos]:
        ch = USCC_CHARS[(USCC_CHARS.index(ch) + 1) % 31] if ch in USCC_CHARS else "?"
    bad = code[:pos] + ch + code[pos + 1 :]
    note(f"corrupted code: {bad!r} (position {pos + 1})")
    findings = check_uscc(bad, PATH)
    assert len(findings) == 1, bad
    (f,) = findings
    if _format_ok(bad):
        # Any change of one character inside the alphabet changes Σ Ci·Wi by a non-zero multiple
        # of a weight that is invertible mod 31, so the check character can never still fit.
        assert f.code == "uscc.checksum"
        assert f.severity is Severity.WARNING
    else:
        assert f.code == "uscc.format"
        assert f.severity is Severity.ERROR
    assert f.path == PATH


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91130200699229617",  # 17 characters
        "91130200699229617XX",  # 19 characters
        "91130200699229617x",  # lowercase check character
        "9113020069922961 X",
        "91A30200699229617X",  # letter among the region digits
        "91130200699229617X\n",  # trailing newline
        " 91130200699229617X",
        "9113020069922961７X",  # full-width digit in the body
    ],
)
def test_malformed_codes_are_format_errors(value):
    findings = check_uscc(value, PATH)
    assert codes(findings) == ["uscc.format"]
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize(
    "value",
    [
        "91１30200699229617X",  # full-width digit among the six region digits
        "9113０200699229617X",
        "911302٠0699229617X",  # Arabic-Indic digit
        "91３５０１００M000100Y43",  # the whole region part full-width
    ],
)
def test_non_ascii_digits_in_the_region_part_are_format_errors(value):
    # Positions 3-8 are the ASCII digits of GB/T 2260; other Unicode decimal digits are not part of
    # the code's character set. The check must say so, not crash.
    findings = check_uscc(value, PATH)
    assert codes(findings) == ["uscc.format"]
