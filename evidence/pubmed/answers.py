"""The E-utilities' smaller answers: ESearch, ECitMatch, ESummary and the PMC ID converter.

- :func:`parse_esearch` -- ESearch XML or JSON into an :class:`ESearchResult`.
- :func:`parse_esummary` -- ESummary JSON, XML v1 (``DocSum``) or v2 (``DocumentSummary``)
  into :class:`DocSummary` records (no abstract and no MeSH: ESummary has neither).
- :func:`parse_ecitmatch` -- ECitMatch's plain-text lines into ``{key: PMID or None}``.
- :func:`parse_idconv` -- the PMC ID converter's XML or JSON into :class:`IdConvRecord`.

Each tells JSON from XML by the body's first character; request-level errors raise
:class:`~evidence.errors.PubMedResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from evidence.errors import Problem, PubMedResponseError, SourceLocation
from evidence.model import Name
from evidence.pubmed.body import first_char, json_error, load_json
from evidence.pubmed.values import normal_doi, normal_pmcid, year_of
from evidence.pubmed.xml import XML_SPACE, Body, child_text, error_elements, flatten_text, parse_xml

__all__ = [
    "DocSummary",
    "ESearchResult",
    "IdConvRecord",
    "parse_ecitmatch",
    "parse_esearch",
    "parse_esummary",
    "parse_idconv",
]


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


# --- ESearch ------------------------------------------------------------------------------


def parse_esearch(body: Body, *, source: str = "<esearch response>") -> ESearchResult:
    """Read an ESearch answer, XML or JSON (told apart by the first character).

    Zero hits are a normal result (``count == 0``); so are ``phrases_not_found``. A hard
    error (``<ERROR>``, ``esearchresult.ERROR``, a rate-limit body) raises
    :class:`~evidence.errors.PubMedResponseError`, as does a body that cannot be read.
    """
    if first_char(body) in ("{", "["):
        return _esearch_json(load_json(body, source, "ESearch response"), source)
    root = parse_xml(body, source, "ESearch response", "an <eSearchResult> document")
    errors = error_elements(root)
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
        count=_count(child_text(root, "Count"), source),
        ids=tuple(t for t in (flatten_text(e) for e in root.iterfind("IdList/Id")) if t),
        query_translation=child_text(root, "QueryTranslation"),
        phrases_not_found=tuple(flatten_text(e) for e in root.iterfind("ErrorList/PhraseNotFound")),
        warnings=tuple(w for w in warnings if w),
        webenv=child_text(root, "WebEnv") or None,
        query_key=child_text(root, "QueryKey") or None,
        retstart=_optional_int(child_text(root, "RetStart")),
        retmax=_optional_int(child_text(root, "RetMax")),
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
    message = json_error(data)
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
    if first_char(body) in ("{", "["):
        return _esummary_json(load_json(body, source, "ESummary response"), source)
    root = parse_xml(body, source, "ESummary response", "an <eSummaryResult> document")
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
    text = XML_SPACE.sub(" ", text).strip()
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
        pmid=child_text(docsum, "Id"),
        title=item_text("Title"),
        # v1 does not mark collective authors apart, so every name is read as a person.
        authors=tuple(_summary_name(a, False) for a in list_texts("AuthorList")),
        journal=item_text("Source"),
        journal_full=item_text("FullJournalName"),
        pub_date=pub_date,
        year=year_of(pub_date),
        volume=item_text("Volume"),
        issue=item_text("Issue"),
        pages=item_text("Pages"),
        doi=normal_doi(ids["doi"]) if ids.get("doi") else None,
        pmcid=normal_pmcid(ids["pmc"]) if ids.get("pmc") else None,
        publication_types=list_texts("PubTypeList"),
        languages=list_texts("LangList"),
    )


def _docsum_v2(summary: Element) -> DocSummary:
    uid = summary.get("uid", "")
    error = child_text(summary, "error")
    if error:
        return DocSummary(pmid=uid, error=error)
    ids = {
        child_text(e, "IdType"): child_text(e, "Value")
        for e in summary.iterfind("ArticleIds/ArticleId")
    }
    authors = tuple(
        _summary_name(child_text(a, "Name"), child_text(a, "AuthType").lower() == "collectivename")
        for a in summary.iterfind("Authors/Author")
    )
    pub_date = child_text(summary, "PubDate")
    return DocSummary(
        pmid=uid,
        title=child_text(summary, "Title"),
        authors=authors,
        journal=child_text(summary, "Source"),
        journal_full=child_text(summary, "FullJournalName"),
        pub_date=pub_date,
        year=year_of(pub_date),
        volume=child_text(summary, "Volume"),
        issue=child_text(summary, "Issue"),
        pages=child_text(summary, "Pages"),
        doi=normal_doi(ids["doi"]) if ids.get("doi") else None,
        pmcid=normal_pmcid(ids["pmc"]) if ids.get("pmc") else None,
        publication_types=tuple(flatten_text(e) for e in summary.iterfind("PubType/flag")),
        languages=tuple(flatten_text(e) for e in summary.iterfind("Lang/string")),
    )


def _esummary_json(data: Any, source: str) -> list[DocSummary]:
    message = json_error(data)
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
                year=year_of(pub_date),
                volume=str(entry.get("volume", "")),
                issue=str(entry.get("issue", "")),
                pages=str(entry.get("pages", "")),
                doi=normal_doi(ids["doi"]) if ids.get("doi") else None,
                pmcid=normal_pmcid(ids["pmc"]) if ids.get("pmc") else None,
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
    if first_char(body) in ("{", "["):
        data = load_json(body, source, "ID converter response")
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
    root = parse_xml(body, source, "ID converter response", "a <pmcids> document")
    if root.tag != "pmcids":
        raise PubMedResponseError(
            f"expected a <pmcids> document but the root element is <{root.tag}>",
            location=SourceLocation(source),
        )
    if root.get("status", "ok").lower() != "ok":
        detail = child_text(root, "errmsg") or flatten_text(root) or root.get("status", "")
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
        pmcid=normal_pmcid(pmcid) if pmcid else None,
        doi=normal_doi(get("doi")) if get("doi") else None,
        error=error or None,
    )
