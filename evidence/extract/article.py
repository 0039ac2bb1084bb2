r"""Claims from prose: the sentences of an article that carry citation markers.

Most claims are not born in a claims file: they are sentences in an article, a review or
a docs page, followed by a citation marker. :func:`extract_claims` finds the markers,
maps them to bibliography keys and returns each cited sentence as a
:class:`~evidence.model.Claim` whose citations have stance ``unknown`` (nobody has read
them yet), ready for :func:`~evidence.claims.dump_claims`.

>>> result = extract_claims("Pain is common after fusion [@katz2003; @liliang2011, p. 4].")
>>> claim = result.claims[0]
>>> claim.id, claim.text, [c.key for c in claim.citations], claim.citations[1].locator
('pain-common-fusion', 'Pain is common after fusion.', ['katz2003', 'liliang2011'], 'p. 4')

What is read as a citation marker
=================================

========================  ===========================================================
style                     examples
========================  ===========================================================
pandoc                    ``[@katz2003]``, ``[see @a, p. 4; -@b]``, ``@katz2003 found``
LaTeX (natbib, biblatex)  ``\cite{a,b}``, ``\citep[p.~4]{a}``, ``\citet{a}``,
                          ``\parencite``, ``\textcite``, ``\autocite``, ``\footcite``,
                          ``\cites{a}{b}`` ... with optional ``[pre][post]``
Sphinx (bibtex ext.)      ``:cite:`a,b```, ``:cite:p:`a```, ``:cite:t:`a```,
                          ``:footcite:`a```; reStructuredText's own ``[Katz2003]_``
numeric                   ``[1]``, ``[1-3]``, ``[2, 5]``, ``[1]_``, ``(7)``, ``<sup>1</sup>``,
                          ``¹²``, ``¹⁻³``, and plain digits set as superscripts were:
                          ``fusion procedures 1,2.``, ``studies1,2``, ``fusion.1,2 Next``
author-year               ``(Katz et al., 2003)``, ``(Katz and Smith 2003; Liliang
                          2011a)``, ``Katz et al. (2003) found``
========================  ===========================================================

Numbers are the dangerous part: prose is full of them. The rules lean to precision (a
missed marker is seen by the writer; a year taken for a citation silently makes a wrong
claim):

* ``[1]`` and ``[1]_`` are always markers (brackets around bare numbers are rarely
  anything else), except a Markdown link (``[1](url)``, ``[text][1]``), a footnote
  (``[^1]``), or a year-sized number;
* ``(7)``, superscript-style digits and Unicode superscripts are markers only when the
  document has a numbered reference list and every number is on it; ``(7)`` and plain
  digits must also end a phrase (be followed by punctuation, a line end, or a new
  sentence), so enumerations ``(1) first``, doses ``5 mg``, durations ``1-2 hours``,
  decimals, percentages and ratios are not taken;
* plain digits must follow a word (or a word and a full stop, ``fusion.1,2``) that is not
  a function word (``in 2003``, ``of 52``, ``to 2``) nor a word that takes a number
  (``Figure 2``, ``group 3``, ``day 4``, ``grade 2``...), and never follow ``=``, ``<``,
  ``±`` or another number; Unicode superscripts never follow a unit or one letter
  (``m²``, ``kg/m²``, ``R²``).

Author-year markers need a capitalised name that is not a month or a word such as
``Table``; ``(in 2003)`` and ``(September 2012)`` are not markers. A narrative citation
with a single name and no ``et al.`` (``Katz (2003)``) is taken only when a .bib entry
matches it.

Mapping markers to keys
=======================

* Keys (pandoc, LaTeX, Sphinx) are looked up in the .bib when one is given; an unknown
  key written in citation syntax is kept (the evidence table reports it) with a warning,
  but a bare ``@word`` that is not a key is not taken (it is a handle or a decorator).
* Numeric markers go through the document's own numbered reference list: the entries
  under a ``References``/``Bibliography``/``Literature cited`` heading, or else a trailing
  block of numbered lines that look like references (each with a year): ``1. Liliang PC,
  ...``, ``[1] ...``, ``.. [1] ...`` and the doubled ``1. 1.Liliang PC`` of lists pasted
  from web pages. Each entry is matched to a .bib entry by :func:`match_reference`
  (PMID, DOI, then title/first author/year; thresholds are explained there). Entries the
  .bib lacks, or every entry when there is no .bib, are looked up with PubMed's ECitMatch
  when a ``client`` is given (journal, year, volume, first page and first author parsed
  from the entry). A PMID that no .bib entry carries is reported; with no .bib at all the
  citation gets a key made from the first author and year (``liliang2011``) and a note
  with the PMID, so ``evidence fetch`` can build the .bib.
* Author-year markers are matched on the first author's surname and the year (a second
  name, ``et al.`` and a letter suffix ``2003a`` narrow the choice).
* What cannot be mapped is listed in ``ExtractResult.unmapped`` with the reason, said
  in the claim's ``note``, and reported as a located warning; the claim is still listed.

Sentences
=========

Sentences are split at ``.``, ``!`` and ``?`` followed by a space and a capital letter, a
digit, a quote or a bracket, but not after abbreviations (``et al.``, ``e.g.``, ``Fig.``,
``vs.``, ``No.``... and initials followed by more initials or names) nor inside decimals.
Headings, code, math, tables, link targets, URLs, front matter, the LaTeX preamble and
the reference list itself are never claims. A marker right after a full stop
(``fusion.[1]``, ``fusion.1,2 Next``) belongs to the sentence before it. ``context=N``
adds up to N sentences each side from the same paragraph; the claim's location stays
that of the sentence carrying the marker. Markers are removed from the claim text
(narrative ones leave the authors' names: ``\citet{katz2003} found`` gives ``Katz et al.
found``). With ``include_uncited=True``, statements without markers (sentences of at
least four words ending in ``.`` or ``!``; questions and headings are not statements)
are listed too, with no citations.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from evidence.bibliography.bibtex import Bibliography, decode_latex, normalise_doi, normalise_pmid
from evidence.claims import ClaimSet, dump_claims
from evidence.errors import ArticleError, Problem, PubMedError, Severity, SourceLocation
from evidence.model import Citation, Claim, Reference, Stance
from evidence.text import fold, sentence_spans, split_sentences

if TYPE_CHECKING:
    from evidence.pubmed.query import CitationQuery

__all__ = [
    "FORMATS",
    "TITLE_MATCH",
    "TITLE_MATCH_WITH_AUTHOR_AND_YEAR",
    "CitationMatcher",
    "ExtractResult",
    "ListedReference",
    "Marker",
    "UnmappedMarker",
    "extract_claims",
    "match_reference",
    "parse_article",
    "parse_reference_line",
    "sentence_spans",
    "split_sentences",
]

#: The article formats :func:`extract_claims` reads.
FORMATS = ("markdown", "plain", "rst", "latex")

_FORMAT_ALIASES = {
    "markdown": "markdown",
    "md": "markdown",
    "plain": "plain",
    "text": "plain",
    "txt": "plain",
    "rst": "rst",
    "rest": "rst",
    "restructuredtext": "rst",
    "latex": "latex",
    "tex": "latex",
}
_SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".qmd": "markdown",
    ".rmd": "markdown",
    ".txt": "plain",
    ".text": "plain",
    ".rst": "rst",
    ".rest": "rst",
    ".tex": "latex",
    ".latex": "latex",
    ".ltx": "latex",
}

_WARNING = Severity.WARNING


def _word_set(text: str) -> frozenset[str]:
    """The white-space separated words of ``text`` (word lists read best as prose)."""
    return frozenset(text.split())


# --- public records ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marker:
    """One citation marker found in the text.

    ``kind`` is ``pandoc``, ``latex``, ``sphinx``, ``rst``, ``numeric``, ``superscript`` or
    ``author-year``; ``text`` is the marker as written; ``cited`` what it names as written
    (keys, reference numbers with ranges expanded, or ``Katz et al. 2003``); ``keys`` the
    bibliography keys those map to, in order (fewer than ``cited`` when some could not be
    mapped).
    """

    kind: str
    text: str
    location: SourceLocation
    cited: tuple[str, ...]
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnmappedMarker:
    """Something a marker cites that no bibliography key could be found for, and why."""

    marker: Marker
    cited: str
    reason: str

    def __str__(self) -> str:
        return f"{self.marker.location}: {self.cited!r} not mapped: {self.reason}"


@dataclass(frozen=True, slots=True)
class ListedReference:
    """One entry of the document's own numbered reference list, and what it maps to.

    The fields after ``text`` are parsed from the entry (empty when not found); ``key`` is
    the bibliography key it maps to (``None`` when unmapped), ``how`` says how it was
    matched (``pmid``, ``doi``, ``title``, ``pubmed``) or why not.
    """

    number: int
    text: str
    location: SourceLocation
    first_author: str = ""
    initials: str = ""
    title: str = ""
    journal: str = ""
    year: int | None = None
    volume: str = ""
    first_page: str = ""
    pmid: str | None = None
    doi: str | None = None
    key: str | None = None
    how: str = ""

    def citation_query(self) -> CitationQuery:
        """The ECitMatch query for this entry (journal, year, volume, first page, author)."""
        from evidence.pubmed.query import CitationQuery

        author = f"{self.first_author} {self.initials}".strip()
        return CitationQuery(self.journal, self.year, self.volume, self.first_page, author)


@dataclass(frozen=True)
class ExtractResult:
    """What :func:`extract_claims` found.

    ``claims`` is a :class:`~evidence.claims.ClaimSet` (write it with :meth:`dump`);
    ``markers`` every marker taken, in text order; ``unmapped`` what they cite that has no
    key; ``reference_list`` the document's numbered reference list (empty when it has
    none); ``problems`` located warnings; ``format`` the format the text was read as.
    """

    claims: ClaimSet
    markers: tuple[Marker, ...] = ()
    unmapped: tuple[UnmappedMarker, ...] = ()
    reference_list: tuple[ListedReference, ...] = ()
    problems: tuple[Problem, ...] = ()
    format: str = "markdown"
    path: str = "<string>"

    def dump(self, fmt: str = "yaml") -> str:
        """The claims as a claims file (see :func:`~evidence.claims.dump_claims`)."""
        return dump_claims(self.claims, fmt)


class CitationMatcher(Protocol):
    """What :func:`extract_claims` needs from a PubMed client: ECitMatch look-ups."""

    def citmatch(self, citations: Mapping[int, CitationQuery]) -> Mapping[int, str | None]:
        """PMIDs (or ``None``) for each citation query, under the same keys."""
        ...


# --- entry points --------------------------------------------------------------------------


def extract_claims(
    text_or_path: str | os.PathLike[str],
    *,
    references: Mapping[str, Reference] | str | os.PathLike[str] | None = None,
    format: str | None = None,
    context: int = 0,
    include_uncited: bool = False,
    client: CitationMatcher | None = None,
    encoding: str = "utf-8",
) -> ExtractResult:
    """Claims from an article given as a path or as text (see the module docstring).

    A path (``os.PathLike``, or a one-line string naming an existing file) is read and its
    format taken from the suffix (``.md``, ``.txt``, ``.rst``, ``.tex``...) unless
    ``format`` is given; text given directly is read as ``format`` (default Markdown,
    which also covers plain text). ``references`` is a bibliography (or the path of a
    .bib file) to map markers to keys; ``client`` a PubMed client used to resolve
    numbered references the .bib lacks.

    Raises :class:`~evidence.errors.ArticleError` when the file cannot be read or decoded,
    or the format is unknown. Everything else is reported in ``.problems`` and
    ``.unmapped``: an article with odd markers still gives its claims.
    """
    path = _as_path(text_or_path)
    if path is None:
        text = str(text_or_path)
        source = "<string>"
        kind = _format_name(format, source) if format else "markdown"
    else:
        source = os.fspath(path)
        if format:
            kind = _format_name(format, source)
        else:
            kind = _SUFFIXES.get(Path(source).suffix.lower(), "")
            if not kind:
                raise ArticleError(
                    f"cannot tell the format from the suffix {Path(source).suffix!r}; name "
                    f"the file {', '.join(_SUFFIXES)}, or pass a format (one of: "
                    f"{', '.join(FORMATS)})",
                    location=SourceLocation(source),
                )
        text = _read(source, encoding)
    bib: Mapping[str, Reference] | None
    if references is None or isinstance(references, Mapping):
        bib = references
    else:
        from evidence.bibliography.bibtex import load_references

        bib = load_references(references)
    return parse_article(
        text,
        format=kind,
        source=source,
        references=bib,
        context=context,
        include_uncited=include_uncited,
        client=client,
    )


def parse_article(
    text: str,
    *,
    format: str = "markdown",
    source: str = "<string>",
    references: Mapping[str, Reference] | None = None,
    context: int = 0,
    include_uncited: bool = False,
    client: CitationMatcher | None = None,
) -> ExtractResult:
    """Claims from article ``text`` written in ``format``; ``source`` names it in locations.

    The pure core of :func:`extract_claims` (the ``client``, when given, is the only
    thing that can reach the network).
    """
    kind = _format_name(format, source)
    if context < 0:
        raise ValueError(f"context must be 0 or more sentences, not {context}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark: editors do not count it as a column
    return _Extraction(text, kind, source, references, client).run(context, include_uncited)


def _as_path(value: str | os.PathLike[str]) -> Path | None:
    if isinstance(value, os.PathLike):
        return Path(value)
    if "\n" in value or len(value) > 1024:
        return None
    candidate = value.strip()
    try:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    except OSError:
        return None
    if re.fullmatch(r"\S+(" + "|".join(re.escape(s) for s in _SUFFIXES) + r")", candidate, re.I):
        # Reads as a file name, not as prose: a missing file must not become a one-line text.
        raise ArticleError(
            f"no such file; check the path (it is read relative to {os.getcwd()!r})",
            location=SourceLocation(candidate),
        )
    return None


def _format_name(fmt: str | None, source: str) -> str:
    kind = _FORMAT_ALIASES.get((fmt or "").strip().lower().lstrip("."), "")
    if not kind:
        raise ArticleError(
            f"unknown article format {fmt!r}; use one of: {', '.join(FORMATS)}",
            location=SourceLocation(source),
        )
    return kind


def _read(source: str, encoding: str) -> str:
    try:
        data = Path(source).read_bytes()
    except FileNotFoundError:
        raise ArticleError(
            f"no such file; check the path (it is read relative to {os.getcwd()!r})",
            location=SourceLocation(source),
        ) from None
    except OSError as error:
        raise ArticleError(
            f"cannot read the article: {error.strerror or error}", location=SourceLocation(source)
        ) from error
    if data.startswith(b"\xef\xbb\xbf") and encoding.lower().replace("_", "-") == "utf-8":
        data = data[3:]
    try:
        return data.decode(encoding)
    except LookupError:
        raise ArticleError(
            f"unknown text encoding {encoding!r}", location=SourceLocation(source)
        ) from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ArticleError(
            f"the file is not valid {encoding} text (byte {data[error.start]:#04x}); save it "
            "as UTF-8, or pass the encoding it was saved in",
            location=SourceLocation(source, line, column),
        ) from None


# --- word lists ----------------------------------------------------------------------------

# Function words: a number right after one is a quantity, not a citation ("in 2003",
# "of 52", "to 2", "were 21").
_FUNCTION_WORDS = _word_set(
    """
    a about above across after against ago all almost also am among an and any approximately
    are around as at be been before being below between beyond both but by can could did do
    does during each either every except few for from had has have having her his if in
    including into is it its just least less more most my near nearly neither no nor not of
    off on once only or other our over per plus roughly several since so some than that the
    their them then there these they this those through till to too toward towards under
    until up upon us versus via was we were what when where which while who whom whose why
    will with within without would you your only just about nearly over around aged age
    ages top first last next remaining another
    """
)

# Words that take a number ("Figure 2", "group 3", "day 4"): a number after one of them
# is part of the phrase.
_NUMBER_WORDS = _word_set(
    """
    figure figures fig figs table tables tab eq eqs equation equations section sections sec
    chapter chapters ch chap page pages p pp appendix supplement box panel step steps stage
    stages grade grades type types phase phases level levels class classes group groups
    arm arms cohort cohorts day days week weeks wk month months year years yr hour hours hr
    minute minutes min second seconds visit visits dose doses cycle cycles score scores
    version v no nos number numbers item items question questions line lines case cases
    patient patients subject subjects participant participants trial trials study studies
    experiment experiments model models lead leads factor factors chromosome chromosomes
    exon exons codon codons round rounds wave waves session sessions block blocks site sites
    ward wards bed beds room rooms floor level series volume vol issue part parts point
    points rank ranks tier tiers category categories criterion criteria rule rules lane
    lanes slide slides sample samples specimen specimens image images scan scans test tests
    mark marks set sets unit units region regions zone zones tooth teeth vertebra segment
    segments gen generation dimension dimensions
    """
)

_MONTHS_AND_NON_NAMES = _word_set(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall winter table
    figure fig appendix version phase class grade stage type study trial group step since
    in from until before after during between circa about the a an this that these those
    and or but see also e.g i.e cf eg ie year years vol volume issue page pages chapter
    section edition ed note notes published updated accessed retrieved revised
    """
)

