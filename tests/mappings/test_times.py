"""Local date-times become offset-aware times; every form local systems write; nothing naive leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings import TRANSFORMS, TransformError
from mappings.transforms.times import parse_local, quick_local, zone

SH = zone("Asia/Shanghai")
parse = TRANSFORMS["datetime"].build({})
parse6 = TRANSFORMS["datetime"].build({"time_digits": 6})
WANT = datetime(2024, 3, 25, 8, 30, 0, tzinfo=SH)


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-25 08:30:00",
        "2024/03/25 08:30:00",
        "2024/3/25 8:30",
        "2024-3-25 8:30:00",
        "2024-03-25T08:30:00",
        "20240325083000",
        "202403250830",
        "2024年3月25日 8时30分",
        "２０２４-０３-２５ ０８:３０:００",
        "2024-03-25T00:30:00Z",
        "2024-03-25T08:30:00+08:00",
        datetime(2024, 3, 25, 8, 30),
        1711326600000,  # Java epoch milliseconds
        45376.3541666667,  # Excel serial
        "45376.354166666667",
    ],
)
def test_the_forms_local_systems_write(value: object) -> None:
    got = parse(value)
    assert got.tzinfo is not None
    assert got == WANT


def test_a_time_with_an_offset_keeps_it() -> None:
    got = parse("2024-03-25T02:30:00+02:00")
    assert got.utcoffset() == timedelta(hours=2)
    assert got == WANT


@pytest.mark.parametrize(("day", "time"), [("20240325", "083000"), ("2024-03-25", "08:30"), ("20240325", 83000)])
def test_split_date_and_time_fields(day: str, time: object) -> None:
    assert parse(day, time) == WANT


def test_a_time_of_day_that_lost_its_leading_zeros_when_the_field_is_hhmmss() -> None:
    assert parse6("20240325", "500") == datetime(2024, 3, 25, 0, 5, 0, tzinfo=SH)
    assert parse("20240325", "500") == datetime(2024, 3, 25, 5, 0, 0, tzinfo=SH)  # without the hint: HHmm


def test_a_date_alone_is_midnight_local() -> None:
    assert parse("20240325") == datetime(2024, 3, 25, tzinfo=SH)
    assert parse(date(2024, 3, 25)) == datetime(2024, 3, 25, tzinfo=SH)


def test_another_zone_can_be_named() -> None:
    urumqi = TRANSFORMS["datetime"].build({"tz": "Asia/Urumqi"})
    assert urumqi("2024-03-25 08:30:00").utcoffset() == timedelta(hours=6)


@pytest.mark.parametrize("bad", ["2024-02-30 09:00:00", "2024-13-01", "yesterday", "2024-03-25 25:00:00", True, 0])
def test_impossible_dates_are_issues(bad: object) -> None:
    with pytest.raises(TransformError) as err:
        parse(bad)
    assert err.value.code == "datetime.invalid"


def test_a_separate_time_is_refused_when_the_date_already_has_one() -> None:
    with pytest.raises(TransformError):
        parse("2024-03-25 08:30:00", "090000")


def test_date_transform_gives_the_local_calendar_day() -> None:
    to_date = TRANSFORMS["date"].build({})
    assert to_date("2024-03-24T20:00:00Z") == date(2024, 3, 25)


def test_the_zone_falls_back_to_utc8_for_china_only() -> None:
    assert zone("PRC").utcoffset(datetime(2024, 1, 1)) == timedelta(hours=8)
    with pytest.raises(ValueError):
        TRANSFORMS["datetime"].build({"tz": "Mars/Olympus"})


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@given(moments)
def test_every_written_form_reads_back_the_same_moment(moment: datetime) -> None:
    want = moment.replace(tzinfo=SH)
    assert parse(moment.strftime("%Y-%m-%d %H:%M:%S")) == want
    assert parse(moment.strftime("%Y%m%d%H%M%S")) == want
    assert parse(moment.strftime("%Y%m%d"), moment.strftime("%H%M%S")) == want
    assert parse6(moment.strftime("%Y%m%d"), str(int(moment.strftime("%H%M%S")))) == want
    assert parse(moment.replace(tzinfo=UTC)) == moment.replace(tzinfo=UTC)


# The quick path of the datetime transform (date and clock parts parsed once per distinct text) must
# read every text exactly as ``parse_local`` does, and leave whatever it does not know to it.
_SLOW = {digits: (lambda v, t=None, d=digits: parse_local(v, t, tz=SH, time_digits=d)) for digits in (None, 6)}
_FAST = {None: parse, 6: parse6}
quick_texts = st.builds(
    lambda y, mo, d, sep, clock, pad: f"{y:04d}{sep}{mo:0{pad}d}{sep}{d:0{pad}d}{clock}",
    st.integers(1980, 2040),
    st.integers(0, 14),
    st.integers(0, 32),
    st.sampled_from(["-", "/", ".", "", "年"]),
    st.sampled_from(["", " 8:30", " 08:30:00", " 23:59:59.5", " 24:00", " 9:60", "T08:30", "  8:30", " 8:3:0", " x"]),
    st.sampled_from([1, 2]),
)
time_texts = st.sampled_from([None, "", "083000", "83000", "500", "0830", "08:30", "25:00", "1261", "x", "８３０"])


def _outcome(fn: object, *args: object) -> object:
    try:
        got = fn(*args)  # type: ignore[operator]
    except TransformError as exc:
        return ("error", exc.code, str(exc))
    return (got, got.utcoffset(), got.isoformat())


@given(quick_texts, time_texts)
def test_the_quick_path_reads_as_parse_local_does(text: str, time_text: str | None) -> None:
    for digits in (None, 6):
        args = (text,) if time_text is None else (text, time_text)
        assert _outcome(_FAST[digits], *args) == _outcome(_SLOW[digits], *args)


def test_quick_local_takes_only_the_plain_forms() -> None:
    assert quick_local("2024/3/25 8:30") == (2024, 3, 25, 8, 30, 0, 0, True)
    assert quick_local("20240325") == (2024, 3, 25, 0, 0, 0, 0, False)
    for other in ("2024/2/30", "20241301", "2024-03-25T08:30", "45376.35", "2024/3/25 25:00", "2024年3月25日"):
        assert quick_local(other) is None
