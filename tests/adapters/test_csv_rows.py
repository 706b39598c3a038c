"""The CSV reader's fast path (a line without quotes split on the delimiter) reads what ``csv.reader`` reads."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.files._csv import _rows


def _csv_rows(text: str, sep: str) -> list[tuple[int, int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    out, last = [], 0
    for row in reader:
        start, last = last + 1, reader.line_num
        out.append((start, last, row))
    return out


cells = st.text(
    alphabet=st.sampled_from(["a", "全", " ", ",", "\t", ";", '"', "\n", "\r", "\u2028", "\x0c"]), max_size=6
)
lines = st.lists(cells, min_size=0, max_size=5)
ends = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(lines, ends), max_size=6), st.sampled_from([",", "\t", ";"]), st.booleans())
def test_rows_are_what_csv_reader_reads(rows: list[tuple[list[str], str]], sep: str, quote_all: bool) -> None:
    # Both rows csv.writer writes (quoted where needed) and raw text with stray quotes and line breaks.
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=sep, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    for cells_, end in rows:
        writer.writerow(cells_)
        buf.seek(buf.tell() - 2)  # csv.writer ends rows with \r\n: use the generated ending instead
        buf.truncate()
        buf.write(end)
    written = buf.getvalue()
    raw = "".join(sep.join(c) + end for c, end in rows)
    for text in (written, raw, raw.rstrip("\r\n")):
        assert list(_rows(text, sep)) == _csv_rows(text, sep)


def test_a_quoted_cell_with_line_breaks_spans_lines_and_plain_lines_around_it_are_split() -> None:
    text = 'a,b\r\n1,"x\ny,z"\r\n2,3\r\n\r\n4,"q"\n'
    assert (
        list(_rows(text, ","))
        == _csv_rows(text, ",")
        == [
            (1, 1, ["a", "b"]),
            (2, 3, ["1", "x\ny,z"]),
            (4, 4, ["2", "3"]),
            (5, 5, []),
            (6, 6, ["4", "q"]),
        ]
    )