_UNITS = _word_set(
    """
    m cm mm km nm um µm μm ft in mi s ms m/s kg/m g kg l dl ml yd px pt mile miles sq
    """
)

_NAME_PARTICLES = r"(?:(?:van|von|de|der|den|da|di|la|le|du|del|dos|ter|ten|al|el|mc)\s+)*"
_NAME = rf"{_NAME_PARTICLES}[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u024f-]*[\w\u00c0-\u024f]"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)[a-z]?"

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"


# --- masking: what is not prose -------------------------------------------------------------


class _View:
    """The article with everything that is not prose blanked out, offsets unchanged.

    Blanked characters become spaces (line breaks are kept), so an offset in the view is
    the same offset in the text, and locations are computed on the text.
    """

    def __init__(self, text: str) -> None:
        self.chars = list(text)

    def blank(self, start: int, end: int) -> None:
        chars = self.chars
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "

    def cut(self, start: int, end: int) -> None:
        """Blank ``[start, end)`` and end a paragraph there (two line breaks at its end)."""
        self.blank(start, end)
        if end - start >= 2:
            self.chars[end - 2] = "\n"
            self.chars[end - 1] = "\n"

    def blank_matches(self, pattern: re.Pattern[str], text: str, group: int | str = 0) -> None:
        for match in pattern.finditer(text):
            self.blank(match.start(group), match.end(group))

    def text(self) -> str:
        return "".join(self.chars)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


_BULLET = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,3}[.)]|#\.)[ \t]+(?=\S)", re.M)
_URL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"')\]]+|\bdoi:\s*10\.\d{4,9}/\S+|\b10\.\d{4,9}/[^\s\"<>]+"
)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _mask_markdown_code(text: str, view: _View) -> None:
    """Front matter, fenced code, HTML comments, inline code: never prose, never markers."""
    front = re.match(r"---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|$)", text, re.S)
    if front:
        view.blank(front.start(), front.end())
    fence: str | None = None
    fence_start = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        opener = re.match(r"(`{3,}|~{3,})", stripped)
        if fence is None and opener:
            fence, fence_start = opener.group(1), offset
        elif (
            fence is not None
            and stripped.startswith(fence)
            and not stripped[len(fence) :].strip("`~ \n")
        ):
            view.blank(fence_start, offset + len(line))
            fence = None
        offset += len(line)
    if fence is not None:
        view.blank(fence_start, len(text))
    view.blank_matches(_HTML_COMMENT, text)
    view.blank_matches(re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S), text)


