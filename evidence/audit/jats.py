"""The citations of a JATS article (PMC's XML): a small collector, TEMPORARY.

**Temporary.** :mod:`evidence.extract` is getting a JATS reader (a format module behind its
registry). Until it lands, the audit reads JATS here; :func:`evidence.audit.citations.
article_citations` asks the extractor's registry first and comes here only for a format
the registry does not know, so the day the reader lands the audit uses it and this module
can be deleted. It collects no claims, only what an audit needs: each sentence of the body
that carries ``<xref ref-type="bibr">`` citations, and the identifiers of the cited works.

- **Cited works** are the ``<ref>`` elements of ``<back>``'s ``<ref-list>``; their
  identifiers come from ``<pub-id pub-id-type="pmid|doi|pmcid|pmc">`` (DOIs lower-cased,
  PMCIDs written ``PMC123``, through :mod:`evidence.identifiers`).
- **Sentences.** Each ``<p>`` of ``<body>`` (captions and list items included) is
  flattened to text with the xrefs' positions kept, then cut by
  :func:`evidence.text.sentence_spans`. A marker right at the start of a sentence after a
  full stop (``... fusion.<sup>1,2</sup> Next``) belongs to the sentence before.
- **Ranges.** ``<xref rid="r3">3</xref>-<xref rid="r5">5</xref>`` cites 3, 4 and 5: when
  only a dash stands between two xrefs, the refs listed between them are cited too.
- **Safety.** The XML is read by the same defused parser as NCBI answers
  (:func:`evidence.pubmed.xml.safe_parser`): the DOCTYPE line is accepted, entities are not.
- **Lines.** A sentence's line is its ``<p>``'s start line plus the line breaks before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException

from evidence.errors import ArticleError, SourceLocation
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.pubmed.xml import flatten_text, safe_parser
from evidence.text import sentence_spans

__all__ = ["CitedWork", "CitingSentence", "JatsArticle", "is_jats", "read_jats"]

_DASH = re.compile(r"^\s*[-\u2010-\u2015\u2212]\s*$")
_ROOT = re.compile(rb"<(article|pmc-articleset)[\s>]")


@dataclass(frozen=True, slots=True)
class CitedWork:
    """One cited work: its reference id (``ref_id``: the JATS ``id`` or the list number),
    its identifiers when the reference gives them, and the reference's text."""

    ref_id: str
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class CitingSentence:
    """A sentence that cites, where it is, and the works it cites (in marker order)."""

    location: SourceLocation
    sentence: str
    cited: tuple[CitedWork, ...]


@dataclass(frozen=True)
class JatsArticle:
    """What the collector found in one article: its id (PMID, PMCID or DOI when the front
    matter gives one), its citing sentences, and markers naming no listed ref."""

    article_id: str
    sentences: tuple[CitingSentence, ...]
    dangling: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict)


def is_jats(data: bytes) -> bool:
    """Whether ``data`` looks like a JATS article (root ``<article>`` near the start)."""
    return _ROOT.search(data[:65536]) is not None


