"""Safe XML: refuse DTDs and entities before parsing, parse with lxml's network and entity loading off.

Two locks, either enough on its own:

1. ``check_prolog`` reads the bytes before the root element and refuses a ``<!DOCTYPE`` (which is
   where entity declarations, billion-laughs expansions and external references live). The file is
   refused, not parsed, with ``UnsafeXMLError``.
2. Every lxml parser here has ``resolve_entities=False, no_network=True, load_dtd=False,
   huge_tree=False``, and zeep gets ``Settings(forbid_dtd=True, forbid_entities=True,
   forbid_external=True)`` (see ``zeep_settings``).

``element_to_dict`` turns a record element into the dict the mapping engine reads, in one pass over
the children (much faster than a ``findtext`` per field), namespace prefixes dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from .errors import DataError, UnsafeXMLError

__all__ = [
    "XSI_NIL",
    "check_prolog",
    "element_to_dict",
    "iter_elements",
    "local_name",
    "parse_bytes",
    "safe_parser",
    "zeep_settings",
]

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_PROLOG_LIMIT = 1 << 20
_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    # UTF-8, GBK, GB18030 and Latin-1 all spell the markup characters in ASCII.
    return head.decode("latin-1").lstrip("\ufeff").removeprefix("ï»¿")


def check_prolog(head: bytes, source: str) -> None:
    """Refuse ``head`` (the first bytes of a document) when its prolog declares a DOCTYPE."""
    text = _head_text(head)
    pos = 0
    while True:
        m = _SKIP.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    rest = text[pos:].lstrip()
    if rest[:9].upper() == "<!DOCTYPE" or rest.startswith("<!ENTITY"):
        raise UnsafeXMLError(f"{source}: XML with a DOCTYPE (DTD, entities) is refused, not parsed", source=source)
    if rest.startswith("<!") or (not rest and len(head) >= _PROLOG_LIMIT):
        raise UnsafeXMLError(f"{source}: XML prolog not understood; refused", source=source)


def safe_parser(**extra: Any) -> etree.XMLParser:
    """An lxml parser that loads no DTD, resolves no entity and touches no network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, **extra
    )


def parse_bytes(data: bytes, source: str) -> Any:
    """Parse a whole document safely; returns the root element."""
    check_prolog(data[:_PROLOG_LIMIT], source)
    try:
        root = etree.fromstring(data, parser=safe_parser(remove_comments=True))
    except etree.XMLSyntaxError as exc:
        raise DataError(f"{source}: not well-formed XML ({exc})", source=source, code="input.xml_invalid") from exc
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype:
        raise UnsafeXMLError(f"{source}: XML with a DOCTYPE is refused", source=source)
    return root


def local_name(tag: str) -> str:
    """``{ns}name`` → ``name``."""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


_NAMES: dict[Any, str] = {}


def element_to_dict(element: Any, lists: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Children as a dict: text for leaves (None when empty or ``xsi:nil``), dicts for branches.

    Names in ``lists`` are always lists; another name that repeats becomes a list too.
    """
    out: dict[str, Any] = {}
    names = _NAMES
    for child in element:
        tag = child.tag
        name = names.get(tag)
        if name is None:
            if not isinstance(tag, str):  # comments and processing instructions
                continue
            name = local_name(tag)
            if len(names) < 10_000:  # a schema has few names; the cache stays small
                names[tag] = name
        tag = name
        if len(child):
            value: Any = element_to_dict(child, lists)
        else:
            # An empty or xsi:nil element has no text: None either way.
            text = child.text
            value = (text.strip() or None) if text is not None else None
        if tag in lists:
            out.setdefault(tag, []).append(value)
        elif tag in out:
            prev = out[tag]
            out[tag] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[tag] = value
    return out


_WHOLE_LIMIT = 32 << 20


def iter_elements(stream: IO[bytes], tags: list[str], source: str) -> Iterator[tuple[str, Any]]:
    """Stream the elements named ``tags`` (any namespace) out of ``stream``: ``(local name, element)``.

    Elements come in the order their end tags close, each cleared after the caller has used it. A
    document of up to 32 MiB (a saved SOAP reply is a few hundred KiB) is parsed in one call and
    walked, which costs a fifth less per record than ``iterparse``; a larger one is parsed as it is
    read, so memory stays flat. A document that is not well-formed is read by ``iterparse`` from the
    start either way, so the records before the fault are still yielded, then ``DataError``.
    """
    head = stream.read(_PROLOG_LIMIT)
    check_prolog(head, source)
    patterns = [f"{{*}}{t}" for t in tags]
    data = head
    if len(head) == _PROLOG_LIMIT:  # more to come: read up to one byte past the limit, to know
        data += stream.read(_WHOLE_LIMIT + 1 - len(head))
    if len(data) <= _WHOLE_LIMIT:
        try:
            root = etree.fromstring(data, parser=safe_parser(remove_comments=True))
        except etree.XMLSyntaxError:
            pass  # iterparse below yields what precedes the fault, then says where it is
        else:
            for _, element in etree.iterwalk(root, events=("end",), tag=patterns):
                yield local_name(element.tag), element
                element.clear()
            return
    stream.seek(0)
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=patterns,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        for _, element in context:
            yield local_name(element.tag), element
            element.clear()
            parent = element.getparent()
            # Earlier siblings are done with, unless they belong to a record still open around this one.
            if parent is not None and next(element.iterancestors(*patterns), None) is None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise DataError(f"{source}: not well-formed XML ({exc})", source=source, code="input.xml_invalid") from exc


def zeep_settings(**extra: Any) -> Any:
    """Zeep ``Settings`` that refuse DTDs and entities and fetch nothing external."""
    from zeep import Settings

    return Settings(forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False, **extra)