def _mask_markdown_markup(text: str, view: _View) -> None:
    """Headings, tables, link targets, images, HTML tags: not prose (after the list search)."""
    lines = text.splitlines(keepends=True)
    offset = 0
    previous: tuple[int, str] | None = None
    for line in lines:
        body = line.rstrip("\n")
        if re.match(r" {0,3}#{1,6}(?:\s|$)", body) or re.match(r"\s*\|", body):
            view.cut(offset, offset + len(body))
        elif (
            re.fullmatch(r" {0,3}(?:=+|-+)\s*", body)
            and len(body.strip()) >= 3
            and previous is not None
            and previous[1].strip()
        ):
            view.cut(previous[0], offset + len(body))
        elif re.match(r" {0,3}\[[^\]]+\]:\s*\S", body) and not re.match(r" {0,3}\[\^", body):
            view.cut(offset, offset + len(body))  # a link definition
        elif re.fullmatch(r"\s*(?:\*\s*){3,}|\s*(?:_\s*){3,}", body):
            view.cut(offset, offset + len(body))  # a thematic break
        previous = (offset, body)
        offset += len(line)
    view.blank_matches(re.compile(r"!\[[^\]]*\]\([^)]*\)"), text)
    view.blank_matches(re.compile(r"\[\^[^\]]+\]:?"), text)  # footnote references and labels
    for match in re.finditer(r"\[([^\[\]]*)\]\(([^()\s]*(?:\([^()]*\))?[^()\s]*)\)", text):
        view.blank(match.start(), match.start() + 1)
        view.blank(match.end(1), match.end())
    view.blank_matches(re.compile(r"<(?!/?sup>)/?[A-Za-z][^<>]*>"), text)


# Directives whose body is prose (claims can be cited there); every other directive's
# body (code, math, tables, images, toctrees...) is masked.
_RST_PROSE_DIRECTIVES = _word_set(
    """
    note warning tip important caution danger error hint attention admonition seealso topic
    sidebar epigraph highlights pull-quote compound container versionadded versionchanged
    deprecated rubric
    """
)


