"""One article's citing sentences and cited identifiers, whatever its format.

:func:`article_citations` asks :func:`evidence.extract.parse_article` first, with the
format named by the file's suffix, so every format the extractor's registry reads
(Markdown, plain text, reStructuredText, LaTeX, and JATS and .docx the day their readers
land) is audited the way ``evidence extract`` reads it: each marker's numbers go through the
article's own reference list to the PMID and DOI written there. Only when the registry does
not know the suffix and the bytes are a JATS article does the temporary collector in
:mod:`evidence.audit.jats` read it. The audit runs offline here (no ECitMatch): a
reference without an identifier is reported as such, not looked up one by one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import PurePosixPath

from evidence.audit.jats import CitedWork, CitingSentence, is_jats, read_jats
from evidence.errors import ArticleError, SourceLocation
from evidence.extract import ExtractResult, parse_article

__all__ = ["ArticleCitations", "article_citations"]


@dataclass(frozen=True)
class ArticleCitations:
    """An article's id (its PMID, PMCID or DOI when known, else its name), the reader
    used, its citing sentences, and how many markers named nothing listed."""

    article: str
    reader: str
    sentences: tuple[CitingSentence, ...]
    unmapped: int = 0


def article_citations(name: str, data: bytes) -> ArticleCitations:
    """The citations of the article ``name`` (a path or ``package.tar:member``) whose
    bytes are ``data``. Raises :class:`~evidence.errors.ArticleError` when it cannot be
    read (the audit turns that into an article row that says why)."""
    suffix = PurePosixPath(name).suffix.lower()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        try:
            result = parse_article(text, format=suffix or "plain", source=name)
        except ArticleError:
            if not is_jats(data):
                raise
        else:
            return _from_extract(name, result)
    if is_jats(data):
        jats = read_jats(data, name)
        return ArticleCitations(
            jats.article_id, "jats-collector", jats.sentences, len(jats.dangling)
        )
    raise ArticleError(
        "not UTF-8 text and not a JATS article; save it as UTF-8", location=SourceLocation(name)
    )


def _from_extract(name: str, result: ExtractResult) -> ArticleCitations:
    claims = sorted(result.claims, key=lambda c: _position(c.location))
    starts = [_position(c.location) for c in claims]
    listed = {entry.number: entry for entry in result.reference_list}
    cited: dict[int, list[CitedWork]] = {}
    unmapped = 0
    for marker in result.markers:
        index = bisect.bisect_right(starts, _position(marker.location)) - 1
        if index < 0:
            continue
        works = cited.setdefault(index, [])
        for value in marker.cited:
            entry = listed.get(int(value)) if value.isdigit() else None
            if entry is None:
                if marker.kind == "numeric":
                    unmapped += 1
                works.append(CitedWork(value))
            else:
                works.append(CitedWork(str(entry.number), entry.pmid, entry.doi, None, entry.text))
    sentences = []
    for index, works in sorted(cited.items()):
        claim = claims[index]
        unique = list({w.ref_id: w for w in works}.values())
        location = claim.location or SourceLocation(name)
        sentences.append(CitingSentence(location, claim.text, tuple(unique)))
    return ArticleCitations(name, result.format, tuple(sentences), unmapped)


def _position(location: SourceLocation | None) -> tuple[int, int]:
    if location is None:
        return (0, 0)
    return (location.line or 0, location.column or 0)