class _LineBuilder(TreeBuilder):
    """A tree builder that remembers the line each ``<p>`` starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.line_of: Any = lambda: 0

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        element = super().start(tag, attrs)
        if tag == "p":
            self.lines[id(element)] = int(self.line_of())
        return element


def read_jats(data: bytes, source: str) -> JatsArticle:
    """The citing sentences of the JATS article ``data`` (``source`` names it in locations).

    Raises :class:`~evidence.errors.ArticleError` (located) for XML that is not
    well-formed, declares entities, or is not a JATS article.
    """
    builder = _LineBuilder()
    parser = safe_parser(builder)
    builder.line_of = lambda: parser.parser.CurrentLineNumber
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as error:
        line, _column = error.position
        raise ArticleError(
            f"cannot read the JATS article as XML: {error}", location=SourceLocation(source, line)
        ) from error
    except DefusedXmlException as error:
        raise ArticleError(
            f"refused to read the JATS article: {error} (entities are never expanded)",
            location=SourceLocation(source),
        ) from error
    article = root if root.tag == "article" else root.find(".//article")
    if article is None:
        raise ArticleError(
            f"not a JATS article: the root element is <{root.tag}>, not <article>",
            location=SourceLocation(source),
        )
    ids = _article_ids(article)
    article_id = next(
        (
            f"{k.upper()} {ids[k]}" if k == "pmid" else ids[k]
            for k in ("pmid", "pmcid", "doi")
            if k in ids
        ),
        source,
    )
    refs, order = _references(article)
    sentences: list[CitingSentence] = []
    dangling: list[str] = []
    body = article.find("body")
    for paragraph in body.iter("p") if body is not None else ():
        sentences += _paragraph(
            paragraph, builder.lines.get(id(paragraph)), source, refs, order, dangling
        )
    return JatsArticle(article_id, tuple(sentences), tuple(dict.fromkeys(dangling)), ids)


def _article_ids(article: Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    for element in article.iterfind("front/article-meta/article-id"):
        kind = element.get("pub-id-type", "")
        value = flatten_text(element)
        if kind == "pmid" and normalise_pmid(value):
            ids.setdefault("pmid", normalise_pmid(value) or value)
        elif kind in ("pmc", "pmcid") and normalise_pmcid(value):
            ids.setdefault("pmcid", normalise_pmcid(value) or value)
        elif kind == "doi" and normalise_doi(value):
            ids.setdefault("doi", normalise_doi(value) or value)
    return ids


def _references(article: Element) -> tuple[dict[str, CitedWork], list[str]]:
    refs: dict[str, CitedWork] = {}
    order: list[str] = []
    for ref in article.iterfind("back//ref-list//ref"):
        ref_id = ref.get("id", "")
        if not ref_id or ref_id in refs:
            continue
        found: dict[str, str | None] = {}
        for pub_id in ref.iter("pub-id"):
            kind = pub_id.get("pub-id-type", "")
            value = flatten_text(pub_id)
            if kind == "pmid":
                found.setdefault("pmid", normalise_pmid(value))
            elif kind == "doi":
                found.setdefault("doi", normalise_doi(value))
            elif kind in ("pmc", "pmcid"):
                found.setdefault("pmcid", normalise_pmcid(value))
        refs[ref_id] = CitedWork(
            ref_id, found.get("pmid"), found.get("doi"), found.get("pmcid"), flatten_text(ref)[:300]
        )
        order.append(ref_id)
    return refs, order


def _flatten(paragraph: Element) -> tuple[str, list[tuple[int, int, list[str]]]]:
    """The paragraph's text (nested paragraphs left to themselves) and its bibr xrefs as
    ``(start, end, rids)`` offsets into it."""
    parts: list[str] = []
    xrefs: list[tuple[int, int, list[str]]] = []
    size = 0

    def walk(element: Element) -> None:
        nonlocal size
        if element.text:
            parts.append(element.text)
            size += len(element.text)
        for child in element:
            if child.tag == "p":  # a nested paragraph is its own paragraph
                pass
            elif child.tag == "xref" and child.get("ref-type") == "bibr":
                start = size
                text = flatten_text(child)
                parts.append(text)
                size += len(text)
                xrefs.append((start, size, child.get("rid", "").split()))
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)
                size += len(child.tail)

    walk(paragraph)
    return "".join(parts), xrefs


def _paragraph(
    paragraph: Element,
    line: int | None,
    source: str,
    refs: dict[str, CitedWork],
    order: list[str],
    dangling: list[str],
) -> list[CitingSentence]:
    text, xrefs = _flatten(paragraph)
    if not xrefs:
        return []
    spans = sentence_spans(text) or [(0, len(text))]
    starts = [s for s, _ in spans]
    cited_by: dict[int, list[str]] = {}
    previous_end = -1
    previous_last: str | None = None
    for start, end, rids in xrefs:
        index = max(0, _bisect(starts, start))
        if index > 0 and start <= spans[index][0] and text[:start].rstrip().endswith("."):
            index -= 1  # "fusion.[1] Next": the marker closes the sentence before
        wanted = list(rids)
        between = text[previous_end:start] if previous_end >= 0 else ""
        if previous_last in order and rids and rids[0] in order and _DASH.match(between):
            low, high = order.index(previous_last), order.index(rids[0])
            wanted = order[low + 1 : high] + wanted
        cited_by.setdefault(index, []).extend(wanted)
        previous_end = end
        previous_last = rids[-1] if rids else None
    result = []
    for index in sorted(cited_by):
        begin, stop = spans[index]
        works = []
        for rid in dict.fromkeys(cited_by[index]):
            work = refs.get(rid)
            if work is None:
                dangling.append(rid)
                work = CitedWork(rid)
            works.append(work)
        where = SourceLocation(source, (line or 1) + text.count("\n", 0, begin) if line else None)
        result.append(CitingSentence(where, " ".join(text[begin:stop].split()), tuple(works)))
    return result


def _bisect(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts)
    while low < high:
        middle = (low + high) // 2
        if starts[middle] <= offset:
            low = middle + 1
        else:
            high = middle
    return low - 1
