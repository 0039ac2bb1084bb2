"""ORACLE for tests/test_pubmed_parse_fast.py: evidence/pubmed/efetch.py as it was before
the quick parsing path (commit 3201d8a), unchanged but for this docstring and its import of
the oracle XML helpers. Never edit it: it is what the new parser must agree with.

The original docstring follows.

EFetch ``db=pubmed`` XML (``PubmedArticleSet``) into :class:`~evidence.model.PubMedRecord`.

Journal articles (``PubmedArticle``) and book chapters (``PubmedBookArticle``) alike. Choices
worth knowing (each one follows what real responses do):

- **Speed.** Each article becomes a record as soon as it has been read (see
  ``evidence.pubmed.xml``). Python's cyclic garbage collector is paused while an EFetch
  body is parsed (and restored after, if it was on): the parse allocates hundreds of tree
  nodes per article, none of them in reference cycles, and the collector's repeated scans
  over them made 10,000 records take twice as long (``benchmarks/bench_pubmed_parse.py``).
- **Identifiers** come only from the record's own ``PubmedData/ArticleIdList`` (or
  ``BookDocument/ArticleIdList`` and ``PubmedBookData/ArticleIdList``), never from
  ``ReferenceList``, which lists the DOIs of *cited* papers. ``ELocationID[@EIdType="doi"]``
  is the fallback DOI. DOIs are lower-cased; PMCIDs are written ``PMC123``.
- ``CommentsCorrections`` of type ``Cites`` are left out: they are the article's own
  reference list (2018-era DTDs put it there) and would swamp the links that matter
  (``RetractionIn``, ``ErratumIn``, ``ExpressionOfConcernIn`` ...). Authors marked
  ``ValidYN="N"`` are left out too (PubMed keeps them only as a record of a corrected name).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from xml.etree.ElementTree import Element

from pubmed_oracle_xml import Body, child_text, flatten_text, parse_xml

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
from evidence.pubmed.body import raise_if_error
from evidence.pubmed.values import normal_doi, normal_pmcid, year_of

__all__ = ["parse_efetch"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_BY_NAME = MappingProxyType({m.lower(): m for m in _MONTHS})


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
    raise_if_error(body, source, "EFetch response")
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
        root = parse_xml(body, source, "EFetch response", "a <PubmedArticleSet> document", on_child)
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
    pmid = child_text(citation, "PMID")
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
        title=child_text(art, "ArticleTitle") or child_text(art, "VernacularTitle"),
        kind="article",
        abstract=_abstract(art.find("Abstract")),
        authors=authors,
        authors_complete=complete,
        journal=child_text(journal, "Title") if journal is not None else "",
        journal_abbrev=(
            (child_text(journal, "ISOAbbreviation") if journal is not None else "")
            or child_text(citation, "MedlineJournalInfo/MedlineTA")
        ),
        year=year,
        pub_date=pub_date,
        volume=child_text(issue, "Volume") if issue is not None else "",
        issue=child_text(issue, "Issue") if issue is not None else "",
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
    pmid = child_text(document, "PMID")
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
    book_title = child_text(book, "BookTitle")
    chapter = child_text(document, "ArticleTitle") or child_text(document, "VernacularTitle")
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
        volume=child_text(book, "Volume"),
        pages=_pages(document.find("Pagination")),
        doi=doi or more_doi,
        pmcid=pmcid or more_pmcid,
        publication_types=_publication_types(document.iterfind("PublicationType")),
        keywords=_keywords(document.iterfind("KeywordList/Keyword")),
        languages=tuple(t for t in (flatten_text(e) for e in document.iterfind("Language")) if t),
        editors=editors,
        publisher=child_text(book, "Publisher/PublisherName"),
        publisher_location=child_text(book, "Publisher/PublisherLocation"),
        book_accession=accession,
    )


def _pub_date(date: Element | None) -> tuple[int | None, str]:
    """``(year, display)`` from a PubDate-like element (Year/Month/Day, Year/Season or
    MedlineDate). The display follows PubMed's own: ``2011 Apr``, ``2022 Apr-Jun``,
    ``1998 Dec-1999 Jan``; months given as numbers are written as names."""
    if date is None:
        return None, ""
    medline = child_text(date, "MedlineDate")
    if medline:
        return year_of(medline), medline
    year_text = child_text(date, "Year")
    year = year_of(year_text)
    parts = [year_text] if year_text else []
    season = child_text(date, "Season")
    month = _month_name(child_text(date, "Month"))
    if month:
        parts.append(month)
        day = child_text(date, "Day")
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
        last = child_text(author, "LastName")
        if not last:
            continue
        first = child_text(author, "ForeName")
        if not first:
            # Initials only ("JM"): spaced out so that Name.initials gives "JM" back.
            first = " ".join(child_text(author, "Initials"))
        names.append(Name(last=last, first=first, jr=child_text(author, "Suffix")))
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
    pages = child_text(pagination, "MedlinePgn")
    if pages:
        return pages
    first, last = child_text(pagination, "StartPage"), child_text(pagination, "EndPage")
    return f"{first}-{last}" if first and last else first


def _ids(id_list: Element | None) -> tuple[str | None, str | None]:
    """``(doi, pmcid)`` from the direct ``ArticleId`` children of one ``ArticleIdList``."""
    doi = pmcid = None
    if id_list is None:
        return doi, pmcid
    for element in id_list.iterfind("ArticleId"):
        id_type = element.get("IdType", "")
        if id_type == "doi" and doi is None:
            doi = normal_doi(flatten_text(element))
        elif id_type in ("pmc", "pmcid") and pmcid is None:
            pmcid = normal_pmcid(flatten_text(element))
    return doi, pmcid


def _elocation_doi(article: Element) -> str | None:
    for element in article.iterfind("ELocationID"):
        if element.get("EIdType") == "doi" and element.get("ValidYN", "Y") != "N":
            doi = normal_doi(flatten_text(element))
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
                source=child_text(element, "RefSource"),
                pmid=child_text(element, "PMID") or None,
            )
        )
    return tuple(links)
