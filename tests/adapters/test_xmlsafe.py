"""Malicious XML is refused before it is parsed: DTDs, entity bombs, external entities, in any encoding."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from adapters import DataError, Rejected, Translator, UnsafeXMLError
from adapters.files import read_xlsx
from adapters.xmlsafe import check_prolog, element_to_dict, iter_elements, parse_bytes
from mappings import load_profile

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<ldxx><ldbh>&lol3;</ldbh></ldxx>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ldxx><ldbh>&x;</ldbh></ldxx>"""
HIDDEN = b"""<?xml version="1.0"?>\n<!-- a comment first -->\n<?pi x?>\n<!doctype r SYSTEM "http://example.invalid/x.dtd">\n<ldxx/>"""


@pytest.mark.parametrize(
    "doc", [BOMB, XXE, HIDDEN, BOMB.decode().encode("utf-16")], ids=["bomb", "xxe", "hidden", "utf16"]
)
def test_documents_with_a_doctype_are_refused(doc: bytes, tmp_path: Path) -> None:
    with pytest.raises(UnsafeXMLError):
        check_prolog(doc, "x.xml")
    with pytest.raises(UnsafeXMLError):
        parse_bytes(doc, "x.xml")
    path = tmp_path / "x.xml"
    path.write_bytes(doc)
    with path.open("rb") as fh, pytest.raises(UnsafeXMLError):
        list(iter_elements(fh, ["ldxx"], "x.xml"))


def test_a_refused_file_is_one_rejection_and_the_other_files_still_translate(tmp_path: Path) -> None:
    (tmp_path / "evil.xml").write_bytes(XXE)
    good = Path(__file__).parent / "data" / "legacy-soap" / "queryGjxxResponse.xml"
    results = list(Translator(load_profile("legacy-soap")).translate_files([tmp_path / "evil.xml", good]))
    assert isinstance(results[0], Rejected) and results[0].reasons[0]["code"] == "input.unsafe_xml"
    assert len(results) == 3 and not any(isinstance(r, Rejected) for r in results[1:])


def test_well_formed_xml_without_a_dtd_parses() -> None:
    root = parse_bytes(b"<?xml version='1.0'?><a><b>1</b><b>2</b><c/><d><e> x </e></d></a>", "ok.xml")
    assert element_to_dict(root) == {"b": ["1", "2"], "c": None, "d": {"e": "x"}}
    assert element_to_dict(root, frozenset({"c"})) == {"b": ["1", "2"], "c": [None], "d": {"e": "x"}}


def test_broken_xml_is_a_data_error_naming_the_file() -> None:
    with pytest.raises(DataError, match=r"broken\.xml: not well-formed"):
        parse_bytes(b"<a><b></a>", "broken.xml")


def test_an_xlsx_whose_parts_declare_a_dtd_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", XXE)
        z.writestr("xl/workbook.xml", b"<workbook/>")
    (tmp_path / "evil.xlsx").write_bytes(buf.getvalue())
    with pytest.raises(UnsafeXMLError):
        list(read_xlsx(tmp_path / "evil.xlsx", "ledger"))


def _elements(doc: bytes, monkeypatch: pytest.MonkeyPatch, *, stream: bool) -> list[tuple[str, dict[str, Any], int]]:
    """What ``iter_elements`` yields for ``doc``, read whole (the default) or streamed by ``iterparse``."""
    if stream:  # a limit below the document's size forces the streaming path
        monkeypatch.setattr("adapters.xmlsafe._WHOLE_LIMIT", 0)
        monkeypatch.setattr("adapters.xmlsafe._PROLOG_LIMIT", 16)
    out = []
    for tag, element in iter_elements(io.BytesIO(doc), ["ldxx", "gjxx"], "x.xml"):
        out.append((tag, element_to_dict(element), element.sourceline))
    monkeypatch.undo()
    return out


NESTED = b"""<?xml version="1.0"?>
<r xmlns:t="urn:t"><!-- c --><t:ldxx><a>1</a><t:gjxx><b>2</b></t:gjxx><c>3</c></t:ldxx>
<gjxx><b>4</b></gjxx><ldxx><a>5</a></ldxx></r>"""


def test_whole_documents_and_streamed_ones_give_the_same_elements(monkeypatch: pytest.MonkeyPatch) -> None:
    saved = (Path(__file__).parent / "data" / "legacy-soap" / "queryGjxxResponse.xml").read_bytes()
    for doc in (saved, NESTED):
        whole = _elements(doc, monkeypatch, stream=False)
        assert whole and whole == _elements(doc, monkeypatch, stream=True)
    # end-tag order, a nested record first, and cleared once used (its parent no longer holds it)
    assert [(t, d) for t, d, _ in _elements(NESTED, monkeypatch, stream=False)] == [
        ("gjxx", {"b": "2"}),
        ("ldxx", {"a": "1", "gjxx": None, "c": "3"}),
        ("gjxx", {"b": "4"}),
        ("ldxx", {"a": "5"}),
    ]


def test_a_truncated_document_yields_the_records_before_the_fault_then_a_data_error() -> None:
    doc = b"<r><ldxx><a>1</a></ldxx><ldxx><a>2</a></ldxx><ldxx><a>3</a>"
    got = []
    with pytest.raises(DataError, match="not well-formed"):
        for _, element in iter_elements(io.BytesIO(doc), ["ldxx"], "cut.xml"):
            got.append(element_to_dict(element))
    assert got == [{"a": "1"}, {"a": "2"}]
