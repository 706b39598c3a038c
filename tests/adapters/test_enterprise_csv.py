"""The drop-folder adapter and the CSV/XLSX readers: bookmarks per file and line, encodings, bad rows alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from adapters import Bookmark, ConfigurationError, Rejected, Translator
from adapters.enterprise_csv import EnterpriseCsvAdapter
from adapters.files import decode, read_csv, sniff_delimiter, stream_for_file
from contracts import Validator
from mocks.local import Generator, enterprise_csv


def reader(folder: Path, **config: object) -> EnterpriseCsvAdapter:
    return EnterpriseCsvAdapter({"folder": str(folder), "settle_seconds": 0, **config})


def test_a_bookmark_per_file_and_line_reads_only_what_is_new(tmp_path: Path) -> None:
    gen = Generator(31)
    records = gen.ledger(2)
    for r in records[:5]:
        enterprise_csv.write_event(tmp_path, r, day="20240301")
    first = list(reader(tmp_path).read(None))
    assert [r.position.line for r in first] == [2, 3, 4, 5, 6]
    bookmark = Bookmark()
    for r in first:
        bookmark = bookmark.advanced(r)
    assert bookmark.values == {"ledger/台账导出-20240301.csv": 6}
    for r in records[5:]:  # the plant's software appends the rest of the day, then starts a new file
        enterprise_csv.write_event(tmp_path, r, day="20240301")
    enterprise_csv.write_event(tmp_path, gen.ledger(1)[0], day="20240302")
    later = list(reader(tmp_path).read(bookmark))
    assert [(Path(r.position.source).name, r.position.line) for r in later] == [
        ("台账导出-20240301.csv", 7),
        ("台账导出-20240301.csv", 8),
        ("台账导出-20240301.csv", 9),
        ("台账导出-20240302.csv", 2),
    ]


def test_files_still_being_written_wait_for_the_next_read(tmp_path: Path) -> None:
    enterprise_csv.write_event(tmp_path, Generator(32).ledger(1)[0], day="20240301")
    assert list(reader(tmp_path, settle_seconds=60.0).read(None)) == []
    old = time.time() - 120
    for p in tmp_path.iterdir():
        os.utime(p, (old, old))
    assert len(list(reader(tmp_path, settle_seconds=60.0).read(None))) == 1


def test_a_row_with_bad_bytes_is_rejected_alone(tmp_path: Path) -> None:
    rows = [enterprise_csv.render_row(r) for r in Generator(33).ledger(1)]
    data = enterprise_csv.csv_bytes(rows, encoding="gbk").split(b"\r\n")
    data[2] = data[2].replace("入库".encode("gbk"), b"\xff\xfe\xfd")  # a corrupted row
    path = tmp_path / "x.csv"
    path.write_bytes(b"\r\n".join(data))
    results = list(Translator(EnterpriseCsvAdapter.profile()).translate_files([path]))
    rejected = [r for r in results if isinstance(r, Rejected)]
    assert len(results) == 4 and len(rejected) == 1
    assert rejected[0].position.line == 3 and rejected[0].reasons[0]["code"] == "input.encoding"


def test_a_row_longer_than_its_header_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("台账类型,批次编码\n产生,HWCS20240301001,多余\n", encoding="utf-8")
    (record,) = list(read_csv(path, "ledger"))
    assert record.problem is not None and record.problem.code == "input.csv_extra_cells"


def test_an_unreadable_file_is_reported_on_every_read_without_a_bookmark(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (found,) = list(reader(tmp_path).read(None))
    assert found.problem is not None and found.problem.code == "input.xlsx_invalid" and found.cursor is None
    assert len(list(reader(tmp_path).read(Bookmark()))) == 1


def test_duplicate_headers_refuse_the_file(tmp_path: Path) -> None:
    (tmp_path / "dup.csv").write_text("数量,数量\n1,2\n", encoding="utf-8")
    (found,) = list(reader(tmp_path).read(None))
    assert found.problem is not None and "appears twice" in found.problem.message_en


def test_xlsx_sheets_by_name(tmp_path: Path) -> None:
    records = Generator(34).ledger(1)
    enterprise_csv.write_xlsx(tmp_path / "a.xlsx", records, sheet="危废台账")
    got = list(reader(tmp_path, sheet="危废台账").read(None))
    assert [r.position.sheet for r in got] == ["危废台账"] * 4 and got[0].position.line == 2
    (bad,) = list(reader(tmp_path, sheet="台账").read(None))
    assert bad.problem is not None and "no sheet" in bad.problem.message_en


def test_decoding_rules() -> None:
    text = "台账类型,数量\n产生,1\n"
    assert decode(text.encode("utf-8"))[:2] == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"))[:2] == (text, "utf-8-sig")
    assert decode(text.encode("gbk"))[:2] == (text, "gb18030")
    assert decode(("\ufeff" + text).encode("gb18030"))[:2] == (text, "gb18030")
    assert decode(text.encode("utf-16"))[:2] == (text, "utf-16")  # Excel "Unicode text"
    assert decode(b"\xff\x00abc")[2] is False


def test_delimiters_are_sniffed() -> None:
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a") == ","


def test_a_missing_drop_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        reader(tmp_path / "nope")


def test_operation_books_and_reports_are_streams_of_their_own_and_translate_back(tmp_path: Path) -> None:
    gen = Generator(35)
    records = gen.operations(3, month=5)
    report = gen.report(records)
    annual = gen.report(records, period_type="annual")
    for r in records:
        enterprise_csv.write_operation(tmp_path, r)
    enterprise_csv.write_report(tmp_path, report)
    enterprise_csv.write_report(tmp_path, annual)
    enterprise_csv.write_event(tmp_path, gen.ledger(1)[0], day="20240501")
    read = list(reader(tmp_path).read(None))
    # stream by stream, so a report comes after the records read with it
    assert [r.stream for r in read] == ["ledger"] + ["operation"] * 9 + ["report"] * 2
    assert read[1].cursor == ("operation/经营记录-202405.csv", 2)
    results = [Translator(EnterpriseCsvAdapter.profile()).translate_one(r) for r in read]
    assert not [r for r in results if isinstance(r, Rejected)]
    got = [r.model.model_dump(mode="json") for r in results[1:]]  # type: ignore[union-attr]
    want = [Validator("operation").validate_python(r).model for r in records]
    want += [Validator("operation-report").validate_python(r).model for r in (annual, report)]
    assert got == [m.model_dump(mode="json") for m in want if m is not None]


def test_the_most_specific_file_pattern_decides_the_stream() -> None:
    profile = EnterpriseCsvAdapter.profile()
    streams = list(profile.streams)
    assert stream_for_file(Path("经营记录-202403.csv"), profile.source, streams, None) == "operation"
    assert stream_for_file(Path("经营报表-2024.xlsx"), profile.source, streams, None) == "report"
    assert stream_for_file(Path("台账导出-20240301.csv"), profile.source, streams, None) == "ledger"
    source = {"streams": {"a": {"files": ["x*.csv"]}, "b": {"files": ["*y.csv"]}}}
    with pytest.raises(ConfigurationError, match="all match"):
        stream_for_file(Path("xy.csv"), source, ["a", "b"], None)
