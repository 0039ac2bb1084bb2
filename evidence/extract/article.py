r"""Claims from prose: the sentences of an article that carry citation markers.

Most claims are not born in a claims file: they are sentences in an article, a review or
a docs page, followed by a citation marker. :func:`extract_claims` finds the markers,
maps them to bibliography keys and returns each cited sentence as a
:class:`~evidence.model.Claim` whose citations have stance ``unknown`` (nobody has read
them yet), ready for :func:`~evidence.dump_claims`.

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
import os
from collections.abc import Mapping
from pathlib import Path

from evidence._gc import paused_gc
from evidence.bibliography import load_references
from evidence.claims import ClaimSet
from evidence.errors import ArticleError, Problem, Severity, SourceLocation
from evidence.extract.claimtext import claim_text, is_statement
from evidence.extract.embedded import embed_references, unique_references
from evidence.extract.formats import FILE_NAME, reader_for_suffix, reader_named
from evidence.extract.ids import slug
from evidence.extract.listed import reference_from_listed
from evidence.extract.manubot import (
    IdentifierIndex,
    link_aliases,
    load_csl_library,
    manuscript_aliases,
)
from evidence.extract.markers import Found, MarkerFinder
from evidence.extract.matching import (
    lookup_key,
    map_listed,
    match_author_year,
)
from evidence.extract.reader import ArticleFormat, Decoded, read_bytes
from evidence.extract.records import (
    CitationMatcher,
    ExtractResult,
    ListedReference,
    Marker,
    UnmappedMarker,
)
from evidence.extract.reflist import RawEntry, find_reference_list, parse_reference_line
from evidence.extract.sentences import Sentence, sentences
from evidence.extract.view import ALIAS_LINE, BULLET, TextView, blank_urls, line_starts
from evidence.model import Citation, Claim, Reference, Stance

__all__ = ["extract_claims", "parse_article"]

_WARNING = Severity.WARNING


def extract_claims(
    text_or_path: str | os.PathLike[str],
    *,
    references: Mapping[str, Reference] | str | os.PathLike[str] | None = None,
    format: str | None = None,
    context: int = 0,
    include_uncited: bool = False,
    client: CitationMatcher | None = None,
    encoding: str = "utf-8",
    list_references: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> ExtractResult:
    """Claims from an article given as a path or as text (see the module docstring).

    A path (``os.PathLike``, or a one-line string naming an existing file) is read and its
    format taken from the suffix (``.md``, ``.txt``, ``.rst``, ``.tex``...) unless
    ``format`` is given; text given directly is read as ``format`` (default Markdown,
    which also covers plain text). ``references`` is a bibliography (or the path of a
    .bib file) to map markers to keys; ``client`` a PubMed client used to resolve
    numbered references the .bib lacks. With ``list_references`` and no bibliography,
    an entry of the document's own reference list that prints a PMID or DOI, or names a
    first author and a year, is its own reference (``liliang2011``, listed in
    ``.references``), so its citations map without a .bib. ``references`` may also be a
    CSL-JSON file (``.json``: Manubot's ``references.json``, whose ``citations.tsv``
    beside it is read too). ``aliases`` maps keys as written to the keys or identifiers
    they stand for (Manubot ``tag:`` keys); a file's own link-reference lines, those of
    the Markdown files beside it and a ``citation-tags.tsv`` there are added.

    Raises :class:`~evidence.errors.ArticleError` when the file cannot be read or decoded,
    or the format is unknown. Everything else is reported in ``.problems`` and
    ``.unmapped``: an article with odd markers still gives its claims.
    """
    path = _as_path(text_or_path)
    decoded: Decoded | None = None
    if path is None:
        text = str(text_or_path)
        source = "<string>"
        reader = reader_named(format or "markdown", source)
        if reader.read is not None:
            raise ArticleError(
                f"unknown article format for text given as a string: {reader.name!r} is "
                "read from a file; pass the file's path",
                location=SourceLocation(source),
            )
    else:
        source = os.fspath(path)
        reader = reader_named(format, source) if format else reader_for_suffix(source)
        data = read_bytes(source)
        if reader.read is not None:
            decoded = reader.read(data, source)
            text = decoded.text
        else:
            text = reader.decode(data, encoding, source)
    bib: Mapping[str, Reference] | None
    found_aliases: dict[str, str] = {}
    if references is None or isinstance(references, Mapping):
        bib = references
    elif Path(references).suffix.lower() == ".json":
        bib, found_aliases = load_csl_library(Path(references))
    else:
        bib = load_references(references)
    if path is not None:
        found_aliases.update(manuscript_aliases(path, text))
    else:
        found_aliases.update(link_aliases(text))
    found_aliases.update(aliases or {})
    if context < 0:
        raise ValueError(f"context must be 0 or more sentences, not {context}")
    extraction = _Extraction(_normalise(text), reader, source, bib, client, decoded)
    extraction.from_list = list_references
    extraction.aliases = found_aliases
    with paused_gc():  # many small objects (markers, sentences, claims), no cycles
        return extraction.run(context, include_uncited)


def parse_article(
    text: str,
    *,
    format: str = "markdown",
    source: str = "<string>",
    references: Mapping[str, Reference] | None = None,
    context: int = 0,
    include_uncited: bool = False,
    client: CitationMatcher | None = None,
    list_references: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> ExtractResult:
    """Claims from article ``text`` written in ``format``; ``source`` names it in locations.

    The pure core of :func:`extract_claims` (the ``client``, when given, is the only
    thing that can reach the network).
    """
    reader = reader_named(format, source)
    if context < 0:
        raise ValueError(f"context must be 0 or more sentences, not {context}")
    extraction = _Extraction(_normalise(text), reader, source, references, client)
    extraction.from_list = list_references
    extraction.aliases = {**link_aliases(text), **(aliases or {})}
    with paused_gc():
        return extraction.run(context, include_uncited)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark: editors do not count it as a column
    return text


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
    if FILE_NAME.fullmatch(candidate):
        # Reads as a file name, not as prose: a missing file must not become a one-line text.
        raise ArticleError(
            f"no such file; check the path (it is read relative to {os.getcwd()!r})",
            location=SourceLocation(candidate),
        )
    return None


class _Extraction:
    """One article being read: the steps of :func:`parse_article`, and what they report."""

    def __init__(
        self,
        text: str,
        reader: ArticleFormat,
        source: str,
        references: Mapping[str, Reference] | None,
        client: CitationMatcher | None,
        decoded: Decoded | None = None,
    ) -> None:
        self.text = text
        self.reader = reader
        self.source = source
        self.client = client
        self.lines = line_starts(text)
        self.problems: list[Problem] = list(decoded.problems) if decoded else []
        self.embedded = decoded.references if decoded else ()
        self.count = {"found": 0, "mapped": 0, "unchecked": 0, "reported": 0}
        self.unmapped: list[UnmappedMarker] = []
        self.file_lines = decoded.lines if decoded else ()
        self.unit = decoded.unit if decoded else "line"
        self.from_list = False
        self.aliases: Mapping[str, str] = {}
        self._ids: IdentifierIndex | None = None
        self.references = references
        if decoded is not None and decoded.references:
            embedded, repeated = unique_references(decoded.references, self.source)
            self.problems += repeated
            self.embedded = tuple(embedded)
            self.references = embed_references(references, embedded, self.source)

    def at(self, offset: int) -> SourceLocation:
        line = bisect.bisect_right(self.lines, offset) - 1
        if self.file_lines:
            # A structured format: the paragraph (or XML line) the text line came from.
            return SourceLocation(self.source, self.file_lines[min(line, len(self.file_lines) - 1)])
        return SourceLocation(self.source, line + 1, offset - self.lines[line] + 1)

    def provenance(self, offset: int, where: SourceLocation | None = None) -> str:
        """Where a claim came from, as the claims file's ``source`` says it (``where``: the
        location of ``offset``, when the caller has it already)."""
        where = where or self.at(offset)
        if self.unit == "paragraph":
            return f"{where.path}, paragraph {where.line}"
        return f"{where.path}:{where.line}"

    def warn(
        self, offset: int | None, message: str, code: str, where: SourceLocation | None = None
    ) -> None:
        if where is None:
            where = self.at(offset) if offset is not None else SourceLocation(self.source)
        self.problems.append(Problem(where, message, code, _WARNING))

    # -- the steps ------------------------------------------------------------------------

    def run(self, context: int, include_uncited: bool) -> ExtractResult:
        text = self.text
        reader = self.reader
        view = TextView(text)
        reader.mask_code(text, view)
        raw_entries, region = find_reference_list(view.text())
        if region[1] > region[0]:
            view.blank(region[0], region[1])
        reader.mask_markup(text, view)
        blank_urls(view, text)
        view.blank_matches(ALIAS_LINE, text)
        if reader.list_items:
            for bullet in BULLET.finditer(view.text()):
                view.cut(bullet.start(), bullet.end())  # a list item starts a paragraph
        prose = view.text()
        listed = self._listed(raw_entries)
        found = MarkerFinder(
            prose,
            [entry.number for entry in listed],
            with_bib=self.references is not None,
            rst_labels=reader.rst_labels,
            numeric=reader.typed_numbers,
        ).run()
        cited = {int(i.value) for f in found for i in f.items if i.kind == "number"}
        if raw_entries and not raw_entries[0].numbered and not cited:
            # An unnumbered list read in order serves numeric citations; with none, it
            # is an author-year bibliography and lists nothing.
            listed, raw_entries = [], []
        listed = map_listed(
            listed,
            cited,
            self.references,
            self.client,
            lambda message, code: self.warn(None, message, code),
            from_list=self.from_list,
        )
        numbers = {entry.number: entry for entry in listed}
        cut = sentences(prose, found, region)
        markers, claims = self._claims(cut, numbers, context, include_uncited)
        if not claims:
            self.warn(
                None,
                "no cited sentences found" if not include_uncited else "no sentences found",
                "no-claims",
            )
        claim_set = ClaimSet(claims, path=self.source, problems=self.problems)
        census = dict(self.count)
        if raw_entries:
            census["listed"] = len(listed)
            census["numbered"] = max(entry.number for entry in listed)
        listed_refs = tuple(reference_from_listed(e) for e in listed if e.how == "list")
        return ExtractResult(
            claims=claim_set,
            markers=tuple(markers),
            unmapped=tuple(self.unmapped),
            reference_list=tuple(listed),
            problems=tuple(sorted(self.problems, key=lambda p: p.location.line or 0)),
            format=reader.name,
            path=self.source,
            references=tuple(self.embedded) + listed_refs,
            census=census,
        )

    def _listed(self, raw: list[RawEntry]) -> list[ListedReference]:
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
        if seen:
            missing = [n for n in range(1, max(seen) + 1) if n not in seen]
            if missing:
                shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
                self.warn(
                    raw[0].start,
                    f"the reference list numbers its entries up to {max(seen)} but "
                    f"{len(missing)} are not found ({shown}); citations of them are reported",
                    "reference-list-gap",
                )
        return listed

    def _claims(
        self,
        sentences: list[Sentence],
        numbers: Mapping[int, ListedReference],
        context: int,
        include_uncited: bool,
    ) -> tuple[list[Marker], list[Claim]]:
        markers: list[Marker] = []
        claims: list[Claim] = []
        ids: set[str] = set()
        counters: dict[str, int] = {}
        for index, sentence in enumerate(sentences):
            citations: dict[str, Citation] = {}
            notes: list[str] = []
            taken: list[Found] = []
            kept: list[Found] = []
            for f in sentence.found:
                if f.kind == "crossref":
                    kept.append(f)  # never a citation, but read as "Figure a" in the text
                    continue
                marker, keys = self._resolve(f, numbers, notes)
                if marker is None:
                    continue
                taken.append(f)
                markers.append(marker)
                for key, citation in keys:
                    citations.setdefault(key, citation)
            sentence.found = taken + kept
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
            claim_id = slug(text, ids, counters)
            ids.add(claim_id)
            where = self.at(sentence.start)
            claims.append(
                Claim(
                    id=claim_id,
                    text=text,
                    citations=tuple(citations.values()),
                    note="; ".join(dict.fromkeys(notes)),
                    location=where,
                    source=self.provenance(sentence.start, where),
                )
            )
        return markers, claims

    def _by_identifier(self, key: str) -> Reference | None:
        """The entry a Manubot key names: through its aliases (``tag:x`` -> ``doi:...``),
        then by the identifier it is (``doi:``, ``pmid:``, ``pmcid:``, ``arxiv:``...)."""
        refs = self.references
        if refs is None:
            return None
        if self._ids is None:
            self._ids = IdentifierIndex(refs)
        seen = {key}
        while True:
            found = self._ids.find(key)
            if found is not None:
                return found
            target = self.aliases.get(key)
            if target is None or target in seen:
                return None
            seen.add(target)
            found = lookup_key(refs, target)
            if found is not None:
                return found
            key = target

    def _statement(self, sentence: Sentence) -> bool:
        return is_statement(self._clean(sentence))

    def _resolve(
        self, f: Found, numbers: Mapping[int, ListedReference], notes: list[str]
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
                ref = lookup_key(refs, item.value) or self._by_identifier(item.value)
                if refs is not None and ref is None:
                    if not item.explicit:
                        self.warn(
                            f.start,
                            f"'@{item.value}' is not a key in the .bib; not taken as a citation",
                            "unknown-key",
                            where,
                        )
                        cited.pop()
                        continue
                    self.warn(
                        f.start,
                        f"citation key '{item.value}' is not in the .bib",
                        "unknown-key",
                        where,
                    )
                if ref is not None:
                    self.count["mapped"] += 1
                elif refs is None:
                    self.count["unchecked"] += 1
                else:
                    self.count["reported"] += 1
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
                    self.count["mapped"] += 1
                    note = ""
                    if entry.how == "pubmed" and entry.pmid:
                        note = f"PMID {entry.pmid} (PubMed ECitMatch, reference {number})"
                    elif entry.how == "list":
                        ids = ", ".join(
                            f"{name} {value}"
                            for name, value in (("PMID", entry.pmid), ("DOI", entry.doi))
                            if value
                        )
                        note = f"reference {number} of the document's list" + (
                            f" ({ids})" if ids else ""
                        )
                    citation = Citation(entry.key, Stance.UNKNOWN, note=note)
                    keys.append((entry.key, citation))
            else:
                mapped, reason = match_author_year(item, refs)
                if mapped is None:
                    if not item.explicit:
                        cited.pop()
                        continue
                    pending.append((item.value, reason))
                else:
                    self.count["mapped"] += 1
                    keys.append((mapped, Citation(mapped, Stance.UNKNOWN, locator=item.locator)))
        if not cited:
            return None, []
        marker = Marker(
            f.kind, written, where, tuple(cited), tuple(dict.fromkeys(k for k, _ in keys))
        )
        self.count["found"] += len(cited)
        self.count["reported"] += len(pending)
        for what, reason in pending:
            self.unmapped.append(UnmappedMarker(marker, what, reason))
            self.warn(
                f.start, f"{what} not mapped to a .bib key: {reason}", "unmapped-citation", where
            )
            notes.append(f"{what} not mapped: {reason}")
        return marker, keys

    def _clean(self, sentence: Sentence) -> str:
        """The sentence as plain words: markers removed, markup undone, spaces collapsed."""
        span = (sentence.start, sentence.end)
        return claim_text(self.text, span, sentence.found, self.references, self.reader.clean)