def _mask_rst(text: str, view: _View) -> None:
    """Directives, comments, literal blocks, math and inline literals."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" \t"))

    def block_end(i: int, base: int) -> int:
        """The first line after ``i`` that is not blank and not indented beyond ``base``."""
        while i < len(lines) and (not lines[i].strip() or indent(lines[i]) > base):
            i += 1
        return i

    i = 0
    literal_after: int | None = None  # indent of a paragraph that ended with "::"
    while i < len(lines):
        body = lines[i].rstrip("\n")
        if not body.strip():
            i += 1
            continue
        directive = re.match(r"\s*\.\.(?:\s|$)", body)
        definition = re.match(r"\s*\.\.\s+\[[^\]]+\]\s", body)
        if directive and not definition:
            name = re.match(r"\s*\.\.\s+([\w:-]+)::", body)
            if name and name.group(1).lower() in _RST_PROSE_DIRECTIVES:
                view.cut(offsets[i], offsets[i] + len(body))  # its body is prose
                i += 1
                continue
            # Any other directive, or a comment: its line and every line indented under it.
            j = block_end(i + 1, indent(body))
            view.cut(offsets[i], max(offsets[j] - 1, offsets[i] + len(body)))
            literal_after = None
            i = j
            continue
        if literal_after is not None and indent(body) > literal_after:
            j = block_end(i + 1, literal_after)
            view.cut(offsets[i], max(offsets[j] - 1, offsets[i] + len(body)))
            literal_after = None
            i = j
            continue
        literal_after = indent(body) if body.rstrip().endswith("::") else None
        i += 1
    view.blank_matches(re.compile(r":math:`[^`]*`"), text)
    view.blank_matches(re.compile(r"``.+?``", re.S), text)


def _mask_rst_markup(text: str, view: _View) -> None:
    """Section titles, docinfo fields, citation definitions, hyperlink targets, roles."""
    lines = text.splitlines(keepends=True)
    offsets = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line)
    adornment = re.compile(r"\s*([=\-~^\"'`#*+:.<>_])\1{2,}\s*")
    for i, line in enumerate(lines):
        body = line.rstrip("\n")
        if adornment.fullmatch(body) and i > 0 and lines[i - 1].strip():
            start = offsets[i - 1]
            if i > 1 and adornment.fullmatch(lines[i - 2].rstrip("\n")):
                start = offsets[i - 2]
            view.cut(start, offsets[i] + len(body))
        elif adornment.fullmatch(body) and (i + 1 >= len(lines) or not lines[i + 1].strip()):
            view.blank(offsets[i], offsets[i] + len(body))  # a transition
        elif re.match(r":[\w -]+:(?:\s|$)", body) and not re.match(r":(?:foot)?cite", body):
            view.cut(offsets[i], offsets[i] + len(body))  # docinfo field
        elif re.match(r"\s*\.\.\s", body):
            view.cut(offsets[i], offsets[i] + len(body))
            j = i + 1
            base = len(line) - len(line.lstrip())
            while (
                j < len(lines)
                and lines[j].strip()
                and len(lines[j]) - len(lines[j].lstrip()) > base
            ):
                view.blank(offsets[j], offsets[j] + len(lines[j]))
                j += 1
    # `text <url>`_ links: keep the text.
    for match in re.finditer(r"`([^`<]*?)\s*<[^>`]*>`__?", text):
        view.blank(match.start(), match.start() + 1)
        view.blank(match.end(1), match.end())
    for match in re.finditer(
        r"(?<![\w:`]):(?!(?:foot)?cite\b)[\w.+-]+(?::[\w.+-]+)*:`([^`]*)`", text
    ):
        view.blank(match.start(), match.start(1))
        view.blank(match.end(1), match.end())


_LATEX_BLANK_ENVS = (
    "verbatim",
    "Verbatim",
    "lstlisting",
    "minted",
    "comment",
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "displaymath",
    "math",
    "tabular",
    "tabular*",
    "tabularx",
    "longtable",
    "tikzpicture",
    "thebibliography",
)
_LATEX_HEADINGS = re.compile(
    r"\\(?:part|chapter|section|subsection|subsubsection|paragraph|subparagraph|title|author"
    r"|date|caption|maketitle|tableofcontents|item|par)\b\*?(?:\[[^\]]*\])?(?:\{(?:[^{}]|\{[^{}]*\})*\})?"
)
_LATEX_DROP = re.compile(
    r"\\(?:label|ref|eqref|pageref|autoref|cref|Cref|nocite|bibliography|bibliographystyle"
    r"|addbibresource|includegraphics|input|include|usepackage|documentclass|vspace|hspace"
    r"|printbibliography|newpage|clearpage|centering|noindent|footnotemark|url|href)\b\*?"
    r"(?:\[[^\]]*\])?(?:\{[^{}]*\})*|\\(?:begin|end)\{[^{}]*\}(?:\[[^\]]*\])?(?:\{[^{}]*\})?"
)


def _mask_latex(text: str, view: _View) -> None:
    """Comments, the preamble, math, verbatim and tables; sectioning ends a paragraph."""
    view.blank_matches(re.compile(r"(?<!\\)%.*"), text)
    begin = re.search(r"\\begin\{document\}", text)
    if begin:
        view.blank(0, begin.end())
        end = re.search(r"\\end\{document\}", text[begin.end() :])
        if end:
            view.blank(begin.end() + end.start(), len(text))
    for env in _LATEX_BLANK_ENVS:
        name = re.escape(env)
        pattern = re.compile(rf"\\begin\{{{name}\}}.*?(?:\\end\{{{name}\}}|\Z)", re.S)
        for match in pattern.finditer(text):
            view.cut(match.start(), match.end())
    view.blank_matches(re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]|\\\(.*?\\\)", re.S), text)
    view.blank_matches(re.compile(r"(?<![\\$])\$(?!\$)(?:[^$\\]|\\.)+?(?<!\\)\$"), text)
    for match in _LATEX_HEADINGS.finditer(text):
        view.cut(match.start(), match.end())
    view.blank_matches(_LATEX_DROP, text)
    view.blank_matches(re.compile(r"\\\\(?:\[[^\]]*\])?"), text)


# --- the numbered reference list ------------------------------------------------------------

_LIST_HEADING = re.compile(
    r"\s{0,3}(?:#{1,6}\s*)?(?:\\(?:sub)*section\*?\{)?\s*(?:\d+\.?\s+)?(?:\*\*|__)?"
    r"(?:references?(?:\s+list)?|bibliography|literature\s+cited|works\s+cited|cited\s+works"
    r"|sources|citations|notes\s+and\s+references|reference\s+list)"
    r"(?:\*\*|__)?\s*:?\s*\}?\s*#*\s*",
    re.I,
)
_ENTRY = re.compile(
    r"\s*(?:[-*+]\s+)?(?:\.\.\s+)?(?:\[(?P<b>\d{1,4})\](?:_)?|(?P<n>\d{1,4})[.)]|\((?P<p>\d{1,4})\))"
    r"(?:\s+|(?=[A-Z\u00c0-\u00de]))(?P<rest>\S.*)"
)
_ENTRY_LOOSE = re.compile(r"\s*(?P<n>\d{1,4})\s+(?P<rest>[A-Z\u00c0-\u00de].*)")
_YEAR_IN_ENTRY = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")


@dataclass
class _RawEntry:
    number: int
    start: int  # offset of the entry's first line
    end: int
    text: str


def _find_reference_list(view_text: str) -> tuple[list[_RawEntry], tuple[int, int]]:
    """The document's numbered reference list and the region it takes (0, 0 when none).

    A region under a references heading is returned even when its entries are not
    numbered (an author-year bibliography): it is never prose.
    """
    lines = view_text.splitlines(keepends=True)
    offsets: list[int] = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line)
    heading_at: int | None = None
    for i in range(len(lines) - 1, -1, -1):
        body = lines[i].rstrip("\n")
        if body.strip() and _LIST_HEADING.fullmatch(body):
            heading_at = i
            break
        # An RST/setext title: the heading word, then an underline.
        if (
            i + 1 < len(lines)
            and _LIST_HEADING.fullmatch(body)
            and re.fullmatch(r"\s*([=\-~^\"'`#*+:.])\1{2,}\s*", lines[i + 1].rstrip("\n"))
        ):
            heading_at = i
            break
    if heading_at is not None:
        first = heading_at + 1
        entries = _entries(lines, offsets, first, len(lines), loose=True)
        end = _section_end(lines, offsets, first, len(view_text))
        entries = [e for e in entries if e.start < end]
        return entries, (offsets[heading_at], end)
    # No heading: a trailing run of numbered lines that look like references, each
    # possibly wrapped onto the lines right under it.
    last = len(lines)
    while last > 0 and not lines[last - 1].strip():
        last -= 1
    first = last
    wrapped = False  # non-blank lines seen that can only be wrapped lines of an entry above
    for i in range(last - 1, -1, -1):
        body = lines[i].rstrip("\n")
        if not body.strip():
            if wrapped:
                break  # a paragraph that is not a wrapped entry
        elif _ENTRY.match(body):
            first, wrapped = i, False
        else:
            wrapped = True
    if first >= last:
        return [], (0, 0)
    entries = _entries(lines, offsets, first, last, loose=False)
    # A numbered list of steps may come right before the references: keep the last run
    # that starts at 1.
    starts = [i for i, e in enumerate(entries) if e.number == 1]
    if starts:
        entries = entries[starts[-1] :]
        first = next(i for i, o in enumerate(offsets) if o == entries[0].start)
    if not entries or not all(_looks_like_reference(e.text) for e in entries):
        return [], (0, 0)
    if entries[0].number != 1 or any(
        b.number != a.number + 1 for a, b in itertools.pairwise(entries)
    ):
        return [], (0, 0)
    return entries, (offsets[first], len(view_text))


def _section_end(lines: list[str], offsets: list[int], first: int, total: int) -> int:
    for i in range(first, len(lines)):
        body = lines[i].rstrip("\n")
        if re.match(r" {0,3}#{1,6}\s", body) or re.match(r"\\(?:sub)*section|\\chapter", body):
            return offsets[i]
        if re.search(r"\\end\{document\}", body):
            return offsets[i]
    return total


def _entries(
    lines: list[str], offsets: list[int], first: int, last: int, *, loose: bool
) -> list[_RawEntry]:
    entries: list[_RawEntry] = []
    for i in range(first, last):
        body = lines[i].rstrip("\n")
        match = _ENTRY.match(body) or (_ENTRY_LOOSE.match(body) if loose else None)
        if match:
            number = int(next(g for g in (match.groupdict().get(k) for k in "bnp") if g))
            rest_at = match.start("rest")
            rest = body[rest_at:]
            # Lists pasted from web pages repeat the number: "1. 1.Liliang PC".
            again = re.match(rf"{number}[.)]\s*(?=\S)", rest)
            if again:
                rest_at += again.end()
                rest = body[rest_at:]
            start = offsets[i]
            entries.append(_RawEntry(number, start, start + len(body), rest))
        elif body.strip() and entries and entries[-1].end >= offsets[i] - 2:
            # A wrapped line of the entry above (no blank line between them).
            entry = entries[-1]
            entry.end = offsets[i] + len(body)
            entry.text = entry.text + " " + body.strip()
        elif body.strip() and entries:
            continue
    for entry in entries:
        entry.text = " ".join(entry.text.split())
    return entries


def _looks_like_reference(entry: str) -> bool:
    """A numbered line that reads as a reference: a year, some words and punctuation."""
    return bool(_YEAR_IN_ENTRY.search(entry)) and len(entry.split()) >= 4 and "." in entry


def parse_reference_line(
    text: str, number: int = 0, location: SourceLocation | None = None
) -> ListedReference:
    """Read the parts of one reference-list entry (Vancouver, AMA or APA style).

    Finds the PMID, DOI, first author (surname and initials), title, journal, year,
    volume and first page where they can be told apart; what cannot be found is left
    empty. Journal names are read as the segment before the year, so abbreviations
    written with full stops (``J. Spinal Disord.``) keep only their last word.

    >>> ref = parse_reference_line(
    ...     "Katz V, Schofferman J. The sacroiliac joint. J Spinal Disord Tech. 2003;16(1):96-9."
    ... )
    >>> ref.first_author, ref.initials, ref.journal, ref.year, ref.volume, ref.first_page
    ('Katz', 'V', 'J Spinal Disord Tech', 2003, '16', '96')
    """
    where = location or SourceLocation("<string>")
    entry = " ".join(text.split())
    pmid_match = re.search(r"\bPMID:?\s*(\d{1,9})\b", entry, re.I)
    pmid = normalise_pmid(pmid_match.group(1)) if pmid_match else None
    doi_match = re.search(r"\b10\.\d{4,9}/[^\s\"<>]+", entry)
    doi = normalise_doi(doi_match.group(0).rstrip(".,;")) if doi_match else None
    # Vancouver/AMA: "... Journal. 2003 Feb;16(1):96-9." / APA: "... (2003). ... 16(1), 96-99."
    year: int | None = None
    journal = volume = first_page = ""
    source = re.search(
        r"(?P<year>(?:1[6-9]|20)\d\d)(?:\s*[A-Z][a-z]{2,8}\.?(?:\s*\d{1,2})?)?\s*[;:,]\s*"
        r"(?P<volume>\d+)\s*(?:\((?P<issue>[^)]*)\))?\s*[:,]\s*(?:pp?\.?\s*)?"
        r"(?P<page>[A-Za-z]?\d+)",
        entry,
    )
    if source:
        year = int(source.group("year"))
        volume = source.group("volume")
        first_page = source.group("page")
        before = entry[: source.start()].rstrip(" .")
        parts = re.split(r"(?<=[.?!])\s+|(?<=[a-z]\.)(?=[A-Z])", before)
        journal = parts[-1].strip(" .") if len(parts) > 1 else ""
    else:
        apa = re.search(r"\((?P<year>(?:1[6-9]|20)\d\d)[a-z]?\)", entry)
        plain = apa or _YEAR_IN_ENTRY.search(entry)
        if plain:
            year = int(plain.group(1))
        apa_source = re.search(
            r"\.\s+(?P<journal>[A-Z][^.]+?),\s*(?P<volume>\d+)\s*(?:\([^)]*\))?,\s*"
            r"(?P<page>[A-Za-z]?\d+)",
            entry,
        )
        if apa_source:
            journal = apa_source.group("journal").strip()
            volume = apa_source.group("volume")
            first_page = apa_source.group("page")
    author, initials = _first_author(entry)
    title = _title(entry)
    return ListedReference(
        number=number,
        text=entry,
        location=where,
        first_author=author,
        initials=initials,
        title=title,
        journal=journal,
        year=year,
        volume=volume,
        first_page=first_page,
        pmid=pmid,
        doi=doi,
    )


def _first_author(entry: str) -> tuple[str, str]:
    head = re.split(r",|;|\s+and\s+|\s+&\s+|\.\s", entry, maxsplit=1)[0].strip()
    # Vancouver "Liliang PC" / "van der Berg A"; APA "Katz, V." keeps the surname before ","
    vancouver = re.fullmatch(
        rf"({_NAME_PARTICLES}[\w'\u2019-]+(?:\s+[\w'\u2019-]+)*?)\s+([A-Z]{{1,4}})\.?", head
    )
    if vancouver:
        return vancouver.group(1), vancouver.group(2)
    if re.fullmatch(r"[\w'\u2019 -]+", head) and len(head.split()) <= 4:
        after = entry[len(head) :]
        initials = re.match(r",\s*((?:[A-Z]\.?\s*-?){1,4})", after)
        letters = "".join(c for c in initials.group(1) if c.isupper()) if initials else ""
        return head, letters
    return "", ""


def _title(entry: str) -> str:
    # Split at full stops that end segments, not at initials ("Katz, V.,") nor "etc.".
    segments = [s.strip() for s in re.split(r"(?<=[.?!])\s+(?=[A-Z0-9\"“])", entry) if s.strip()]
    if len(segments) < 2:
        return ""
    # APA puts the year in parentheses after the authors: "(2003). Title."
    for i, segment in enumerate(segments[:-1]):
        if re.search(r"\((?:1[6-9]|20)\d\d[a-z]?\)\.?$", segment):
            return segments[i + 1].rstrip(".")
    return segments[1].rstrip(".")


# --- matching a listed reference to the .bib ------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_TITLE_STOPWORDS = _word_set(
    "a an and the of in on for to with by at from as or is are its their after before"
)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _surname_key(name: str) -> str:
    return "".join(_words(name))


#: Share of a .bib title's words that must appear in a listed reference to match on the
#: title with the first author or the year agreeing.
TITLE_MATCH = 0.8
#: Lower share that suffices when the first author *and* the year agree.
TITLE_MATCH_WITH_AUTHOR_AND_YEAR = 0.5


@dataclass(frozen=True, slots=True)
class _Candidate:
    key: str
    how: str
    strength: float
    detail: str


def match_reference(
    listed: ListedReference, references: Mapping[str, Reference]
) -> tuple[str | None, str]:
    """The .bib key a listed reference stands for, and how (or why none was chosen).

    Tried in order: the same PMID, the same DOI, then the title. For the title, the
    share of the .bib title's words (ignoring case, accents, punctuation and a few
    function words) found in the listed entry is measured; an entry matches when that
    share is at least :data:`TITLE_MATCH` (0.8) and the first author's surname or the
    year also agrees, or at least :data:`TITLE_MATCH_WITH_AUTHOR_AND_YEAR` (0.5) when
    both agree. A .bib entry without a title matches on first author, year, volume and
    first page together. Why these values: with a title of eight words, 0.8 means
    seven shared words in the right neighbourhood, which two different papers by the
    same author or of the same year practically never share; 0.5 with author and year
    both agreeing still tolerates a translated, truncated or retyped title. Two entries
    matching equally well are ambiguous and neither is chosen.
    """
    return _match(listed, _BibIndex(references))


class _BibIndex:
    """A bibliography indexed for matching: by PMID, by DOI, and by title word."""

    def __init__(self, references: Mapping[str, Reference]) -> None:
        self.references = references
        self.by_pmid: dict[str, list[str]] = {}
        self.by_doi: dict[str, list[str]] = {}
        self.titles: dict[str, frozenset[str]] = {}
        self.by_word: dict[str, list[str]] = {}
        self.untitled: list[str] = []
        for key, ref in references.items():
            if ref.pmid:
                self.by_pmid.setdefault(ref.pmid, []).append(key)
            if ref.doi:
                self.by_doi.setdefault(ref.doi, []).append(key)
            words = frozenset(w for w in _words(ref.title) if w not in _TITLE_STOPWORDS)
            if words:
                self.titles[key] = words
                for word in words:
                    self.by_word.setdefault(word, []).append(key)
            else:
                self.untitled.append(key)

    def shares(self, words: Iterable[str]) -> dict[str, float]:
        """For each entry sharing a title word with ``words``: the share of its title."""
        counts: dict[str, int] = {}
        for word in set(words):
            for key in self.by_word.get(word, ()):
                counts[key] = counts.get(key, 0) + 1
        return {key: n / len(self.titles[key]) for key, n in counts.items()}


def _match(listed: ListedReference, index: _BibIndex) -> tuple[str | None, str]:
    if not index.references:
        return None, "the .bib is empty"
    found: dict[str, _Candidate] = {}
    for key in index.by_pmid.get(listed.pmid or "", ()):
        found[key] = _Candidate(key, "pmid", 3.0, "same PMID")
    for key in index.by_doi.get(listed.doi or "", ()):
        found.setdefault(key, _Candidate(key, "doi", 3.0, "same DOI"))
    words = set(_words(listed.text))
    head = set(_words(listed.text)[:12])
    surname = _surname_key(listed.first_author)
    shares = index.shares(words)
    hopeful = [k for k, share in shares.items() if share >= TITLE_MATCH_WITH_AUTHOR_AND_YEAR]
    for key in [*hopeful, *index.untitled]:
        if key not in found:
            ref = index.references[key]
            facts = (words, head, surname)
            candidate = _title_candidate(listed, key, ref, shares.get(key), facts)
            if candidate is not None:
                found[key] = candidate
    if not found:
        closest = max(shares.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0.0))
        if closest[1] > 0.3:
            return None, (
                f"no .bib entry matches it (closest: {closest[0]}, {closest[1]:.0%} of its "
                "title words, without the author or year agreeing enough)"
            )
        return None, "no .bib entry has its PMID, DOI or title"
    ranked = sorted(found.values(), key=lambda c: (-c.strength, c.key))
    best = ranked[0]
    rivals = [c.key for c in ranked[1:] if best.strength - c.strength < 0.05]
    if rivals:
        return None, f"ambiguous: matches {', '.join([best.key, *rivals])} equally well"
    return best.key, best.how


def _title_candidate(
    listed: ListedReference,
    key: str,
    ref: Reference,
    share: float | None,
    facts: tuple[set[str], set[str], str],
) -> _Candidate | None:
    words, head, surname = facts
    first = ref.first_author
    ref_surname = _surname_key(first.surname) if first else ""
    author_ok = bool(ref_surname) and (
        ref_surname == surname or (first is not None and fold(first.last) in head)
    )
    year_ok = ref.year is not None and (ref.year == listed.year or str(ref.year) in words)
    if share is not None:
        if len(ref.title.split()) < 3 and len(_words(ref.title)) < 3:
            share = min(share, 0.79)  # a title of one or two words alone proves little
        ok = (share >= TITLE_MATCH and (author_ok or year_ok)) or (
            share >= TITLE_MATCH_WITH_AUTHOR_AND_YEAR and author_ok and year_ok
        )
        if not ok:
            return None
        detail = f"title {share:.0%}"
        return _Candidate(key, "title", share + 0.1 * author_ok + 0.1 * year_ok, detail)
    if (
        author_ok
        and year_ok
        and ref.volume
        and ref.volume == listed.volume
        and ref.pages
        and re.split(r"\D", ref.pages.strip(), maxsplit=1)[0] == listed.first_page
    ):
        return _Candidate(key, "author-year-volume-page", 1.0, "author, year, volume, page")
    return None


# --- markers -------------------------------------------------------------------------------


@dataclass
class _Item:
    """One thing a marker cites: a key, a reference number, or an author and year."""

    kind: str  # "key", "number", "author-year"
    value: str  # key, number, or "Katz et al. 2003"
    locator: str = ""
    surname: str = ""
    second: str = ""
    etal: bool = False
    year: int = 0
    suffix: str = ""
    explicit: bool = True  # bare "@key" is not


@dataclass
class _Found:
    kind: str
    start: int
    end: int
    items: list[_Item]
    strip: tuple[int, int] | None = None  # the part removed from the claim text
    narrative: str = ""  # "authors" or "year": what a narrative citation leaves in the text


_LATEX_CITE = re.compile(
    r"\\(?P<cmd>[A-Za-z]*cite[A-Za-z]*|nocite)\*?(?P<opts>(?:\s*\[[^\[\]]*\]){0,2})\s*"
    r"\{(?P<keys>[^{}]*)\}"
)
_LATEX_MORE = re.compile(r"(?P<opts>(?:\s*\[[^\[\]]*\]){0,2})\s*\{(?P<keys>[^{}]*)\}")
_LATEX_NARRATIVE = frozenset(
    {
        "citet",
        "Citet",
        "textcite",
        "Textcite",
        "citeauthor",
        "Citeauthor",
        "citealt",
        "Citealt",
        "textcites",
        "Textcites",
    }
)
_LATEX_YEAR = frozenset({"citeyear", "citeyearpar", "citedate"})

_SPHINX_CITE = re.compile(r":(?P<role>cite|footcite)(?::(?P<variant>[a-z]+))?:`(?P<keys>[^`]+)`")
_SPHINX_NARRATIVE = frozenset({"t", "ts", "ct", "cts", "author", "authors", "cauthor"})
_RST_CITE = re.compile(r"\[(?P<label>[A-Za-z_][\w.:+-]*)\]_")

_PANDOC_KEY = r"(?P<key>\{[^{}]+\}|[\w](?:[\w:.#$%&+?<>~/-]*[\w])?)"
_PANDOC_BRACKET = re.compile(r"(?<![\w\]])\[(?P<body>[^\[\]\n]*(?<![\w.+-])-?@[^\[\]]*)\](?![(\[])")
_PANDOC_ITEM = re.compile(rf"(?P<prefix>.*?)(?<![\w.+-])(?P<minus>-?)@{_PANDOC_KEY}(?P<suffix>.*)")
_PANDOC_BARE = re.compile(
    rf"(?<![\w.+@-])(?P<minus>-?)@{_PANDOC_KEY}(?:\s*\[(?P<locator>[^\[\]@]*)\])?"
)

_RANGE = r"\d{1,4}(?:\s*[-\u2010-\u2014]\s*\d{1,4})?"
_NUMBER_LIST = rf"{_RANGE}(?:\s*[,;]\s*{_RANGE})*"
# Not after "]" or "!" (Markdown links and images), nor "^" (footnotes); not before "(" or
# "[" (a link's text).
_NUMERIC_BRACKET = re.compile(rf"(?<![\]!^])\[(?P<nums>{_NUMBER_LIST})\](?P<rst>_)?(?![(\[])")
_NUMERIC_PAREN = re.compile(rf"\((?P<nums>{_NUMBER_LIST})\)")
_HTML_SUP = re.compile(rf"<sup>\s*(?P<nums>{_NUMBER_LIST})\s*</sup>", re.I)
_PANDOC_SUP = re.compile(rf"\^(?P<nums>{_NUMBER_LIST})\^")
_UNICODE_SUP = re.compile(rf"[{_SUPER}]+(?:\s?[,\u207b\u2010-\u2014-]\s?[{_SUPER}]+)*")
_PLAIN_DIGITS = re.compile(
    r"(?P<nums>\d{1,3}(?:[-\u2010-\u2013]\d{1,3})?(?:,\s?\d{1,3}(?:[-\u2010-\u2013]\d{1,3})?)*)"
)

_AY_ITEM = re.compile(
    rf"(?:(?:see\s+also|see|e\.g\.|i\.e\.|cf\.|but\s+see|reviewed\s+in)[,:]?\s+)?"
    rf"(?P<first>{_NAME})(?:(?:\s*,\s*(?:{_NAME}))*\s*(?:,?\s*(?:and|&)\s+)(?P<second>{_NAME}))?"
    rf"(?P<etal>,?\s+et\s+al\.?)?(?:'s|\u2019s)?,?\s+(?P<years>{_YEAR}(?:\s*,\s*{_YEAR})*)"
    rf"(?:\s*[,:]\s*(?P<locator>(?:p|pp|ch|chap|sec|fig|table)\.?\s*[\w\u2013-]+))?\s*"
)
_AY_PAREN = re.compile(rf"\((?P<body>[^()]*?{_YEAR}[^()]*)\)")
_AY_NARRATIVE = re.compile(
    rf"(?<![\w-])(?P<first>{_NAME})(?:\s+(?:and|&)\s+(?P<second>{_NAME})|(?P<etal>\s+et\s+al\.?))?"
    rf"(?:'s|\u2019s)?\s+\((?P<years>{_YEAR}(?:\s*,\s*{_YEAR})*)"
    rf"(?:\s*,\s*(?P<locator>(?:p|pp)\.?\s*[\w\u2013-]+))?\)"
)


def _expand_numbers(text: str) -> list[int] | None:
    """``1,3-5`` -> [1, 3, 4, 5]; None for a descending or oversized range."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", text.strip()):
        if not part:
            return None
        bounds = re.split(r"\s*[-\u2010-\u2014\u2212\u207b]\s*", part)
        if len(bounds) == 1:
            numbers.append(int(bounds[0]))
            continue
        low, high = int(bounds[0]), int(bounds[1])
        if high < low or high - low > 50:
            return None
        numbers.extend(range(low, high + 1))
    return numbers


