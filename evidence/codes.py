"""The one registry of problem codes: what each means, how serious it is, what to do.

Every :class:`~evidence.errors.Problem` the library reports carries one of these codes.
The registry is what the command line's ``--ignore`` accepts and ``evidence check
--list-codes`` prints, what the Sphinx and MkDocs integrations use as warning *subtypes*
(``evidence.<subtype>`` in ``suppress_warnings``), and what ``docs/errors.md`` lists; a test
proves the three agree.

Docs builds group the problems found *in input files* (a .bib, a claims file, a snapshot)
under one subtype, ``input``, so a site can silence "my .bib is messy" in one line; every
problem about the claims keeps its own code as its subtype. One code has an older name that
stays accepted: the docs builds have always said ``unresolved`` for a citation of a key the
bibliography lacks, which the table's remarks call ``unknown-key``; both names work
everywhere a code is accepted.

Adding a code: add a :class:`Code` below, then run ``python -m evidence.codes`` and paste
its table into ``docs/errors.md`` (the test says so when they differ).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from evidence.errors import Severity

__all__ = [
    "CODES",
    "INPUT_STAGES",
    "Code",
    "close_codes",
    "lookup",
    "markdown_table",
    "resolve",
    "subtypes",
    "text_listing",
]

_E = Severity.ERROR
_W = Severity.WARNING

INPUT_STAGES = frozenset(
    {"bibliography", "claims", "snapshot", "article", "pubmed-answer", "studies"}
)
"""Stages whose problems are about an input file; docs builds report them as ``input``."""


@dataclass(frozen=True, slots=True)
class Code:
    """One problem code.

    ``stage`` says which step raises it (``bibliography``, ``claims``, ``article``,
    ``pubmed-answer``, ``snapshot``, ``studies``, ``table``, ``check``, ``docs``);
    ``alias`` is another accepted name; ``meaning`` is one line; ``action`` says what to do.
    """

    name: str
    severity: Severity
    stage: str
    meaning: str
    action: str
    alias: str | None = None

    @property
    def subtype(self) -> str:
        """The docs-build warning subtype: ``input`` for input-file problems, else the
        code (or its established alias)."""
        if self.stage in INPUT_STAGES:
            return "input"
        return self.alias or self.name


_ALL: tuple[Code, ...] = (
    # --- a .bib file --------------------------------------------------------------------
    Code("encoding", _E, "bibliography", "bytes that are not valid in the file's encoding",
         "save the file as UTF-8, or give its encoding (--encoding)"),
    Code("syntax-error", _E, "bibliography", "an entry BibTeX cannot read",
         "fix the entry at the line given; the other entries are loaded"),
    Code("commented-out", _W, "bibliography", "an entry inside @comment or after a % sign",
         "remove the comment mark if the entry is meant to be used"),
    Code("empty-key", _E, "bibliography", "an entry without a citation key",
         "give the entry a key; it is not loaded until then"),
    Code("unclosed-brace", _E, "bibliography", "a { that is never closed",
         "close the brace; the entry is read up to the next @"),
    Code("unclosed-entry", _E, "bibliography", "an entry that never ends",
         "add the closing brace or parenthesis of the entry"),
    Code("truncated-entry", _E, "bibliography", "an extra } cut the entry short",
         "remove the stray brace; the fields after it were not read"),
    Code("undefined-macro", _E, "bibliography", "a bare word that is not a defined @string",
         "define the @string, or put the value in braces"),
    Code("duplicate-key", _E, "bibliography", "a key defined twice (in one file or across files)",
         "remove or rename one; the first definition is used"),
    Code("invisible-character", _E, "bibliography",
         "a key with an invisible or control character (zero-width space, NUL...), or two "
         "keys that differ only by such characters",
         "delete the character (the message gives its code point); a citation typed by hand "
         "never matches such a key"),
    Code("latex-unknown", _W, "bibliography",
         "a LaTeX command no decoder knows; it is kept in the text as written",
         "replace it with the character meant, or define it with @preamble and write the "
         "character"),
    Code("bad-field-name", _W, "bibliography", "a field name containing a space",
         "remove the space; the field was read with an underscore"),
    Code("missing-comma", _W, "bibliography", "a missing comma between two fields",
         "add the comma; the field was read as if it were there"),
    Code("duplicate-field", _W, "bibliography", "a field given twice in one entry",
         "keep one; the first value is used"),
    Code("bad-name", _W, "bibliography", "an author or editor name that cannot be split",
         "write it as 'Last, First' or brace a corporate name"),
    Code("bad-date", _W, "bibliography", "a year or month that is not a date",
         "write a four-digit year and a month name or number"),
    Code("bad-identifier", _W, "bibliography", "a PMID, DOI or PMCID that is not one",
         "correct the identifier; it was not used"),
    Code("conflicting-identifier", _W, "bibliography",
         "two fields of an entry give different identifiers of one kind",
         "keep the right one; the dedicated field wins"),
    Code("duplicate-work", _W, "bibliography", "one key for one work in two files",
         "remove one of them; the first is used"),
    Code("same-work", _W, "bibliography", "one work (same PMID or DOI) under two keys",
         "cite it by one key and remove the other; both are kept meanwhile"),
    Code("empty-record", _E, "bibliography", "a record with nothing in it, or not a record",
         "remove it or fill it in; it is not loaded"),
    Code("missing-key", _W, "bibliography", "a CSL-JSON item without an id",
         "give it an id; a key is made from author, year and title meanwhile"),
    Code("missing-type", _W, "bibliography", "a RIS record that does not start with TY",
         "start the record with a TY line"),
    Code("unclosed-record", _W, "bibliography", "a RIS record without its ER line",
         "end the record with ER; it was read up to the next TY"),
    Code("missing-pmid", _W, "bibliography", "a MEDLINE record without a PMID- line",
         "export the record again from PubMed"),
    # --- a claims file ------------------------------------------------------------------
    Code("unreadable", _E, "claims", "the claims file cannot be opened or decoded",
         "check the path; save the file as UTF-8"),
    Code("unknown-format", _E, "claims", "a claims format that is not YAML, JSON or CSV",
         "use .yaml, .json or .csv, or name the format"),
    Code("syntax", _E, "claims", "not valid YAML, JSON or CSV",
         "fix the file at the line and column given"),
    Code("yaml-tag", _E, "claims", "a YAML tag such as !!python/object",
         "write the data out plainly: a claims file is plain data"),
    Code("yaml-merge", _E, "claims", "a YAML merge key (<<)", "write the fields out"),
    Code("version", _E, "claims", "a claims file version this library does not read",
         "write version: 1, or upgrade evidence"),
    Code("key", _E, "claims", "a field name that is a list or mapping, not a word",
         "write the field name as plain text"),
    Code("tag", _E, "claims", "an empty tag, or a tag that is not text",
         "give each tag as a short word"),
    Code("top-level", _E, "claims", "the file is not a list or mapping of claims",
         "start the file with 'claims:' and a list"),
    Code("empty", _E, "claims", "an empty claims file", "add claims"),
    Code("no-claims", _W, "claims", "a claims file with no claims in it", "add claims"),
    Code("wrong-type", _E, "claims", "a field of the wrong type (a list where text goes)",
         "give the field the kind of value the message names"),
    Code("missing-field", _E, "claims", "a required field is missing (id, text, key, stance)",
         "add it; a near miss is named in the message"),
    Code("bad-value", _E, "claims", "a value that is not one of the allowed ones",
         "use one of the values the message lists"),
    Code("bad-character", _E, "claims", "text holding half of a character pair (\\ud800)",
         "remove the escape, or give the whole surrogate pair"),
    Code("bad-number", _E, "claims", "a count that is not a whole non-negative number",
         "correct the number"),
    Code("events-exceed-n", _E, "claims", "more events than participants",
         "correct events or n"),
    # comparative numbers of a citation (evidence.comparative, evidence.claims.comparative)
    Code("effect-mixed", _E, "claims",
         "a citation mixes two-arm numbers with a reported effect, single-arm n/events, or "
         "counts with means", "keep the one set of numbers the analysis should use"),
    Code("effect-incomplete", _E, "claims",
         "two-arm numbers or a reported effect with a part missing",
         "give both arms in full, or the measure, estimate and both interval bounds"),
    Code("effect-measure-mismatch", _E, "claims",
         "a measure the numbers cannot give (SMD from counts, RR from means)",
         "use RR, OR or RD for counts, MD or SMD for means"),
    Code("effect-unknown-measure", _E, "claims", "an effect measure that is not known",
         "write RR, OR, HR, RD, MD or SMD (or their names spelled out)"),
    Code("effect-not-integer", _E, "claims", "an arm's events or total that is not whole",
         "correct the count"),
    Code("effect-not-number", _E, "claims", "a mean, SD, estimate or bound that is not a number",
         "correct the number"),
    Code("effect-negative-count", _E, "claims", "a negative count in an arm",
         "correct the count"),
    Code("effect-empty-arm", _E, "claims", "an arm with no participants (n = 0)",
         "correct the arm's total"),
    Code("effect-events-above-total", _E, "claims", "more events than participants in an arm",
         "correct the arm's events or total"),
    Code("effect-negative-sd", _E, "claims", "a negative standard deviation",
         "correct the SD"),
    Code("effect-small-arm", _E, "claims", "an arm with fewer than 2 participants for a mean",
         "correct the arm's total"),
    Code("effect-zero-sd", _E, "claims", "both arms' SDs are 0", "correct the SDs"),
    Code("effect-bad-confidence", _E, "claims", "a confidence level outside 0 to 1 (or 100%)",
         "write 0.95 or 95"),
    Code("effect-ratio-not-positive", _E, "claims", "a ratio or ratio bound at or below 0",
         "give the ratio on its natural scale (RR 0.49, not its log)"),
    Code("effect-interval-reversed", _E, "claims", "a lower bound above the upper bound",
         "swap the bounds"),
    Code("effect-interval-empty", _E, "claims", "an interval with no width",
         "give both bounds as printed"),
    Code("effect-outside-interval", _E, "claims",
         "an interval that does not contain its estimate", "check the numbers against the paper"),
    Code("certainty-reason", _E, "claims", "a certainty judgement without its reason",
         "say why the certainty was set by hand"),
    Code("duplicate-id", _E, "claims", "two claims with one id", "give each claim its own id"),
    Code("duplicate-citation", _W, "claims", "a claim cites one key twice",
         "keep one citation; the first is used"),
    Code("unknown-field", _W, "claims", "a field the claims format does not know",
         "a typo (the message names a near miss) or a field of your own"),
    Code("csv-header", _E, "claims", "a CSV header without the columns a claims file needs",
         "name the columns claim_id and text (see docs/claims.md)"),
    Code("csv-row", _E, "claims", "a CSV row that cannot be read", "fix the row"),
    Code("csv-conflict", _E, "claims", "rows of one claim that disagree on its text or tags",
         "give the claim's fields once, or the same in every row"),
    # --- an article ---------------------------------------------------------------------
    Code("unmapped-citation", _W, "article", "a citation marker that maps to no reference",
         "add the reference to the bibliography or the article's reference list"),
    Code("duplicate-reference-number", _W, "article", "two reference-list entries, one number",
         "renumber the list; the first entry is used"),
    Code("unreadable-citation", _W, "article",
         "a reference manager's citation field whose stored data cannot be read",
         "refresh the citations in the reference manager, or give a .bib; the field's shown "
         "text is read as typed text"),
    Code("reference-list-gap", _W, "article",
         "numbers missing from the document's reference list (entries not found)",
         "check the list near the gap: an entry may be damaged or split"),
    Code("vanished-claim", _W, "article",
         "a claim of the claims file extracted onto is no longer in the document",
         "delete it if it is gone for good; a reviewed one is kept until then"),
    Code("pubmed-unavailable", _W, "article", "PubMed could not match citations by title",
         "retry online, or give a .bib with the references"),
    # --- PubMed answers and snapshots -----------------------------------------------------
    Code("no-citation", _W, "pubmed-answer", "a PubMed record without its citation part",
         "nothing to do; the record is skipped and reported"),
    Code("no-pmid", _W, "pubmed-answer", "a PubMed record without a PMID",
         "nothing to do; the record is skipped and reported"),
    Code("bad-line", _W, "pubmed-answer", "a citation-match answer line that cannot be read",
         "nothing to do; that citation is reported as not matched"),
    # --- gathering studies ----------------------------------------------------------------
    Code("bad-design", _W, "studies", "a design in the .bib that is not a known design",
         "use one of the designs listed in docs/claims.md"),
    # --- remarks about the claims ------------------------------------------------------------
    Code("uncited", _W, "table", "a claim cites no study",
         "add a citation if one backs the claim; a definition may stay uncited"),
    Code("unknown-key", _E, "table", "a claim cites a key the bibliography lacks",
         "fix the key's spelling or add the entry; the claim is unresolved until then",
         alias="unresolved"),
    Code("key-case", _W, "table", "a cited key differs from the bibliography's in case only",
         "spell the key as the bibliography does"),
    Code("retracted", _E, "table", "a cited study is retracted",
         "remove or replace it; it no longer counts towards the verdict"),
    Code("excluded", _W, "table", "a cited study does not count towards the verdict",
         "see the reason given"),
    Code("pooling-unavailable", _W, "table",
         "comparative effects of one outcome were not pooled (statsmodels missing, or "
         "nothing poolable)", "pip install 'evidence[stats]', or see the reason given"),
    Code("mismatch", _W, "table", "a .bib entry disagrees with its PubMed record",
         "check the entry against the record; nothing was overwritten"),
    Code("not-found", _W, "table", "a PMID in the bibliography is not in PubMed",
         "check the PMID"),
    Code("unreachable", _W, "table", "PubMed could not be reached; the .bib data is used",
         "retry, or freeze records with 'evidence fetch --snapshot' and use --offline"),
    Code("no-mention", _W, "table", "the cited abstract does not mention the claim",
         "read the study: the citation may be wrong or need a more specific claim"),
    # --- the check command ------------------------------------------------------------------
    Code("unused-reference", _W, "check", "a reference no claim cites",
         "cite it or remove it"),
    Code("stale-record", _W, "check", "a cited PubMed record older than --max-age days",
         "refresh it: evidence fetch --refresh (a retraction since then would not show)"),
    Code("unreviewed", _W, "check", "a citation nobody has reviewed yet (stance unknown)",
         "read the study and decide: evidence review CLAIMS --bib BIB (one key a citation)"),
    Code("partial-snapshot", _W, "check", "a snapshot written while some records could not "
         "be fetched", "fetch the snapshot again when PubMed can be reached"),
    # --- docs builds --------------------------------------------------------------------------
    Code("input", _W, "docs", "an input file cannot be used, or has problems",
         "see the message; the page shows a note instead of the table"),
    Code("option", _W, "docs", "a directive or block option names something that is not there",
         "use a claim id, tag or column the message lists"),
)  # fmt: skip

CODES: Mapping[str, Code] = MappingProxyType({code.name: code for code in _ALL})
"""Every code by name, in the order above."""

_ALIASES: Mapping[str, str] = MappingProxyType(
    {code.alias: code.name for code in _ALL if code.alias}
)


def lookup(name: str) -> Code | None:
    """The code called ``name`` (or by its alias), or ``None``.

    >>> lookup("unresolved").name
    'unknown-key'
    """
    return CODES.get(_ALIASES.get(name, name))


def resolve(names: Iterable[str]) -> frozenset[str]:
    """The code names meant by ``names`` (aliases resolved); unknown names raise
    ``ValueError`` naming the close matches."""
    found = set()
    for name in names:
        code = lookup(name)
        if code is None:
            hint = close_codes(name)
            also = f"; did you mean {' or '.join(hint)}?" if hint else ""
            raise ValueError(f"unknown problem code '{name}'{also} (evidence check --list-codes)")
        found.add(code.name)
    return frozenset(found)


def close_codes(name: str) -> list[str]:
    """Registered names (and aliases) that look like ``name``."""
    return difflib.get_close_matches(name, [*CODES, *_ALIASES], n=3, cutoff=0.6)


def subtypes() -> dict[str, str]:
    """Every docs-build warning subtype with what it covers, in registry order.

    ``unused-reference`` is left out: only ``evidence check`` looks for it.
    """
    found: dict[str, str] = {}
    for code in _ALL:
        if code.stage == "check" or (code.subtype == "input" and code.stage != "docs"):
            continue  # not raised in docs builds, or covered by the 'input' entry itself
        found.setdefault(code.subtype, code.meaning)
    return found


def text_listing() -> str:
    """The registry as aligned text, one code a line (``evidence check --list-codes``)."""
    width = max(len(code.name) for code in _ALL)
    lines = []
    for code in _ALL:
        alias = f" (also '{code.alias}')" if code.alias else ""
        lines.append(
            f"{code.name:<{width}}  {code.severity.value:<7}  {code.stage:<13}  "
            f"{code.meaning}{alias}; {code.action}"
        )
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    """The registry as the Markdown table of ``docs/errors.md``."""
    rows = [
        "| code | severity | raised by | meaning | what to do |",
        "|---|---|---|---|---|",
    ]
    for code in _ALL:
        alias = f" (also `{code.alias}`)" if code.alias else ""
        rows.append(
            f"| `{code.name}`{alias} | {code.severity.value} | {code.stage} | "
            f"{code.meaning} | {code.action} |"
        )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    print(markdown_table(), end="")
