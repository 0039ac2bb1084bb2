"""JATS XML articles (PubMed Central, publishers): ``<xref ref-type="bibr">`` citations.

The article is read with :mod:`defusedxml` (a ``DOCTYPE`` is allowed but its DTD is never
fetched, and entity declarations are refused). The abstract and the body are flattened
one block per line (paragraphs, titles as ``# ...`` headings, table cells, captions,
list items); formulas are left out. Each run of bibliography cross-references is written
as one pandoc marker ``[@rid; ...]``, so ``(<xref>Katz, 2003</xref>; <xref>Liliang,
2011</xref>)`` is one citation of two works, and a range written as first xref, dash,
last xref (``<xref rid="B3">3</xref>-<xref rid="B6">6</xref>``, any dash) cites every entry of the
reference list between them. A narrative ``<xref>Katz et al. (2003)</xref>`` keeps its
names in the text. Each ``<ref>`` of the ``<ref-list>`` becomes a
:class:`~evidence.model.Reference` under its ``id``, from its ``element-citation``,
``mixed-citation`` or ``nlm-citation``: names, title, source, year, volume, pages and
``pub-id`` (PMID, DOI, PMCID); an unstructured citation is read as a list entry.
Locations are the line of the XML file where the block starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

from evidence.errors import SourceLocation
from evidence.extract.markdown import mask_markdown_code, mask_markdown_markup
from evidence.extract.package import parse_xml
from evidence.extract.reader import ArticleFormat, Decoded
from evidence.extract.reflist import parse_reference_line
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Name, Reference

__all__ = ["FORMAT", "read_jats"]

# Elements whose text starts a new block (paragraph) of the flattened article.
_BLOCKS = frozenset(
    {"p", "title", "td", "th", "list-item", "caption", "label", "disp-quote", "def", "term"}
)
# Elements whose text is never prose.
_SKIP = frozenset(
    {
        "disp-formula",
        "inline-formula",
        "tex-math",
        "mml:math",
        "math",
        "object-id",
        "table-wrap-foot",
        "graphic",
        "media",
        "fn-group",
        "ack",
        "app-group",
        "glossary",
        "ref-list",
        "contrib-group",
        "aff",
        "author-notes",
        "permissions",
        "funding-group",
        "kwd-group",
        "article-categories",
        "title-group",
        "journal-meta",
        "pub-date",
        "history",
        "counts",
        "custom-meta-group",
    }
)
_SEPARATOR = re.compile(r"[\s,;\u2009\u00a0]*")
_RANGE_DASH = re.compile(r"[\s\u2009\u00a0]*[-\u2010-\u2014\u2212][\s\u2009\u00a0]*")
_NARRATIVE = re.compile(r"(?P<names>.*\S)\s*\((?P<year>\d{4}[a-z]?)\)\s*$", re.S)


@dataclass
class _Xref:
    rids: list[str]
    text: str = ""


@dataclass
class _Block:
    line: int
    pieces: list[str | _Xref] = field(default_factory=list)


@dataclass
class _RefBuild:
    rid: str
    line: int
    names: list[Name] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)
    structured: bool = False


class _Reader(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.stack: list[str] = []
        self.skip_at: int | None = None  # depth of the element whose text is skipped
        self.in_prose = 0  # inside <abstract> or <body>
        self.prose_at: list[int] = []
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.xref: _Xref | None = None
        self.refs: list[_RefBuild] = []
        self.ref: _RefBuild | None = None
        self.ref_field: str | None = None
        self.ref_chars: list[str] = []
        self.name: dict[str, str] | None = None
        self.xrefs = 0

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def _line(self) -> int:
        line = self.locator.getLineNumber() if self.locator is not None else None
        return line or 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        self.stack.append(name)
        if name == "ref":
            self.ref = _RefBuild(attrs.get("id", f"ref{len(self.refs) + 1}"), self._line())
            self.refs.append(self.ref)
            return
        if self.ref is not None:
            self._ref_start(name, attrs)
            return
        if self.skip_at is not None:
            return
        if name in ("abstract", "body"):
            if not attrs.get("abstract-type", "").startswith("graphical"):
                self.in_prose += 1
                self.prose_at.append(len(self.stack))
            return
        if not self.in_prose:
            return
        if name in _SKIP or (name == "sec" and attrs.get("sec-type") == "supplementary-material"):
            self.skip_at = len(self.stack)
        elif name in _BLOCKS:
            self._new_block(heading=name == "title")
        elif name == "xref" and attrs.get("ref-type") == "bibr":
            self.xref = _Xref(attrs.get("rid", "").split())
        elif name == "break":
            self._text(" ")

    def endElement(self, name: str) -> None:
        depth = len(self.stack)
        if self.stack:
            self.stack.pop()
        if name == "ref":
            self.ref = None
            return
        if self.ref is not None:
            self._ref_end(name)
            return
        if self.skip_at is not None:
            if depth == self.skip_at:
                self.skip_at = None
            return
        if self.prose_at and depth == self.prose_at[-1]:
            self.prose_at.pop()
            self.in_prose -= 1
            self.block = None
            return
        if not self.in_prose:
            return
        if name == "xref" and self.xref is not None:
            if self.block is None:
                self.block = self._new_block()
            self.block.pieces.append(self.xref)
            self.xrefs += len(self.xref.rids)
            self.xref = None
        elif name in _BLOCKS:
            self.block = None

    def characters(self, content: str) -> None:
        if self.ref is not None:
            self.ref.text.append(content)
            if self.ref_field is not None:
                self.ref_chars.append(content)
            return
        if self.in_prose and self.skip_at is None:
            self._text(content)

    def _text(self, content: str) -> None:
        if self.xref is not None:
            self.xref.text += content
            return
        block = self.block
        if block is None:
            if not content.strip():
                return
            block = self._new_block()
        block.pieces.append(content)

    def _new_block(self, *, heading: bool = False) -> _Block:
        self.block = _Block(self._line(), ["# "] if heading else [])
        self.blocks.append(self.block)
        return self.block

    # the reference list ------------------------------------------------------------------

    _FIELDS = frozenset(
        {
            "surname",
            "given-names",
            "collab",
            "article-title",
            "chapter-title",
            "source",
            "year",
            "volume",
            "issue",
            "fpage",
            "lpage",
            "elocation-id",
            "pub-id",
        }
    )

    def _ref_start(self, name: str, attrs: AttributesImpl) -> None:
        if self.ref is None:
            return
        if name in ("element-citation", "nlm-citation", "citation"):
            self.ref.structured = True
        if name == "name":
            self.name = {}
        if name in self._FIELDS:
            self.ref_field = name if name != "pub-id" else "id:" + attrs.get("pub-id-type", "")
            self.ref_chars = []
            if name in ("article-title", "source", "year") or name == "surname":
                self.ref.structured = True

    def _ref_end(self, name: str) -> None:
        if self.ref is None:
            return
        if name == "name" and self.name is not None:
            if self.name.get("surname"):
                self.ref.names.append(Name(self.name["surname"], self.name.get("given-names", "")))
            self.name = None
            return
        if name not in self._FIELDS or self.ref_field is None:
            return
        value = " ".join("".join(self.ref_chars).split())
        kind = self.ref_field
        self.ref_field = None
        if self.name is not None and kind in ("surname", "given-names"):
            self.name[kind] = value
        elif kind == "collab":
            self.ref.names.append(Name(value, collective=True))
        elif kind.startswith("id:"):
            self.ref.ids.setdefault(kind[3:].lower(), value)
        else:
            self.ref.parts.setdefault(kind, value)


def _reference(build: _RefBuild, source: str) -> Reference:
    where = SourceLocation(source, build.line)
    parts = build.parts
    text = " ".join("".join(build.text).split())
    ids = build.ids
    if not build.structured:
        listed = parse_reference_line(text, 0, where)
        return Reference(
            key=build.rid,
            entry_type="article" if listed.journal else "misc",
            title=listed.title,
            authors=(Name(listed.first_author, listed.initials),) if listed.first_author else (),
            year=listed.year,
            journal=listed.journal,
            volume=listed.volume,
            pages=listed.first_page,
            pmid=normalise_pmid(ids["pmid"]) if "pmid" in ids else listed.pmid,
            doi=normalise_doi(ids["doi"]) if "doi" in ids else listed.doi,
            pmcid=normalise_pmcid(ids["pmcid"]) if "pmcid" in ids else None,
            location=where,
        )
    year = re.search(r"\d{4}", parts.get("year", ""))
    pages = parts.get("fpage", "") or parts.get("elocation-id", "")
    if parts.get("lpage"):
        pages += f"-{parts['lpage']}"
    title = parts.get("article-title") or parts.get("chapter-title") or ""
    source_title = parts.get("source", "")
    return Reference(
        key=build.rid,
        entry_type="article" if title and source_title else ("book" if source_title else "misc"),
        title=title or source_title,
        authors=tuple(build.names),
        year=int(year.group(0)) if year else None,
        journal=source_title if title else "",
        volume=parts.get("volume", ""),
        number=parts.get("issue", ""),
        pages=pages,
        pmid=normalise_pmid(ids["pmid"]) if "pmid" in ids else None,
        doi=normalise_doi(ids["doi"]) if "doi" in ids else None,
        pmcid=normalise_pmcid(ids.get("pmcid") or ids.get("pmc", ""))
        if ("pmcid" in ids or "pmc" in ids)
        else None,
        location=where,
    )


def _render(block: _Block, order: dict[str, int], rids: list[str]) -> str:
    """A block's text with each run of xrefs written as one ``[@...]`` marker."""
    out: list[str] = []
    pieces = block.pieces
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if isinstance(piece, str):
            out.append(piece)
            i += 1
            continue
        group: list[str] = list(piece.rids)
        narrative = _NARRATIVE.match(" ".join(piece.text.split()))
        j = i + 1
        while not narrative and j < len(pieces):
            between = pieces[j]
            if isinstance(between, _Xref):  # two xrefs with nothing between
                group.extend(between.rids)
                j += 1
                continue
            nxt = pieces[j + 1] if j + 1 < len(pieces) else None
            if not isinstance(nxt, _Xref) or _NARRATIVE.match(" ".join(nxt.text.split())):
                break
            if _RANGE_DASH.fullmatch(between) and group and nxt.rids:
                first, last = order.get(group[-1]), order.get(nxt.rids[0])
                if first is not None and last is not None and first < last:
                    group.extend(rids[first + 1 : last])
            elif not _SEPARATOR.fullmatch(between):
                break
            group.extend(nxt.rids)
            j += 2
        keys = "; ".join(f"@{rid}" for rid in dict.fromkeys(group))
        if narrative:
            out.append(f"{narrative.group('names')} [{keys}]")
        else:
            out.append(f" [{keys}]")
        i = j
    return " ".join("".join(out).split())


def read_jats(data: bytes, source: str) -> Decoded:
    """The flattened abstract and body of a JATS article with its xrefs as ``[@rid]``
    markers, and the references of its ``<ref-list>`` (see the module docstring)."""
    reader = _Reader()
    parse_xml(data, reader, source)
    references = [_reference(build, source) for build in reader.refs]
    rids = [r.key for r in references]
    order = {rid: i for i, rid in enumerate(rids)}
    lines: list[str] = []
    numbers: list[int] = []
    for block in reader.blocks:
        text = _render(block, order, rids)
        if not text or text == "#":
            continue
        if lines:
            lines.append("")
            numbers.append(block.line)
        lines.append(text)
        numbers.append(block.line)
    return Decoded(
        text="\n".join(lines) + "\n",
        references=tuple(references),
        lines=tuple(numbers),
        unit="line",
        citations=reader.xrefs,
    )


FORMAT = ArticleFormat(
    name="jats",
    suffixes=(".nxml", ".jats", ".xml"),
    aliases=("jats-xml", "pmc"),
    mask_code=mask_markdown_code,
    mask_markup=mask_markdown_markup,
    read=read_jats,
    typed_numbers=False,
)