def _preceding_word(view: str, at: int) -> tuple[str, int]:
    """The run of letters (and ``/``) ending at ``at``, and where it starts."""
    start = at
    while start > 0 and (view[start - 1].isalpha() or view[start - 1] in "/µμ"):
        start -= 1
    return view[start:at], start


class _Markers:
    """Finds every marker in the prose view; earlier, more specific patterns win overlaps."""

    def __init__(self, view: str, kind: str, listed: Sequence[int], *, with_bib: bool) -> None:
        self.view = view
        self.with_bib = with_bib
        self.kind = kind
        self.listed = set(listed)
        self.found: list[_Found] = []
        self.taken = [False] * len(view)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def add(self, found: _Found) -> None:
        if found.items and self.free(found.start, found.end):
            self.found.append(found)
            for i in range(found.start, found.end):
                self.taken[i] = True

    def run(self) -> list[_Found]:
        self.latex()
        self.sphinx()
        if self.kind == "rst":
            self.rst_citations()
        self.pandoc_brackets()
        self.numeric_brackets()
        self.superscript_tags()
        self.author_year()
        self.pandoc_bare(self.with_bib)
        self.numeric_parentheses()
        self.unicode_superscripts()
        self.plain_digits()
        return sorted(self.found, key=lambda f: f.start)

    # -- key-based ------------------------------------------------------------------------

    def latex(self) -> None:
        for match in _LATEX_CITE.finditer(self.view):
            cmd = match.group("cmd")
            if cmd == "nocite":
                continue
            groups = [(match.group("opts"), match.group("keys"))]
            end = match.end()
            if cmd.endswith("cites"):  # \cites[pre][post]{a}[pre][post]{b}...
                while more := _LATEX_MORE.match(self.view, end):
                    groups.append((more.group("opts"), more.group("keys")))
                    end = more.end()
            items: list[_Item] = []
            for opts, keys in groups:
                options = re.findall(r"\[([^\[\]]*)\]", opts or "")
                post = options[-1] if options else ""
                names = [k.strip() for k in keys.split(",") if k.strip()]
                for i, key in enumerate(names):
                    locator = decode_latex(post).strip() if i == len(names) - 1 else ""
                    items.append(_Item("key", key, locator=locator))
            narrative = "authors" if cmd in _LATEX_NARRATIVE else ""
            narrative = "year" if cmd in _LATEX_YEAR else narrative
            self.add(_Found("latex", match.start(), end, items, narrative=narrative))

    def sphinx(self) -> None:
        for match in _SPHINX_CITE.finditer(self.view):
            keys = [k.strip() for k in match.group("keys").split(",") if k.strip()]
            items = [_Item("key", k) for k in keys if not k.startswith("{")]
            variant = match.group("variant") or ""
            narrative = "authors" if variant in _SPHINX_NARRATIVE else ""
            narrative = "year" if variant == "year" else narrative
            self.add(_Found("sphinx", match.start(), match.end(), items, narrative=narrative))

    def rst_citations(self) -> None:
        for match in _RST_CITE.finditer(self.view):
            label = match.group("label")
            if label.isdigit() or label == "#" or label.startswith("#"):
                continue
            self.add(_Found("rst", match.start(), match.end(), [_Item("key", label)]))

    def pandoc_brackets(self) -> None:
        for match in _PANDOC_BRACKET.finditer(self.view):
            items: list[_Item] = []
            valid = True
            for part in match.group("body").split(";"):
                item = _PANDOC_ITEM.fullmatch(part.strip())
                if item is None:
                    valid = False
                    break
                key = item.group("key").strip("{}")
                suffix = item.group("suffix").strip()
                locator = suffix.lstrip(",").strip() if suffix.startswith(",") else suffix
                items.append(_Item("key", key, locator=locator))
            if valid:
                self.add(_Found("pandoc", match.start(), match.end(), items))

    def pandoc_bare(self, with_bib: bool) -> None:
        for match in _PANDOC_BARE.finditer(self.view):
            key = match.group("key").strip("{}")
            if not with_bib and not any(c.isdigit() for c in key):
                # Without a .bib to check against, "@article", "@string" or "@someone"
                # are more likely code or handles than keys, which nearly always hold a year.
                continue
            locator = (match.group("locator") or "").strip()
            item = _Item("key", key, locator=locator, explicit=False)
            narrative = "" if match.group("minus") else "authors"
            self.add(_Found("pandoc", match.start(), match.end(), [item], narrative=narrative))

    # -- numeric --------------------------------------------------------------------------

    def _numbers(self, text: str, *, listed_only: bool) -> list[_Item] | None:
        numbers = _expand_numbers(text)
        if not numbers or any(n == 0 for n in numbers):
            return None
        if any(n > 999 for n in numbers):
            return None  # a year or a count, not a reference number
        if listed_only and not all(n in self.listed for n in numbers):
            return None
        return [_Item("number", str(n)) for n in dict.fromkeys(numbers)]

    def numeric_brackets(self) -> None:
        for match in _NUMERIC_BRACKET.finditer(self.view):
            items = self._numbers(match.group("nums"), listed_only=False)
            if items is None:
                continue
            line_start = self.view.rfind("\n", 0, match.start()) + 1
            after = self.view[match.end() : match.end() + 1]
            if after == ":" and not self.view[line_start : match.start()].strip():
                continue  # "[1]: http://..." is a link definition
            self.add(_Found("numeric", match.start(), match.end(), items))

    def superscript_tags(self) -> None:
        for pattern in (_HTML_SUP, _PANDOC_SUP):
            for match in pattern.finditer(self.view):
                if match.start() > 0 and self.view[match.start() - 1].isdigit():
                    continue
                items = self._numbers(match.group("nums"), listed_only=bool(self.listed))
                if items is not None:
                    self.add(_Found("superscript", match.start(), match.end(), items))

    def numeric_parentheses(self) -> None:
        if not self.listed:
            return
        view = self.view
        for match in _NUMERIC_PAREN.finditer(view):
            items = self._numbers(match.group("nums"), listed_only=True)
            if items is None or not self._ends_phrase(match.end()):
                continue
            before = view[: match.start()].rstrip(" \t")
            if not before or before[-1] in "\n.!?:;=<>±~≈+*/(" or before[-1].isdigit():
                continue  # "(1) First, ..." enumerations, "= (2)", "x (3)"
            word, _ = _preceding_word(before, len(before))
            if word.lower() in _FUNCTION_WORDS or word.lower() in _NUMBER_WORDS:
                continue
            self.add(_Found("numeric", match.start(), match.end(), items))

    def _ends_phrase(self, at: int) -> bool:
        """Followed by punctuation then a space or the end, a line end, or a new sentence."""
        rest = self.view[at : at + 3]
        if not rest or rest[0] == "\n":
            return True
        if rest[0] in ".,;:!?)]\u201d\"'":
            nxt = rest[1:2]
            return not nxt or nxt.isspace() or nxt in ")]\"'\u201d"
        if rest[0] in " \t":
            tail = self.view[at:].lstrip(" \t")
            return not tail or tail[0] == "\n" or tail[0].isupper() or tail[0] in '[("\u201c'
        return False

    def unicode_superscripts(self) -> None:
        view = self.view
        for match in _UNICODE_SUP.finditer(view):
            start = match.start()
            before = view[start - 1] if start else ""
            if not before or before.isdigit() or before in "^\u00d7x*/ \t\n":
                continue
            word, _ = _preceding_word(view, start)
            if word and (len(word) < 2 or word.lower() in _UNITS or "/" in word):
                continue
            text = match.group(0).translate(_SUPERSCRIPT_DIGITS).replace("\u207b", "-")
            items = self._numbers(text, listed_only=bool(self.listed))
            if items is not None:
                self.add(_Found("superscript", start, match.end(), items))

    def plain_digits(self) -> None:
        """Superscript digits that lost their formatting: ``procedures 1,2.``."""
        if not self.listed:
            return
        view = self.view
        candidates: list[tuple[bool, _Found]] = []
        for match in _PLAIN_DIGITS.finditer(view):
            start, end = match.span()
            if start and (
                view[start - 1].isdigit()
                or (view[start - 1] in ".," and start > 1 and view[start - 2].isdigit())
            ):
                continue  # part of a bigger number: "2003.1", "1,500"
            if end < len(view) and (view[end].isdigit() or view[end] in "%‰°"):
                continue
            if not self._ends_phrase(end) or view[end : end + 2] in (
                ".0",
                ".1",
                ".2",
                ".3",
                ".4",
                ".5",
                ".6",
                ".7",
                ".8",
                ".9",
            ):
                continue
            if re.match(r"[.,:][0-9]", view[end : end + 2]):
                continue
            anchor = self._digit_anchor(start)
            if anchor is None:
                continue
            items = self._numbers(match.group("nums"), listed_only=True)
            if items is None:
                continue
            weak = len(items) == 1 and view[start - 1] == " "
            candidates.append((weak, _Found("superscript", start, end, items)))
        # "eased 2." alone reads as a quantity as much as a citation; such single spaced
        # numbers are taken only in a document that also cites this way unmistakably
        # ("procedures 1,2.", "studies3.").
        if any(not weak for weak, _ in candidates):
            for _, found in candidates:
                self.add(found)

    def _digit_anchor(self, start: int) -> int | None:
        """Where the word a superscript-style number follows ends, or None if it follows none.

        Accepted: a word and one space (``procedures 1,2``), a word glued on
        (``studies1,2``), or a word and a full stop or comma glued on (``fusion.1,2``).
        """
        view = self.view
        i = start
        spaced = False
        if i and view[i - 1] == " ":
            i -= 1
            spaced = True
        if i and view[i - 1] in ".,;:)" and not spaced:
            closing = view[i - 1]
            i -= 1
            if closing == ")":
                return i
        word, word_start = _preceding_word(view, i)
        if len(word) < 2 or not word.replace("/", "").isalpha():
            return None
        lowered = word.lower()
        if lowered in _FUNCTION_WORDS or lowered in _NUMBER_WORDS or lowered in _UNITS:
            return None
        if not spaced and i == start and (len(word) < 3 or not word.islower()):
            return None  # glued to a capitalised or short word: a name such as IL6 or L5
        if word_start and (view[word_start - 1].isdigit() or view[word_start - 1] in "-_/"):
            return None
        return i

    # -- author-year ----------------------------------------------------------------------

    def author_year(self) -> None:
        view = self.view
        for match in _AY_PAREN.finditer(view):
            body = match.group("body")
            items: list[_Item] = []
            for part in body.split(";"):
                item = _AY_ITEM.fullmatch(part.strip())
                if item is None or not _is_name(item.group("first")):
                    items = []
                    break
                items.extend(_author_year_items(item))
            if items:
                self.add(_Found("author-year", match.start(), match.end(), items))
        for match in _AY_NARRATIVE.finditer(view):
            if not _is_name(match.group("first")):
                continue
            items = _author_year_items(match)
            if not (match.group("etal") or match.group("second")):
                for single in items:
                    single.explicit = False  # "Katz (2003)": taken only if the .bib has it
            paren = view.index("(", match.end("first"))
            self.add(
                _Found("author-year", match.start(), match.end(), items, strip=(paren, match.end()))
            )


