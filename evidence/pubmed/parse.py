"""Pure parsers for NCBI E-utilities responses: text or bytes in, records out, no I/O.

What each parser reads:

- :func:`parse_efetch` -- EFetch ``db=pubmed`` XML (``PubmedArticleSet``) into
  :class:`~evidence.model.PubMedRecord` records, journal articles and book chapters alike.
- :func:`parse_esearch` -- ESearch XML or JSON into an :class:`ESearchResult`.
- :func:`parse_esummary` -- ESummary JSON, XML v1 (``DocSum``) or v2 (``DocumentSummary``)
  into :class:`DocSummary` records (no abstract and no MeSH: ESummary has neither).
- :func:`parse_ecitmatch` -- ECitMatch's plain-text lines into ``{key: PMID or None}``.
- :func:`parse_idconv` -- the PMC ID converter's XML or JSON into :class:`IdConvRecord`.
- :func:`find_error` / :func:`is_rate_limit` -- whether a body is an error even though it
  came with HTTP 200 (NCBI puts errors in the body; see ``shared/reference/eutils.md`` §5).

Choices worth knowing (each one follows what real responses do):

- **Safety.** All XML goes through :mod:`defusedxml` with ``forbid_dtd=False``,
  ``forbid_entities=True`` and ``forbid_external=True``. Real responses begin with a
  ``<!DOCTYPE PubmedArticleSet PUBLIC "..." "https://dtd.nlm.nih.gov/...">`` line; that is a
  *reference* to a DTD which expat never fetches, so it must be accepted (``forbid_dtd=True``
  would reject every real response). No real response declares an entity, so any entity
  declaration -- the billion laughs and quadratic blow-up bombs, and ``SYSTEM`` external
  entities such as ``file:///etc/passwd`` -- is refused before anything is expanded.
- **Speed and memory.** EFetch bodies are fed to the parser in 1 MiB chunks and every
  ``PubmedArticle`` is turned into a record, then cleared, as soon as its end tag is read,
  so memory stays flat however many records a body holds. The line each article starts
  on is kept so problems can say where they are. Python's cyclic garbage collector is
  paused while an EFetch body is parsed (and restored after, if it was on): the parse
  allocates hundreds of tree nodes per article, none of them in reference cycles, and
  the collector's repeated scans over them made 10,000 records take twice as long
  (``benchmarks/bench_pubmed_parse.py``).
- **Identifiers** come only from the record's own ``PubmedData/ArticleIdList`` (or
  ``BookDocument/ArticleIdList`` and ``PubmedBookData/ArticleIdList``), never from
  ``ReferenceList``, which lists the DOIs of *cited* papers. ``ELocationID[@EIdType="doi"]``
  is the fallback DOI. DOIs are lower-cased; PMCIDs are written ``PMC123``.
- **Text** keeps inline markup (``<i> <b> <sup> <sub> <u>``) as plain text in document
  order, tails included; MathML is written out linearly with prescripts first (``3He``).
  Runs of XML whitespace (space, tab, newline) become one space; other spaces such as
  U+00A0 and U+2009 are kept as they are.
- ``CommentsCorrections`` of type ``Cites`` are left out: they are the article's own
  reference list (2018-era DTDs put it there) and would swamp the links that matter
  (``RetractionIn``, ``ErratumIn``, ``ExpressionOfConcernIn`` ...). Authors marked
  ``ValidYN="N"`` are left out too (PubMed keeps them only as a record of a corrected name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from evidence._gc import paused_gc
from evidence.errors import Problem, PubMedResponseError, SourceLocation
from evidence.model import (
    AbstractSection,
    CommentCorrection,
    MeshHeading,
    Name,
    PublicationType,
    PubMedRecord,
)

__all__ = [
    "DocSummary",
    "ESearchResult",
    "IdConvRecord",
    "find_error",
    "flatten_text",
    "is_rate_limit",
    "parse_ecitmatch",
    "parse_efetch",
    "parse_esearch",
    "parse_esummary",
    "parse_idconv",
]

Body = bytes | str

_CHUNK = 1 << 20
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_LEADING_SPACE = re.compile(r"[\s\ufeff]*")
_LEADING_SPACE_BYTES = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
_YEAR = re.compile(r"\d{4}")
_PMCID = re.compile(r"PMC\d+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_POSITION_SUFFIX = re.compile(r":\s*line \d+, column \d+$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_BY_NAME = {m.lower(): m for m in _MONTHS}
_ARTICLE_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
# Roots of the E-utilities' own XML, any of which may carry <ERROR> instead of data.
_EUTILS_ROOTS = frozenset(
    {
        "eSummaryResult",
        "eSearchResult",
        "ePostResult",
        "eFetchResult",
        "eLinkResult",
        "eInfoResult",
        "eSpellResult",
        "eGQueryResult",
    }
)


# --- records that are not PubMedRecord ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ESearchResult:
    """What ESearch answered: the hit count, the first page of PMIDs, and its notes.

    ``phrases_not_found`` is not a failure by itself: PubMed can drop an unknown phrase and
    still return hits. ``warnings`` holds output messages (``No items found.``) and, with a
    prefix saying which, fields not found, quoted phrases not found and ignored phrases.
    ``webenv``/``query_key`` are set when the search used ``usehistory=y``.
    """

    count: int
    ids: tuple[str, ...] = ()
    query_translation: str = ""
    phrases_not_found: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    webenv: str | None = None
    query_key: str | None = None
    retstart: int = 0
    retmax: int = 0


@dataclass(frozen=True, slots=True)
class DocSummary:
    """One ESummary document summary (ESummary has no abstract and no MeSH).

    ``error`` is set, and the other fields left empty, when NCBI had no summary for the
    UID (``cannot get document summary``).
    """

    pmid: str
    title: str = ""
    authors: tuple[Name, ...] = ()
    journal: str = ""
    journal_full: str = ""
    pub_date: str = ""
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str | None = None
    pmcid: str | None = None
    publication_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class IdConvRecord:
    """One record from the PMC ID converter; ``error`` says why the others are missing."""

    requested_id: str
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    error: str | None = None


# --- XML plumbing -------------------------------------------------------------------------


class _ArticleBuilder(TreeBuilder):
    """Builds the tree and hands over each article (and ``<ERROR>``) as soon as its end
    tag is read, with the line its start tag was on (expat knows the line only while the
    start tag is being handled). Articles never nest, so their tag alone marks them.

    These methods run for every element of a 10,000-record fetch, so they stay minimal.
    """

    def __init__(self) -> None:
        super().__init__()
        self.finished: list[tuple[Element, int]] = []
        self.line_of: Callable[[], int] = lambda: 0
        self._start_line = 0

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        if tag in _HANDED_OVER:
            self._start_line = self.line_of()
        return _tree_start(self, tag, attrs)

    def end(self, tag: Any, /) -> Element:
        element = _tree_end(self, tag)
        if tag in _HANDED_OVER:
            self.finished.append((element, self._start_line))
        return element


_tree_start = TreeBuilder.start
_tree_end = TreeBuilder.end
_HANDED_OVER = frozenset({*_ARTICLE_TAGS, "ERROR"})


def _parse_xml(
    body: Body,
    source: str,
    what: str,
    expected: str,
    on_child: Callable[[Element, int], None] | None = None,
) -> Element:
    """Parse ``body`` safely and return its root element.

    With ``on_child``, each article or ``<ERROR>`` element is passed to it (with its start
    line) as soon as it is complete and is then cleared to free its memory.
    """
    builder = _ArticleBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    builder.line_of = lambda: int(expat.CurrentLineNumber)

    def drain() -> None:
        if on_child is not None:
            for element, line in builder.finished:
                on_child(element, line)
                element.clear()
        builder.finished.clear()

    try:
        for start in range(0, len(body), _CHUNK):
            parser.feed(body[start : start + _CHUNK])
            drain()
        root = parser.close()
        drain()
    except ParseError as exc:
        line, column = exc.position
        reason = _POSITION_SUFFIX.sub("", str(exc))
        hint = (
            "the response is empty"
            if not body.strip()
            else "the response was probably cut off or is not XML; fetching it again may help"
        )
        raise PubMedResponseError(
            f"cannot read the {what} as XML: {reason}; expected {expected} ({hint})",
            location=SourceLocation(source, line, column + 1),
        ) from exc
    except EntitiesForbidden as exc:
        kind = "an external entity" if exc.sysid else "an entity"
        raise PubMedResponseError(
            f"refused to read the {what}: it declares {kind} {exc.name!r}, which NCBI "
            "responses never do (expanding it could read local files or exhaust memory); "
            "check that the URL really points at NCBI",
            location=SourceLocation(source),
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise PubMedResponseError(
            f"refused to read the {what}: it refers to the external resource "
            f"{exc.sysid!r}, which NCBI responses never do",
            location=SourceLocation(source),
        ) from exc
    except DefusedXmlException as exc:  # any other construct defusedxml refuses
        raise PubMedResponseError(
            f"refused to read the {what}: {exc}", location=SourceLocation(source)
        ) from exc
    return root


def flatten_text(element: Element | None) -> str:
    """The text of ``element`` with inline markup flattened, in document order.

    Child elements (``<i>``, ``<sub>``, MathML ...) give their text and their tails are
    kept; runs of XML whitespace become one space and the ends are trimmed. ``None`` gives
    ``""`` so optional elements need no check.

    >>> from xml.etree.ElementTree import fromstring
    >>> flatten_text(fromstring("<t><i>Phoenix dactylifera</i> made Cu<sub>2</sub>O.</t>"))
    'Phoenix dactylifera made Cu2O.'
    """
    if element is None:
        return ""
    if len(element) == 0:
        text = element.text or ""
    else:
        parts: list[str] = []
        _collect_text(element, parts)
        text = "".join(parts)
    return _XML_SPACE.sub(" ", text).strip()


def _collect_text(element: Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag.startswith(_MATHML):
            parts.append(_math_text(child))
        else:
            _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def _math_text(element: Element) -> str:
    """MathML as linear text. Whitespace between MathML elements means nothing (it is
    pretty-printing), so only token content counts; ``mmultiscripts`` puts its
    prescripts first, as isotopes are written (``<mprescripts/>`` ... -> ``3He``)."""
    local = str(element.tag).rpartition("}")[2]
    children = list(element)
    if local == "mmultiscripts" and children:
        base = _math_text(children[0])
        before: list[str] = []
        after: list[str] = []
        target = after
        for child in children[1:]:
            if str(child.tag).endswith("}mprescripts"):
                target = before
            else:
                target.append(_math_text(child))
        return "".join(before) + base + "".join(after)
    if children:
        return "".join(_math_text(child) for child in children)
    if local in ("none", "mprescripts"):
        return ""
    if local == "mspace":
        return " "
    raw = element.text or ""
    text = raw.strip(" \t\r\n")
    # An mtext of plain spaces is how MathML writes a space between words.
    return text if text or not raw else " "


def _child_text(element: Element, path: str) -> str:
    """Flattened text of the first match of ``path`` under ``element`` (``""`` if none)."""
    return flatten_text(element.find(path))


def _error_elements(root: Element) -> list[str]:
    """Messages of ``<ERROR>`` elements directly under the root or one level down."""
    found = [flatten_text(e) for e in root.iterfind("ERROR")]
    found += [flatten_text(e) for e in root.iterfind("*/ERROR")]
    return [m or "(empty ERROR element)" for m in found]


# --- body sniffing and errors ---------------------------------------------------------------


def _first_char(body: Body) -> str:
    """The first character after whitespace and a byte-order mark (``""`` if none)."""
    if isinstance(body, bytes):
        byte_match = _LEADING_SPACE_BYTES.match(body)
        end = byte_match.end() if byte_match else 0
        return body[end : end + 1].decode("latin-1")
    text_match = _LEADING_SPACE.match(body)
    end = text_match.end() if text_match else 0
    return body[end : end + 1]


def _load_json(body: Body, source: str, what: str) -> Any:
    """Decode JSON; ``strict=False`` because NCBI has been seen to put raw newlines
    inside error strings (``retstart cannot be larger than 9998``)."""
    text = body.decode("utf-8-sig", errors="replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text.lstrip("\ufeff"), strict=False)
    except json.JSONDecodeError as exc:
        raise PubMedResponseError(
            f"cannot read the {what} as JSON: {exc.msg} (the response was probably cut off; "
            "fetching it again may help)",
            location=SourceLocation(source, exc.lineno, exc.colno),
        ) from exc


def _json_error(data: Any) -> str | None:
    """The error message a decoded JSON body carries, or ``None``."""
    if not isinstance(data, Mapping):
        return None
    error = data.get("error")
    if error:
        text = str(error)
        if "rate limit" in text.lower():
            return _rate_limit_message(data)
        return f"NCBI E-utilities error: {text}"
    summary_errors = data.get("esummaryresult")
    if isinstance(summary_errors, list) and summary_errors:
        return "NCBI ESummary error: " + "; ".join(str(m) for m in summary_errors)
    for key, utility in (("esearchresult", "ESearch"), ("einforesult", "EInfo")):
        inner = data.get(key)
        if isinstance(inner, Mapping) and inner.get("ERROR"):
            return f"NCBI {utility} error: {inner['ERROR']}"
    return None


def _rate_limit_message(data: Mapping[str, Any]) -> str:
    # The body's "api-key" field echoes the user's API key or IP address: never repeat it.
    details = []
    if data.get("count"):
        details.append(f"{data['count']} requests counted")
    if data.get("limit"):
        details.append(f"limit {data['limit']} per second")
    extra = f" ({', '.join(details)})" if details else ""
    return (
        f"NCBI rate limit exceeded{extra}: wait and retry, make fewer requests per second, "
        "or use an NCBI API key (it allows 10 per second)"
    )


def find_error(body: Body) -> str | None:
    """The error message if ``body`` is an E-utilities error, else ``None``.

    NCBI often answers errors with HTTP 200, so the body must be checked as well as the
    status. Recognised: a JSON ``{"error": ...}`` (the 429 rate-limit body; the message
    never repeats its ``api-key`` field, which holds the user's key or IP address),
    ESummary's ``esummaryresult`` list, ``esearchresult.ERROR``, an ``<ERROR>`` element in
    any E-utility root (``eSummaryResult``, ``eSearchResult``, ``ePostResult``,
    ``eFetchResult`` ...), and an HTML page where data was expected. A normal body,
    including an empty ``PubmedArticleSet``, gives ``None``; so does a body that cannot
    be read at all (the parsers say where it breaks).

    >>> message = find_error('{"error":"API rate limit exceeded","api-key":"1.2.3.4"}')
    >>> "rate limit" in message, "1.2.3.4" in message
    (True, False)
    """
    first = _first_char(body)
    if first in ("{", "["):
        try:
            data = _load_json(body, "<body>", "response")
        except PubMedResponseError:
            return None
        return _json_error(data)
    if first != "<":
        return None
    head = (body[:512].decode("latin-1") if isinstance(body, bytes) else body[:512]).lower()
    if re.search(r"<(!doctype\s+html|html[\s>])", head):
        title = re.search(r"<title>([^<]*)</title>", head)
        shown = f" ({title.group(1).strip()})" if title else ""
        return f"NCBI returned an HTML page{shown} instead of an E-utilities response"
    return _xml_error(body)


class _NotAnErrorBody(Exception):
    """Stops reading a body once its root shows it cannot be an E-utilities error."""


class _RootCheck(TreeBuilder):
    """A tree builder that gives up at the root's start tag unless it is an E-utility root,
    so checking a large EFetch body costs one tag, not a parse."""

    def __init__(self) -> None:
        super().__init__()
        self.seen_root = False

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        if not self.seen_root:
            self.seen_root = True
            if tag not in _EUTILS_ROOTS:
                raise _NotAnErrorBody
        return _tree_start(self, tag, attrs)


def _xml_error(body: Body) -> str | None:
    parser = DefusedXMLParser(
        target=_RootCheck(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        # Only E-utility roots get past the first start tag, and those bodies are small.
        for begin in range(0, len(body), _CHUNK):
            parser.feed(body[begin : begin + _CHUNK])
        root = parser.close()
    except (_NotAnErrorBody, ParseError, DefusedXmlException):
        return None
    messages = _error_elements(root)
    if not messages:
        return None
    name = str(root.tag)[1:].replace("Result", "")
    return f"NCBI E{name} error: " + "; ".join(messages)


def is_rate_limit(body: Body) -> bool:
    """Whether ``body`` is NCBI's "API rate limit exceeded" answer (HTTP 429's JSON body)."""
    if _first_char(body) != "{":
        return False
    try:
        data = _load_json(body, "<body>", "response")
    except PubMedResponseError:
        return False
    return isinstance(data, Mapping) and "rate limit" in str(data.get("error", "")).lower()


def _raise_if_error(body: Body, source: str, what: str) -> None:
    """Raise :class:`PubMedResponseError` for a JSON body that is an error."""
    if _first_char(body) in ("{", "["):
        message = find_error(body)
        raise PubMedResponseError(
            message or f"expected XML for the {what} but got JSON",
            location=SourceLocation(source),
        )


# --- EFetch -------------------------------------------------------------------------------


def parse_efetch(body: Body, *, source: str = "<efetch response>") -> list[PubMedRecord]:
    """Read an EFetch ``db=pubmed`` XML body into records, in the order given.

    Handles ``PubmedArticle`` and ``PubmedBookArticle`` (``kind="book"``) and the empty set
    NCBI sends for unknown PMIDs (``[]``: match the PMIDs you asked for against the
    result). ``source`` names the body in messages (a URL or cache path).

    Raises :class:`~evidence.errors.PubMedResponseError` for malformed or truncated XML
    (with the parser's line and column), for bodies that declare entities, for error
    bodies (``<ERROR>``, a JSON rate-limit body), for another root element, and --
    listing every one -- for articles without a PMID.
    """
    _raise_if_error(body, source, "EFetch response")
    records: list[PubMedRecord] = []
    problems: list[Problem] = []
    errors: list[str] = []

    def on_child(element: Element, line: int) -> None:
        tag = element.tag
        if tag == "PubmedArticle":
            record = _article_record(element, SourceLocation(source, line), problems)
        elif tag == "PubmedBookArticle":
            record = _book_record(element, SourceLocation(source, line), problems)
        else:
            if tag == "ERROR":
                errors.append(flatten_text(element) or "(empty ERROR element)")
            return
        if record is not None:
            records.append(record)

    with paused_gc():
        root = _parse_xml(
            body, source, "EFetch response", "a <PubmedArticleSet> document", on_child
        )
    if errors:
        raise PubMedResponseError(
            "NCBI answered with an error instead of articles: " + "; ".join(errors),
            location=SourceLocation(source),
        )
    if root.tag != "PubmedArticleSet":
        raise PubMedResponseError(
            f"expected a <PubmedArticleSet> EFetch response but the root element is "
            f"<{root.tag}> (was db=pubmed and retmode=xml asked for?)",
            location=SourceLocation(source),
        )
    if problems:
        raise PubMedResponseError(
            f"{len(problems)} unusable record(s) in the EFetch response",
            location=SourceLocation(source),
            problems=problems,
        )
    return records


def _article_record(
    article: Element, where: SourceLocation, problems: list[Problem]
) -> PubMedRecord | None:
    citation = article.find("MedlineCitation")
    if citation is None:
        problems.append(Problem(where, "PubmedArticle has no MedlineCitation", "no-citation"))
        return None
    pmid = _child_text(citation, "PMID")
    if not pmid:
        problems.append(
            Problem(
                where,
                "PubmedArticle has no MedlineCitation/PMID, so it cannot be matched to a request",
                "no-pmid",
            )
        )
        return None
    art = citation.find("Article")
    if art is None:
        art = Element("Article")  # keeps the lookups below simple; every field stays empty
    journal = art.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    year, pub_date = _pub_date(issue.find("PubDate") if issue is not None else None)
    if year is None:  # no usable PubDate: the electronic publication date is next best
        year, electronic = _pub_date(art.find("ArticleDate"))
        pub_date = pub_date or electronic
    authors, complete = _authors(art.find("AuthorList"))
    doi, pmcid = _ids(article.find("PubmedData/ArticleIdList"))
    if doi is None:
        doi = _elocation_doi(art)
    return PubMedRecord(
        pmid=pmid,
        title=_child_text(art, "ArticleTitle") or _child_text(art, "VernacularTitle"),
        kind="article",
        abstract=_abstract(art.find("Abstract")),
        authors=authors,
        authors_complete=complete,
        journal=_child_text(journal, "Title") if journal is not None else "",
        journal_abbrev=(
            (_child_text(journal, "ISOAbbreviation") if journal is not None else "")
            or _child_text(citation, "MedlineJournalInfo/MedlineTA")
        ),
        year=year,
        pub_date=pub_date,
        volume=_child_text(issue, "Volume") if issue is not None else "",
        issue=_child_text(issue, "Issue") if issue is not None else "",
        pages=_pages(art.find("Pagination")),
        doi=doi,
        pmcid=pmcid,
        publication_types=_publication_types(art.iterfind("PublicationTypeList/PublicationType")),
        mesh=_mesh(citation.iterfind("MeshHeadingList/MeshHeading")),
        keywords=_keywords(citation.iterfind("KeywordList/Keyword")),
        comments_corrections=_comments_corrections(
            citation.iterfind("CommentsCorrectionsList/CommentsCorrections")
        ),
        languages=tuple(t for t in (flatten_text(e) for e in art.iterfind("Language")) if t),
        status=citation.get("Status", ""),
    )


def _book_record(
    article: Element, where: SourceLocation, problems: list[Problem]
) -> PubMedRecord | None:
    document = article.find("BookDocument")
    if document is None:
        problems.append(Problem(where, "PubmedBookArticle has no BookDocument", "no-citation"))
        return None
    pmid = _child_text(document, "PMID")
    if not pmid:
        problems.append(
            Problem(
                where,
                "PubmedBookArticle has no BookDocument/PMID, so it cannot be matched to a request",
                "no-pmid",
            )
        )
        return None
    book = document.find("Book")
    if book is None:
        book = Element("Book")
    book_title = _child_text(book, "BookTitle")
    chapter = _child_text(document, "ArticleTitle") or _child_text(document, "VernacularTitle")
    year, pub_date = _pub_date(book.find("PubDate"))
    # Authors are the list typed "authors" (or untyped); editors sit under Book.
    author_list = None
    for candidate in document.iterfind("AuthorList"):
        if candidate.get("Type", "authors") == "authors":
            author_list = candidate
            break
    authors, complete = _authors(author_list)
    editors: tuple[Name, ...] = ()
    for candidate in book.iterfind("AuthorList"):
        if candidate.get("Type") == "editors":
            editors, _ = _authors(candidate)
            break
    doi, pmcid = _ids(document.find("ArticleIdList"))
    more_doi, more_pmcid = _ids(article.find("PubmedBookData/ArticleIdList"))
    accession = ""
    for id_element in document.iterfind("ArticleIdList/ArticleId"):
        if id_element.get("IdType") == "bookaccession":
            accession = flatten_text(id_element)
            break
    return PubMedRecord(
        pmid=pmid,
        # A chapter is cited by its own title inside the book; a whole book by its title.
        title=chapter or book_title,
        kind="book",
        abstract=_abstract(document.find("Abstract")),
        authors=authors,
        authors_complete=complete,
        journal=book_title if chapter else "",
        year=year,
        pub_date=pub_date,
        volume=_child_text(book, "Volume"),
        pages=_pages(document.find("Pagination")),
        doi=doi or more_doi,
        pmcid=pmcid or more_pmcid,
        publication_types=_publication_types(document.iterfind("PublicationType")),
        keywords=_keywords(document.iterfind("KeywordList/Keyword")),
        languages=tuple(t for t in (flatten_text(e) for e in document.iterfind("Language")) if t),
        editors=editors,
        publisher=_child_text(book, "Publisher/PublisherName"),
        publisher_location=_child_text(book, "Publisher/PublisherLocation"),
        book_accession=accession,
    )


def _pub_date(date: Element | None) -> tuple[int | None, str]:
    """``(year, display)`` from a PubDate-like element (Year/Month/Day, Year/Season or
    MedlineDate). The display follows PubMed's own: ``2011 Apr``, ``2022 Apr-Jun``,
    ``1998 Dec-1999 Jan``; months given as numbers are written as names."""
    if date is None:
        return None, ""
    medline = _child_text(date, "MedlineDate")
    if medline:
        found = _YEAR.search(medline)
        return (int(found.group()) if found else None), medline
    year_text = _child_text(date, "Year")
    found = _YEAR.search(year_text)
    year = int(found.group()) if found else None
    parts = [year_text] if year_text else []
    season = _child_text(date, "Season")
    month = _month_name(_child_text(date, "Month"))
    if month:
        parts.append(month)
        day = _child_text(date, "Day")
        if day:
            parts.append(str(int(day)) if day.isdigit() else day)
    elif season:
        parts.append(season)
    return year, " ".join(parts)


def _month_name(text: str) -> str:
    if text.isdigit():
        number = int(text)
        return _MONTHS[number - 1] if 1 <= number <= 12 else text
    return _MONTH_BY_NAME.get(text[:3].lower(), text) if text else ""


def _authors(author_list: Element | None) -> tuple[tuple[Name, ...], bool]:
    if author_list is None:
        return (), True
    names: list[Name] = []
    for author in author_list.iterfind("Author"):
        if author.get("ValidYN") == "N":
            continue
        collective = author.find("CollectiveName")
        if collective is not None:
            text = flatten_text(collective)
            if text:
                names.append(Name(last=text, collective=True))
            continue
        last = _child_text(author, "LastName")
        if not last:
            continue
        first = _child_text(author, "ForeName")
        if not first:
            # Initials only ("JM"): spaced out so that Name.initials gives "JM" back.
            first = " ".join(_child_text(author, "Initials"))
        names.append(Name(last=last, first=first, jr=_child_text(author, "Suffix")))
    return tuple(names), author_list.get("CompleteYN", "Y") != "N"


def _abstract(abstract: Element | None) -> tuple[AbstractSection, ...]:
    if abstract is None:
        return ()
    sections: list[AbstractSection] = []
    for text in abstract.iterfind("AbstractText"):
        content = flatten_text(text)
        label = text.get("Label", "").strip()
        if content or label:
            sections.append(
                AbstractSection(text=content, label=label, category=text.get("NlmCategory", ""))
            )
    return tuple(sections)


def _pages(pagination: Element | None) -> str:
    if pagination is None:
        return ""
    pages = _child_text(pagination, "MedlinePgn")
    if pages:
        return pages
    first, last = _child_text(pagination, "StartPage"), _child_text(pagination, "EndPage")
    return f"{first}-{last}" if first and last else first


def _normal_doi(text: str) -> str | None:
    doi = _DOI_PREFIX.sub("", text.strip()).strip().lower()
    return doi or None


def _normal_pmcid(text: str) -> str | None:
    found = _PMCID.search(text)
    if found:
        return found.group().upper()
    digits = text.strip()
    return f"PMC{digits}" if digits.isdigit() else None


def _ids(id_list: Element | None) -> tuple[str | None, str | None]:
    """``(doi, pmcid)`` from the direct ``ArticleId`` children of one ``ArticleIdList``."""
    doi = pmcid = None
    if id_list is None:
        return doi, pmcid
    for element in id_list.iterfind("ArticleId"):
        id_type = element.get("IdType", "")
        if id_type == "doi" and doi is None:
            doi = _normal_doi(flatten_text(element))
        elif id_type in ("pmc", "pmcid") and pmcid is None:
            pmcid = _normal_pmcid(flatten_text(element))
    return doi, pmcid


def _elocation_doi(article: Element) -> str | None:
    for element in article.iterfind("ELocationID"):
        if element.get("EIdType") == "doi" and element.get("ValidYN", "Y") != "N":
            doi = _normal_doi(flatten_text(element))
            if doi:
                return doi
    return None


def _publication_types(elements: Iterable[Element]) -> tuple[PublicationType, ...]:
    return tuple(PublicationType(e.get("UI", ""), flatten_text(e)) for e in elements)


def _mesh(headings: Iterable[Element]) -> tuple[MeshHeading, ...]:
    result: list[MeshHeading] = []
    for heading in headings:
        descriptor = heading.find("DescriptorName")
        if descriptor is None:
            continue
        qualifiers = heading.findall("QualifierName")
        # A heading is a major topic when the descriptor is, or any of its qualifiers is.
        major = descriptor.get("MajorTopicYN") == "Y" or any(
            q.get("MajorTopicYN") == "Y" for q in qualifiers
        )
        result.append(
            MeshHeading(
                ui=descriptor.get("UI", ""),
                name=flatten_text(descriptor),
                major=major,
                qualifiers=tuple(flatten_text(q) for q in qualifiers),
            )
        )
    return tuple(result)


def _keywords(elements: Iterable[Element]) -> tuple[str, ...]:
    # Several KeywordLists may repeat a keyword (the GeneReviews record does): keep one.
    return tuple(dict.fromkeys(t for t in (flatten_text(e) for e in elements) if t))


def _comments_corrections(elements: Iterable[Element]) -> tuple[CommentCorrection, ...]:
    links: list[CommentCorrection] = []
    for element in elements:
        ref_type = element.get("RefType", "")
        if ref_type == "Cites":
            continue
        links.append(
            CommentCorrection(
                ref_type=ref_type,
                source=_child_text(element, "RefSource"),
                pmid=_child_text(element, "PMID") or None,
            )
        )
    return tuple(links)


# --- ESearch ------------------------------------------------------------------------------


def parse_esearch(body: Body, *, source: str = "<esearch response>") -> ESearchResult:
    """Read an ESearch answer, XML or JSON (told apart by the first character).

    Zero hits are a normal result (``count == 0``); so are ``phrases_not_found``. A hard
    error (``<ERROR>``, ``esearchresult.ERROR``, a rate-limit body) raises
    :class:`~evidence.errors.PubMedResponseError`, as does a body that cannot be read.
    """
    if _first_char(body) in ("{", "["):
        return _esearch_json(_load_json(body, source, "ESearch response"), source)
    root = _parse_xml(body, source, "ESearch response", "an <eSearchResult> document")
    errors = _error_elements(root)
    if errors:
        raise PubMedResponseError(
            "NCBI ESearch error: " + "; ".join(errors), location=SourceLocation(source)
        )
    if root.tag != "eSearchResult":
        raise PubMedResponseError(
            f"expected an <eSearchResult> but the root element is <{root.tag}>",
            location=SourceLocation(source),
        )
    warnings = [flatten_text(e) for e in root.iterfind("WarningList/OutputMessage")]
    warnings += _labelled(root, "ErrorList/FieldNotFound", "field not found")
    warnings += _labelled(root, "WarningList/QuotedPhraseNotFound", "quoted phrase not found")
    warnings += _labelled(root, "WarningList/PhraseIgnored", "phrase ignored")
    return ESearchResult(
        count=_count(_child_text(root, "Count"), source),
        ids=tuple(t for t in (flatten_text(e) for e in root.iterfind("IdList/Id")) if t),
        query_translation=_child_text(root, "QueryTranslation"),
        phrases_not_found=tuple(flatten_text(e) for e in root.iterfind("ErrorList/PhraseNotFound")),
        warnings=tuple(w for w in warnings if w),
        webenv=_child_text(root, "WebEnv") or None,
        query_key=_child_text(root, "QueryKey") or None,
        retstart=_optional_int(_child_text(root, "RetStart")),
        retmax=_optional_int(_child_text(root, "RetMax")),
    )


def _labelled(root: Element, path: str, label: str) -> list[str]:
    return [f"{label}: {flatten_text(e)}" for e in root.iterfind(path)]


def _count(text: str, source: str) -> int:
    if not text.strip().isdigit():
        raise PubMedResponseError(
            f"ESearch response has no usable Count (found {text!r}); expected a number",
            location=SourceLocation(source),
        )
    return int(text)


def _optional_int(text: Any) -> int:
    text = str(text or "").strip()
    return int(text) if text.isdigit() else 0


def _esearch_json(data: Any, source: str) -> ESearchResult:
    message = _json_error(data)
    if message:
        raise PubMedResponseError(message, location=SourceLocation(source))
    result = data.get("esearchresult") if isinstance(data, Mapping) else None
    if not isinstance(result, Mapping):
        raise PubMedResponseError(
            "expected an ESearch JSON body with an 'esearchresult' object",
            location=SourceLocation(source),
        )
    errors = result.get("errorlist") or {}
    notes = result.get("warninglist") or {}
    warnings = [str(m) for m in notes.get("outputmessages") or ()]
    warnings += [f"field not found: {f}" for f in errors.get("fieldsnotfound") or ()]
    warnings += [f"quoted phrase not found: {p}" for p in notes.get("quotedphrasesnotfound") or ()]
    warnings += [f"phrase ignored: {p}" for p in notes.get("phrasesignored") or ()]
    return ESearchResult(
        count=_count(str(result.get("count", "")), source),
        ids=tuple(str(i) for i in result.get("idlist") or ()),
        query_translation=str(result.get("querytranslation", "")),
        phrases_not_found=tuple(str(p) for p in errors.get("phrasesnotfound") or ()),
        warnings=tuple(warnings),
        webenv=str(result["webenv"]) if result.get("webenv") else None,
        query_key=str(result["querykey"]) if result.get("querykey") else None,
        retstart=_optional_int(result.get("retstart")),
        retmax=_optional_int(result.get("retmax")),
    )


# --- ECitMatch ----------------------------------------------------------------------------


def parse_ecitmatch(text: Body, *, source: str = "<ecitmatch response>") -> dict[str, str | None]:
    """Read ECitMatch output into ``{key: PMID or None}``.

    Each line echoes the query, ``journal|year|volume|first_page|author|key|result``; the
    result is a PMID or a reason such as ``NOT_FOUND;INVALID_JOURNAL``, ``AMBIGUOUS`` or
    nothing, all of which give ``None``. Results are joined by the key field, because NCBI
    may blank other fields of the echo. Lines with too few fields, and a key answered
    twice with different PMIDs, are listed in one :class:`PubMedResponseError`.

    >>> parse_ecitmatch("science|1987|235|182|palmenberg ac|Art2|3026048\\n")
    {'Art2': '3026048'}
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    results: dict[str, str | None] = {}
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < 7:
            problems.append(
                Problem(
                    SourceLocation(source, number),
                    f"expected 7 '|'-separated fields (journal|year|volume|page|author|key|"
                    f"PMID), found {len(fields)}: {line.strip()!r}",
                    "bad-line",
                )
            )
            continue
        key = fields[5].strip()
        answer = fields[6].strip()
        pmid = answer if answer.isdigit() else None
        if key in results and results[key] != pmid:
            problems.append(
                Problem(
                    SourceLocation(source, number),
                    f"key {key!r} answered twice with different results "
                    f"({results[key]} and {pmid}); use a unique key per citation",
                    "duplicate-key",
                )
            )
            continue
        results[key] = pmid
    if problems:
        raise PubMedResponseError(
            f"{len(problems)} unreadable line(s) in the ECitMatch response",
            location=SourceLocation(source),
            problems=problems,
        )
    return results


# --- ESummary -----------------------------------------------------------------------------


def parse_esummary(body: Body, *, source: str = "<esummary response>") -> list[DocSummary]:
    """Read ESummary JSON, XML v1 (``DocSum``/``Item``) or XML v2 (``DocumentSummary``).

    A UID NCBI has no summary for gives a :class:`DocSummary` with ``error`` set; a
    request-level error raises :class:`~evidence.errors.PubMedResponseError`.
    """
    if _first_char(body) in ("{", "["):
        return _esummary_json(_load_json(body, source, "ESummary response"), source)
    root = _parse_xml(body, source, "ESummary response", "an <eSummaryResult> document")
    errors = [flatten_text(e) for e in root.iterfind("ERROR")]
    if errors:
        raise PubMedResponseError(
            "NCBI ESummary error: " + "; ".join(errors), location=SourceLocation(source)
        )
    if root.tag != "eSummaryResult":
        raise PubMedResponseError(
            f"expected an <eSummaryResult> but the root element is <{root.tag}>",
            location=SourceLocation(source),
        )
    summaries = [_docsum_v1(e) for e in root.iterfind("DocSum")]
    summaries += [_docsum_v2(e) for e in root.iterfind("DocumentSummarySet/DocumentSummary")]
    return summaries


def _summary_name(text: str, collective: bool) -> Name:
    """A Name from ESummary's ``Schmidt RJ`` / ``Hambrick GW Jr`` form."""
    text = _XML_SPACE.sub(" ", text).strip()
    if collective:
        return Name(last=text, collective=True)
    words = text.split(" ")
    jr = ""
    if len(words) > 2 and words[-1] in ("Jr", "Sr", "2nd", "3rd", "II", "III", "IV"):
        jr = words.pop()
    first = ""
    if len(words) > 1 and words[-1].isalpha() and words[-1].isupper() and len(words[-1]) <= 4:
        first = " ".join(words.pop())
    return Name(last=" ".join(words), first=first, jr=jr)


def _year_of(pub_date: str) -> int | None:
    found = _YEAR.search(pub_date)
    return int(found.group()) if found else None


def _docsum_v1(docsum: Element) -> DocSummary:
    items: dict[str, Element] = {}
    for item in docsum.iterfind("Item"):
        items.setdefault(item.get("Name", ""), item)

    def item_text(name: str) -> str:
        return flatten_text(items.get(name))

    def list_texts(name: str) -> tuple[str, ...]:
        parent = items.get(name)
        if parent is None:
            return ()
        return tuple(t for t in (flatten_text(e) for e in parent.iterfind("Item")) if t)

    ids = {e.get("Name", ""): flatten_text(e) for e in (items.get("ArticleIds") or ())}
    pub_date = item_text("PubDate")
    return DocSummary(
        pmid=_child_text(docsum, "Id"),
        title=item_text("Title"),
        # v1 does not mark collective authors apart, so every name is read as a person.
        authors=tuple(_summary_name(a, False) for a in list_texts("AuthorList")),
        journal=item_text("Source"),
        journal_full=item_text("FullJournalName"),
        pub_date=pub_date,
        year=_year_of(pub_date),
        volume=item_text("Volume"),
        issue=item_text("Issue"),
        pages=item_text("Pages"),
        doi=_normal_doi(ids["doi"]) if ids.get("doi") else None,
        pmcid=_normal_pmcid(ids["pmc"]) if ids.get("pmc") else None,
        publication_types=list_texts("PubTypeList"),
        languages=list_texts("LangList"),
    )


def _docsum_v2(summary: Element) -> DocSummary:
    uid = summary.get("uid", "")
    error = _child_text(summary, "error")
    if error:
        return DocSummary(pmid=uid, error=error)
    ids = {
        _child_text(e, "IdType"): _child_text(e, "Value")
        for e in summary.iterfind("ArticleIds/ArticleId")
    }
    authors = tuple(
        _summary_name(
            _child_text(a, "Name"), _child_text(a, "AuthType").lower() == "collectivename"
        )
        for a in summary.iterfind("Authors/Author")
    )
    pub_date = _child_text(summary, "PubDate")
    return DocSummary(
        pmid=uid,
        title=_child_text(summary, "Title"),
        authors=authors,
        journal=_child_text(summary, "Source"),
        journal_full=_child_text(summary, "FullJournalName"),
        pub_date=pub_date,
        year=_year_of(pub_date),
        volume=_child_text(summary, "Volume"),
        issue=_child_text(summary, "Issue"),
        pages=_child_text(summary, "Pages"),
        doi=_normal_doi(ids["doi"]) if ids.get("doi") else None,
        pmcid=_normal_pmcid(ids["pmc"]) if ids.get("pmc") else None,
        publication_types=tuple(flatten_text(e) for e in summary.iterfind("PubType/flag")),
        languages=tuple(flatten_text(e) for e in summary.iterfind("Lang/string")),
    )


def _esummary_json(data: Any, source: str) -> list[DocSummary]:
    message = _json_error(data)
    if message:
        raise PubMedResponseError(message, location=SourceLocation(source))
    result = data.get("result") if isinstance(data, Mapping) else None
    if not isinstance(result, Mapping):
        raise PubMedResponseError(
            "expected an ESummary JSON body with a 'result' object",
            location=SourceLocation(source),
        )
    summaries: list[DocSummary] = []
    for uid in result.get("uids") or ():
        entry = result.get(str(uid))
        if not isinstance(entry, Mapping):
            summaries.append(DocSummary(pmid=str(uid), error="no summary in the response"))
            continue
        if entry.get("error"):
            summaries.append(DocSummary(pmid=str(uid), error=str(entry["error"])))
            continue
        ids = {
            str(i.get("idtype", "")): str(i.get("value", ""))
            for i in entry.get("articleids") or ()
            if isinstance(i, Mapping)
        }
        pub_date = str(entry.get("pubdate", ""))
        summaries.append(
            DocSummary(
                pmid=str(uid),
                title=str(entry.get("title", "")),
                authors=tuple(
                    _summary_name(
                        str(a.get("name", "")),
                        str(a.get("authtype", "")).lower() == "collectivename",
                    )
                    for a in entry.get("authors") or ()
                    if isinstance(a, Mapping)
                ),
                journal=str(entry.get("source", "")),
                journal_full=str(entry.get("fulljournalname", "")),
                pub_date=pub_date,
                year=_year_of(pub_date),
                volume=str(entry.get("volume", "")),
                issue=str(entry.get("issue", "")),
                pages=str(entry.get("pages", "")),
                doi=_normal_doi(ids["doi"]) if ids.get("doi") else None,
                pmcid=_normal_pmcid(ids["pmc"]) if ids.get("pmc") else None,
                publication_types=tuple(str(p) for p in entry.get("pubtype") or ()),
                languages=tuple(str(p) for p in entry.get("lang") or ()),
            )
        )
    return summaries


# --- PMC ID converter ---------------------------------------------------------------------


def parse_idconv(body: Body, *, source: str = "<idconv response>") -> list[IdConvRecord]:
    """Read a PMC ID converter answer (XML or JSON) into one record per requested ID.

    The converter only knows articles in PubMed Central; for others the record carries
    ``error`` (its ``errmsg``) and no IDs. A request-level error raises
    :class:`~evidence.errors.PubMedResponseError`.
    """
    if _first_char(body) in ("{", "["):
        data = _load_json(body, source, "ID converter response")
        if not isinstance(data, Mapping):
            raise PubMedResponseError(
                "expected an ID converter JSON object", location=SourceLocation(source)
            )
        if str(data.get("status", "ok")).lower() != "ok":
            raise PubMedResponseError(
                f"PMC ID converter error: {data.get('message') or data.get('errmsg') or data}",
                location=SourceLocation(source),
            )
        return [_idconv_record(r) for r in data.get("records") or () if isinstance(r, Mapping)]
    root = _parse_xml(body, source, "ID converter response", "a <pmcids> document")
    if root.tag != "pmcids":
        raise PubMedResponseError(
            f"expected a <pmcids> document but the root element is <{root.tag}>",
            location=SourceLocation(source),
        )
    if root.get("status", "ok").lower() != "ok":
        detail = _child_text(root, "errmsg") or flatten_text(root) or root.get("status", "")
        raise PubMedResponseError(
            f"PMC ID converter error: {detail}", location=SourceLocation(source)
        )
    return [_idconv_record(r.attrib) for r in root.iterfind("record")]


def _idconv_record(fields: Mapping[str, Any]) -> IdConvRecord:
    def get(name: str) -> str:
        value = fields.get(name)
        return "" if value is None else str(value).strip()

    error = get("errmsg") or (get("status") if get("status") not in ("", "ok") else "")
    pmcid = get("pmcid")
    return IdConvRecord(
        requested_id=get("requested-id") or pmcid or get("pmid") or get("doi"),
        pmid=get("pmid") or None,
        pmcid=_normal_pmcid(pmcid) if pmcid else None,
        doi=_normal_doi(get("doi")) if get("doi") else None,
        error=error or None,
    )