def _is_name(word: str) -> bool:
    return word.lower().rstrip(".") not in _MONTHS_AND_NON_NAMES


def _author_year_items(match: re.Match[str]) -> list[_Item]:
    first = match.group("first")
    second = match.group("second") or ""
    etal = bool(match.group("etal"))
    locator = match.group("locator") or ""
    items = []
    for year in re.split(r"\s*,\s*", match.group("years")):
        digits, suffix = year[:4], year[4:]
        who = f"{first} et al." if etal else (f"{first} and {second}" if second else first)
        items.append(
            _Item(
                "author-year",
                f"{who} {year}",
                locator=locator,
                surname=first,
                second=second,
                etal=etal,
                year=int(digits),
                suffix=suffix,
            )
        )
    return items


def _paragraphs(view: str, region: tuple[int, int]) -> list[tuple[int, int]]:
    """Paragraphs of the prose view: split at blank lines and at list items."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    offset = 0
    for line in view.splitlines(keepends=True):
        line_end = offset + len(line)
        inside = region[0] <= offset < region[1]
        blank = not line.strip() or inside
        item = re.match(r"\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S", line)
        if blank or item:
            if start is not None:
                blocks.append((start, offset))
            start = None if blank else offset
        elif start is None:
            start = offset
        offset = line_end
    if start is not None:
        blocks.append((start, len(view)))
    return blocks


# --- the extraction ------------------------------------------------------------------------


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    found: list[_Found] = field(default_factory=list)


class _Extraction:
    def __init__(
        self,
        text: str,
        kind: str,
        source: str,
        references: Mapping[str, Reference] | None,
        client: CitationMatcher | None,
    ) -> None:
        self.text = text
        self.kind = kind
        self.source = source
        self.references = references
        self.client = client
        self.lines = _line_starts(text)
        self.problems: list[Problem] = []
        self.unmapped: list[UnmappedMarker] = []

    def at(self, offset: int) -> SourceLocation:
        line = bisect.bisect_right(self.lines, offset) - 1
        return SourceLocation(self.source, line + 1, offset - self.lines[line] + 1)

    def warn(self, offset: int | None, message: str, code: str) -> None:
        where = self.at(offset) if offset is not None else SourceLocation(self.source)
        self.problems.append(Problem(where, message, code, _WARNING))

    # -- the steps ------------------------------------------------------------------------

    def run(self, context: int, include_uncited: bool) -> ExtractResult:
        text = self.text
        view = _View(text)
        if self.kind in ("markdown", "plain"):
            _mask_markdown_code(text, view)
        elif self.kind == "rst":
            _mask_rst(text, view)
        else:
            _mask_latex(text, view)
        raw_entries, region = _find_reference_list(view.text())
        if region[1] > region[0]:
            view.blank(region[0], region[1])
        if self.kind in ("markdown", "plain"):
            _mask_markdown_markup(text, view)
        elif self.kind == "rst":
            _mask_rst_markup(text, view)
        view.blank_matches(_URL, text)
        if self.kind != "latex":
            for bullet in _BULLET.finditer(view.text()):
                view.cut(bullet.start(), bullet.end())  # a list item starts a paragraph
        prose = view.text()
        listed = self._listed(raw_entries)
        numbers = {entry.number: entry for entry in listed}
        found = _Markers(
            prose, self.kind, list(numbers), with_bib=self.references is not None
        ).run()
        listed = self._map_listed(listed, found)
        numbers = {entry.number: entry for entry in listed}
        sentences = self._sentences(prose, found, region)
        markers, claims = self._claims(sentences, numbers, context, include_uncited)
        if not claims:
            self.warn(
                None,
                "no cited sentences found" if not include_uncited else "no sentences found",
                "no-claims",
            )
        claim_set = ClaimSet(claims, path=self.source, problems=self.problems)
        return ExtractResult(
            claims=claim_set,
            markers=tuple(markers),
            unmapped=tuple(self.unmapped),
            reference_list=tuple(listed),
            problems=tuple(sorted(self.problems, key=lambda p: p.location.line or 0)),
            format=self.kind,
            path=self.source,
        )

    def _listed(self, raw: list[_RawEntry]) -> list[ListedReference]:
        listed = []
        seen: set[int] = set()
        for entry in raw:
            where = self.at(entry.start)
            if entry.number in seen:
                self.warn(
                    entry.start,
                    f"reference number {entry.number} is listed twice; the first is used",
                    "duplicate-reference-number",
                )
                continue
            seen.add(entry.number)
            listed.append(parse_reference_line(entry.text, entry.number, where))
        return listed

    def _map_listed(
        self, listed: list[ListedReference], found: list[_Found]
    ) -> list[ListedReference]:
        """Map each listed reference to a .bib key (and, failing that, through PubMed)."""
        cited = {int(i.value) for f in found for i in f.items if i.kind == "number"}
        mapped: list[ListedReference] = []
        index: _BibIndex | None = None
        for entry in listed:
            if self.references is not None:
                if index is None:
                    index = _BibIndex(self.references)
                key, how = _match(entry, index)
                entry = replace(entry, key=key, how=how)
            else:
                entry = replace(entry, how="no .bib was given")
            mapped.append(entry)
        todo = {e.number: e for e in mapped if e.key is None and e.number in cited}
        if todo and self.client is not None:
            resolved = self._citmatch(self.client, todo)
            by_pmid: dict[str, str] = {}
            if self.references is not None:
                by_pmid = {r.pmid: k for k, r in self.references.items() if r.pmid}
            used = {e.key for e in mapped if e.key} | set(self.references or {})
            out = []
            for entry in mapped:
                if entry.number in resolved:
                    pmid, reason = resolved[entry.number]
                    if pmid is None:
                        entry = replace(entry, how=f"{entry.how}; {reason}")
                    elif pmid in by_pmid:
                        entry = replace(entry, key=by_pmid[pmid], pmid=pmid, how="pubmed")
                    elif self.references is not None:
                        entry = replace(
                            entry,
                            pmid=pmid,
                            how=f"PubMed matched PMID {pmid}, which no .bib entry carries; "
                            "add it to the .bib",
                        )
                    else:
                        key = _new_key(entry, pmid, used)
                        used.add(key)
                        entry = replace(entry, key=key, pmid=pmid, how="pubmed")
                out.append(entry)
            mapped = out
        return mapped

    def _citmatch(
        self, client: CitationMatcher, todo: Mapping[int, ListedReference]
    ) -> dict[int, tuple[str | None, str]]:
        queries = {n: e.citation_query() for n, e in todo.items() if e.journal and e.year}
        result: dict[int, tuple[str | None, str]] = {
            n: (None, "not enough parsed from the entry (journal and year) to ask PubMed")
            for n in todo
            if n not in queries
        }
        if not queries:
            return result
        try:
            answers = client.citmatch(queries)
        except PubMedError as error:
            self.warn(
                None,
                f"PubMed could not resolve the numbered references: {error.message}",
                "pubmed-unavailable",
            )
            for n in queries:
                result[n] = (None, "PubMed could not be asked")
            return result
        for n in queries:
            pmid = answers.get(n)
            result[n] = (pmid, "" if pmid else "PubMed ECitMatch found no single match")
        return result

    def _sentences(
        self, prose: str, found: list[_Found], region: tuple[int, int]
    ) -> list[_Sentence]:
        # Split with the markers blanked, so their digits and brackets cannot end or start
        # a sentence; then give each marker to the sentence it is in, or to the one just
        # before it when it sits after that sentence's full stop.
        chars = list(prose)
        for f in found:
            for i in range(f.start, f.end):
                if chars[i] != "\n":
                    chars[i] = " "
            if f.narrative or f.strip:
                chars[f.start] = "A"  # names stay in the text and can start a sentence
        blanked = "".join(chars)
        sentences: list[_Sentence] = []
        for number, (start, end) in enumerate(_paragraphs(blanked, region)):
            for a, b in sentence_spans(blanked, start, end):
                sentences.append(_Sentence(a, b, number))
        starts = [s.start for s in sentences]
        for f in found:
            i = bisect.bisect_right(starts, f.start) - 1
            if i < 0:
                i = 0 if sentences else -1
            if i >= 0:
                sentences[i].found.append(f)
        for s in sentences:
            # A sentence ends after the markers that follow its full stop.
            if s.found:
                s.end = max(s.end, *(f.end for f in s.found))
        return sentences

    def _claims(
        self,
        sentences: list[_Sentence],
        numbers: Mapping[int, ListedReference],
        context: int,
        include_uncited: bool,
    ) -> tuple[list[Marker], list[Claim]]:
        markers: list[Marker] = []
        claims: list[Claim] = []
        ids: set[str] = set()
        for index, sentence in enumerate(sentences):
            citations: dict[str, Citation] = {}
            notes: list[str] = []
            taken: list[_Found] = []
            for f in sentence.found:
                marker, keys = self._resolve(f, numbers, notes)
                if marker is None:
                    continue
                taken.append(f)
                markers.append(marker)
                for key, citation in keys:
                    citations.setdefault(key, citation)
            sentence.found = taken
            if not taken and not (include_uncited and self._statement(sentence)):
                continue
            first = index
            last = index
            while (
                first > index - context
                and first > 0
                and sentences[first - 1].paragraph == sentence.paragraph
            ):
                first -= 1
            while (
                last < index + context
                and last + 1 < len(sentences)
                and sentences[last + 1].paragraph == sentence.paragraph
            ):
                last += 1
            text = " ".join(self._clean(sentences[k]) for k in range(first, last + 1))
            if not text:
                continue
            claim_id = _slug(text, ids)
            ids.add(claim_id)
            claims.append(
                Claim(
                    id=claim_id,
                    text=text,
                    citations=tuple(citations.values()),
                    note="; ".join(dict.fromkeys(notes)),
                    location=self.at(sentence.start),
                )
            )
        return markers, claims

    def _statement(self, sentence: _Sentence) -> bool:
        text = self._clean(sentence)
        return bool(re.search(r"[.!][\"'\u201d\u2019)\]]*$", text)) and len(text.split()) >= 4

    def _resolve(
        self, f: _Found, numbers: Mapping[int, ListedReference], notes: list[str]
    ) -> tuple[Marker | None, list[tuple[str, Citation]]]:
        where = self.at(f.start)
        written = self.text[f.start : f.end]
        keys: list[tuple[str, Citation]] = []
        pending: list[tuple[str, str]] = []
        cited: list[str] = []
        refs = self.references
        for item in f.items:
            cited.append(item.value)
            if item.kind == "key":
                ref = self._lookup(item.value)
                if refs is not None and ref is None:
                    if not item.explicit:
                        self.warn(
                            f.start,
                            f"'@{item.value}' is not a key in the .bib; not taken as a citation",
                            "unknown-key",
                        )
                        cited.pop()
                        continue
                    self.warn(
                        f.start, f"citation key '{item.value}' is not in the .bib", "unknown-key"
                    )
                key = ref.key if ref is not None else item.value
                keys.append((key, Citation(key, Stance.UNKNOWN, locator=item.locator)))
            elif item.kind == "number":
                number = int(item.value)
                entry = numbers.get(number)
                if entry is None:
                    reason = (
                        f"the reference list has no entry {number}"
                        if numbers
                        else "the document has no numbered reference list"
                    )
                    pending.append((f"[{number}]", reason))
                elif entry.key is None:
                    pending.append((f"[{number}]", entry.how or "not mapped"))
                else:
                    note = ""
                    if entry.how == "pubmed" and entry.pmid:
                        note = f"PMID {entry.pmid} (PubMed ECitMatch, reference {number})"
                    citation = Citation(entry.key, Stance.UNKNOWN, note=note)
                    keys.append((entry.key, citation))
            else:
                mapped, reason = self._author_year(item)
                if mapped is None:
                    if not item.explicit:
                        cited.pop()
                        continue
                    pending.append((item.value, reason))
                else:
                    keys.append((mapped, Citation(mapped, Stance.UNKNOWN, locator=item.locator)))
        if not cited:
            return None, []
        marker = Marker(
            f.kind, written, where, tuple(cited), tuple(dict.fromkeys(k for k, _ in keys))
        )
        for what, reason in pending:
            self.unmapped.append(UnmappedMarker(marker, what, reason))
            self.warn(f.start, f"{what} not mapped to a .bib key: {reason}", "unmapped-citation")
            notes.append(f"{what} not mapped: {reason}")
        return marker, keys

    def _lookup(self, key: str) -> Reference | None:
        """The .bib entry cited as ``key``: exact first, then ignoring case (as BibTeX)."""
        refs = self.references
        if refs is None:
            return None
        if isinstance(refs, Bibliography):
            return refs.find(key)
        found = refs.get(key)
        if found is None:
            folded = key.casefold()
            found = next((r for k, r in refs.items() if k.casefold() == folded), None)
        return found

    def _author_year(self, item: _Item) -> tuple[str | None, str]:
        refs = self.references
        if refs is None:
            return None, "no .bib was given"
        wanted = _surname_key(item.surname)
        candidates = []
        for key, ref in refs.items():
            first = ref.first_author
            if first is None or ref.year != item.year:
                continue
            if wanted not in (_surname_key(first.surname), _surname_key(first.last)):
                continue
            if item.second and len(ref.authors) >= 2:
                second = _surname_key(item.second)
                other = ref.authors[1]
                if second not in (_surname_key(other.surname), _surname_key(other.last)):
                    continue
            candidates.append((key, ref))
        if not candidates:
            return None, f"no .bib entry by {item.surname} from {item.year}"
        if len(candidates) > 1 and item.suffix:
            by_key = [k for k, _ in candidates if k.lower().endswith(f"{item.year}{item.suffix}")]
            if len(by_key) == 1:
                return by_key[0], "key"
            ordered = sorted(candidates, key=lambda kr: fold(kr[1].title))
            index = ord(item.suffix) - ord("a")
            if 0 <= index < len(ordered):
                return ordered[index][0], "suffix"
        if len(candidates) > 1 and item.etal:
            many = [(k, r) for k, r in candidates if len(r.authors) >= 3]
            candidates = many or candidates
        if len(candidates) > 1:
            keys = ", ".join(k for k, _ in candidates)
            return None, f"ambiguous: {keys} are all by {item.surname} from {item.year}"
        return candidates[0][0], "author-year"

    # -- claim text -----------------------------------------------------------------------

    def _clean(self, sentence: _Sentence) -> str:
        """The sentence as plain words: markers removed, markup undone, spaces collapsed."""
        start, end = sentence.start, sentence.end
        out = ""
        at = start
        for f in sorted(sentence.found, key=lambda x: x.start):
            cut_from, cut_to = f.strip or (f.start, f.end)
            out += self.text[at:cut_from]
            at = max(at, cut_to)
            replacement = self._replacement(f)
            if replacement:
                out += f" {replacement} "
            else:
                out, skip = _close_gap(out, self.text[at:end])
                at += skip
        text = _CLEANERS[self.kind](out + self.text[at:end])
        return " ".join(text.split())

    def _replacement(self, f: _Found) -> str:
        """What a narrative marker leaves in the text (its authors or year); else ''."""
        if f.strip is not None or not f.narrative:
            return ""
        words = []
        for item in f.items:
            ref = self._lookup(item.value)
            if f.narrative == "year":
                words.append(str(ref.year) if ref is not None and ref.year else item.value)
            else:
                words.append(_authors_in_text(ref) if ref is not None else item.value)
        return ", ".join(words)


_CLOSING = ".,;:!?)]}\u201d\u2019\"'"


def _close_gap(left: str, right: str) -> tuple[str, int]:
    """Join the text around a removed marker; return the new left and how much of the
    right to skip. ``helps [1].`` -> ``helps.``; ``helps ([1]).`` -> ``helps.``;
    ``helps,[1] and`` -> ``helps, and``; ``helps [1], and`` -> ``helps, and``.
    """
    spaces = len(right) - len(right.lstrip())
    head = right[spaces : spaces + 1]
    trimmed = left.rstrip()
    if trimmed[-1:] in ("(", "[") and head in (")", "]"):
        # The marker was all there was in the brackets: drop them.
        trimmed = trimmed[:-1].rstrip()
        spaces += 1
        rest = right[spaces:]
        head = rest.lstrip()[:1]
        spaces += len(rest) - len(rest.lstrip()) if head in _CLOSING else 0
        return (trimmed if head in _CLOSING else trimmed + " "), spaces
    if not head or head in _CLOSING:
        if trimmed[-1:] in (",", ";", ":") and head in (".", "!", "?"):
            trimmed = trimmed[:-1]
        return trimmed, spaces
    return (trimmed + " " if trimmed else trimmed), spaces


def _authors_in_text(ref: Reference) -> str:
    names = ref.authors or ref.editors
    if not names:
        return ref.short_citation
    if len(names) == 1:
        return names[0].surname
    if len(names) == 2 and names[1].last.lower() != "others":
        return f"{names[0].surname} and {names[1].surname}"
    return f"{names[0].surname} et al."


def _clean_markdown(text: str) -> str:
    """Markdown inline markup undone; code spans keep their content as written."""
    out: list[str] = []
    at = 0
    for code in re.finditer(r"(`+)(.+?)\1", text, re.S):
        out.append(_clean_markdown_prose(text[at : code.start()]))
        out.append(code.group(2).strip())
        at = code.end()
    out.append(_clean_markdown_prose(text[at:]))
    return "".join(out)


def _clean_markdown_prose(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\[\]]*)\]\([^()]*(?:\([^()]*\))?[^()]*\)", r"\1", text)
    text = re.sub(r"\[([^\[\]]+)\]\[[^\[\]]*\]", r"\1", text)
    text = re.sub(r"\[\^[^\]]+\]", "", text)
    text = re.sub(r"<sup>.*?</sup>", "", text, flags=re.I)
    text = re.sub(r"<!--.*?-->|</?[A-Za-z][^<>]*>", "", text, flags=re.S)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])", r"\1", text)
    return text


def _clean_rst(text: str) -> str:
    text = re.sub(r"`([^`<]*?)\s*<[^>`]*>`__?", r"\1", text)
    text = re.sub(r":[\w.+-]+(?::[\w.+-]+)*:`([^`]*)`", r"\1", text)
    text = re.sub(r"``(.+?)``", r"\1", text)
    text = re.sub(r"(\*\*)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]+)`_?_?", r"\1", text)
    text = re.sub(r"\[#?\w*\]_", "", text)
    return text


def _clean_latex(text: str) -> str:
    text = re.sub(r"(?<!\\)%.*", "", text)
    text = _LATEX_DROP.sub("", text)
    text = re.sub(r"\\footnote\{(?:[^{}]|\{[^{}]*\})*\}", "", text)
    return decode_latex(text)


_CLEANERS: dict[str, Callable[[str], str]] = {
    "markdown": _clean_markdown,
    "plain": lambda text: text,
    "rst": _clean_rst,
    "latex": _clean_latex,
}


# --- ids and keys --------------------------------------------------------------------------

_SLUG_STOPWORDS = _FUNCTION_WORDS | frozenset({"is", "be", "has", "have", "it"})


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.lower())


def _slug(text: str, taken: Iterable[str]) -> str:
    """An id from the claim's first words (function words dropped), unique among ``taken``."""
    words = [w for w in _ascii_words(text) if w not in _SLUG_STOPWORDS] or _ascii_words(text)
    base = "-".join(words[:4])[:48].strip("-") or "claim"
    used = set(taken)
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _new_key(entry: ListedReference, pmid: str, used: set[str]) -> str:
    """``liliang2011`` (first author, year) for a reference found only through PubMed."""
    name = "".join(_ascii_words(entry.first_author))
    base = f"{name}{entry.year}" if name and entry.year else f"pmid{pmid}"
    key = base
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if key not in used:
            return key
        key = f"{base}{letter}"
    return f"pmid{pmid}"
