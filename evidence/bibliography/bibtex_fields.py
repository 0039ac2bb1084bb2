"""One BibTeX entry's fields as a :class:`~evidence.model.Reference`.

``EntryBuilder`` joins and decodes the values (LaTeX to text, except verbatim fields
such as ``url`` and ``doi``), splits the names, reads the date and finds the PubMed ID, DOI
and PMC ID wherever exports put them, reporting what is dubious (a duplicate field, a month
that is not one, an invalid or conflicting identifier). Stage 2: imports the shared modules
below it and the name and LaTeX modules beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pybtex.database.input.bibtex import month_names

from evidence.bibliography.bibtex_syntax import Field
from evidence.bibliography.latex import verbatim
from evidence.bibliography.names import Decode, NameNote, ends_with_others
from evidence.errors import Severity, SourceLocation
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Name, Reference

__all__ = ["EntryBuilder", "Report", "SplitNames"]

#: How a builder reports a problem: ``(line, message, code, severity)``.
Report = Callable[[int | None, str, str, Severity], None]
#: How a builder splits an ``author`` or ``editor`` value: what
#: :func:`~evidence.bibliography.names.parse_names` gives.
SplitNames = Callable[[str], tuple[tuple[Name, ...], list[NameNote]]]

_WARNING = Severity.WARNING

# Fields kept as read: identifiers, paths and URLs where ``%``, ``_`` and ``~`` are literal.
_VERBATIM = frozenset(
    {"url", "doi", "eprint", "file", "pdf", "pmid", "pmcid", "isbn", "issn", "urlraw"}
    | {"verba", "verbb", "verbc", "ids", "pubmed_id", "arxivid", "adsurl"}
)


class EntryBuilder:
    """Turns one entry's fields into a :class:`~evidence.model.Reference`, reporting what
    is dubious through ``report`` (the reader's list of problems).

    ``decode`` turns LaTeX into text (the reader's own decoder) and ``split_names`` splits
    names (with the same decoder); ``source`` names the file; ``from_macros`` names the
    fields that hold an undefined macro, already reported.
    """

    def __init__(
        self,
        report: Report,
        source: str,
        decode: Decode,
        split_names: SplitNames,
        key: str,
        line: int,
        from_macros: set[str],
    ) -> None:
        self.report = report
        self.source = source
        self.decode = decode
        self.split_names = split_names
        self.key = key
        self.line = line
        self.from_macros = from_macros  # fields holding an undefined macro, already reported
        self.lines: dict[str, int] = {}

    def warn(self, line: int | None, message: str, code: str) -> None:
        """Report a warning about this entry (at its own line when ``line`` is unknown)."""
        self.report(line or self.line, f"entry '{self.key}': {message}", code, _WARNING)

    def build(self, command: str, fields: list[Field]) -> Reference:
        """The reference of entry type ``command`` with ``fields`` (in file order)."""
        raw: dict[str, str] = {}
        lines = self.lines
        for name, parts, line in fields:
            lower = name.lower()
            if lower in raw:
                self.warn(
                    line,
                    f"duplicate field '{lower}' (first at line {lines[lower]}); the first "
                    "value is kept",
                    "duplicate-field",
                )
                continue
            raw[lower] = " ".join("".join(parts).split())
            lines[lower] = line
        decode = self.decode
        decoded = {
            name: verbatim(value) if name in _VERBATIM else decode(value)
            for name, value in raw.items()
        }
        authors = self.names(raw, "author")
        editors = self.names(raw, "editor")
        year, month = self.date(decoded)
        pmid, doi, pmcid = self.identifiers(raw)
        return Reference(
            key=self.key,
            entry_type=command.lower(),
            title=decoded.get("title", ""),
            authors=authors,
            editors=editors,
            year=year,
            month=month,
            journal=decoded.get("journal") or decoded.get("journaltitle", ""),
            volume=decoded.get("volume", ""),
            number=decoded.get("number") or decoded.get("issue", ""),
            pages=decoded.get("pages", ""),
            pmid=pmid,
            doi=doi,
            pmcid=pmcid,
            design=decoded.get("design") or None,
            authors_complete=not ends_with_others(raw.get("author", "")),
            fields=decoded,
            raw_fields=raw,
            location=SourceLocation(self.source, self.line),
        )

    def names(self, raw: Mapping[str, str], role: str) -> tuple[Name, ...]:
        """The people of field ``role`` (``author``, ``editor``), with notes reported."""
        value = raw.get(role)
        if not value:
            return ()
        names, notes = self.split_names(value)
        for note in notes:
            self.report(
                self.lines[role],
                f"entry '{self.key}', {role}: {note.message}",
                "bad-name",
                note.severity,
            )
        return names

    def date(self, decoded: Mapping[str, str]) -> tuple[int | None, int | None]:
        """Year and month from ``year``/``month``, or biblatex's ``date``."""
        year_text = decoded.get("year", "")
        month_text = decoded.get("month", "")
        date = decoded.get("date", "")
        if date and (not year_text or not month_text):
            # biblatex ``date = {2011-03-05}`` stands in for year and month.
            found = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?", date)
            if found:
                year_text = year_text or found.group(1)
                month_text = month_text or (found.group(2) or "")
        year_match = _YEAR.search(year_text)
        year = int(year_match.group(1)) if year_match else None
        month = _month_number(month_text) if month_text else None
        if month_text and month is None and "month" not in self.from_macros:
            self.warn(
                self.lines.get("month"),
                f"month '{month_text}' is not a month; write a number 1-12 or jan..dec",
                "bad-date",
            )
        return year, month

    def identifiers(self, raw: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
        """PMID, DOI and PMCID, from their fields, an eprint, the URL or a note; the
        first valid one of each kind wins, and a conflicting one is reported."""
        found: dict[str, list[tuple[str, str, int | None]]] = {
            "pmid": [],
            "doi": [],
            "pmcid": [],
        }

        def offer(kind: str, value: str, where: str, *, strict: bool) -> None:
            normal = _NORMALISERS[kind](value)
            line = self.lines.get(where)
            if normal is None:
                if strict:
                    self.warn(
                        line,
                        f"{where} '{value}' is not a valid {_KIND_LABEL[kind]}; it is "
                        "ignored. Fix or remove it",
                        "bad-identifier",
                    )
                return
            found[kind].append((normal, where, line))

        for kind, names in _ID_FIELDS.items():
            for name in names:
                if raw.get(name):
                    offer(kind, raw[name], name, strict=True)
        eprint = raw.get("eprint")
        if eprint:
            scheme = (raw.get("eprinttype") or raw.get("archiveprefix") or "").lower()
            kind_for_scheme = _EPRINT_KINDS.get(scheme)
            if kind_for_scheme:
                offer(kind_for_scheme, eprint, "eprint", strict=True)
        url = raw.get("url", "")
        if url:
            for kind, pattern in _URL_PATTERNS.items():
                for hit in pattern.finditer(url):
                    offer(kind, hit.group(1), "url", strict=False)
        for name in _NOTE_FIELDS:
            text = raw.get(name)
            if text and _NOTE_HINT.search(text):
                for kind, pattern in _NOTE_PATTERNS.items():
                    for hit in pattern.finditer(text):
                        offer(kind, hit.group(1), name, strict=True)
        chosen: list[str | None] = []
        for kind in ("pmid", "doi", "pmcid"):
            candidates = found[kind]
            if not candidates:
                chosen.append(None)
                continue
            value, where, _ = candidates[0]
            for other, other_where, other_line in candidates[1:]:
                if other != value:
                    self.warn(
                        other_line,
                        f"{other_where} gives {_KIND_LABEL[kind]} {other} but {where} gives "
                        f"{value}; {value} is used. Remove the wrong one",
                        "conflicting-identifier",
                    )
                    break
            chosen.append(value)
        return chosen[0], chosen[1], chosen[2]


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MONTH_NAMES = [name.lower() for name in month_names.values()]
_MONTHS = {name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH_WORD = re.compile(r"[a-z]+")


def _month_number(text: str) -> int | None:
    """1..12 from ``jan``, ``January``, ``Sept.``, ``{12}`` or ``October-November``."""
    value = text.strip().lower()
    if value.isdigit():
        return int(value) if 1 <= int(value) <= 12 else None
    word = _MONTH_WORD.match(value)
    number = _MONTHS.get(word.group()[:3]) if word else None
    if word is None or number is None:
        return None
    full = _MONTH_NAMES[number - 1]
    return number if full.startswith(word.group()) or word.group() == "sept" else None


# --- identifiers -------------------------------------------------------------------------

_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "pmid": normalise_pmid,
    "doi": normalise_doi,
    "pmcid": normalise_pmcid,
}
_KIND_LABEL = {"pmid": "PMID", "doi": "DOI", "pmcid": "PMCID"}
_ID_FIELDS = {"pmid": ("pmid", "pubmed_id"), "doi": ("doi",), "pmcid": ("pmcid",)}
_EPRINT_KINDS = {"pubmed": "pmid", "pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}
_URL_PATTERNS = {
    "doi": re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/([^\s\\]+)", re.IGNORECASE),
    "pmid": re.compile(
        r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d+)", re.IGNORECASE
    ),
    "pmcid": re.compile(r"(?:/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/)(PMC\d+)", re.I),
}
_NOTE_FIELDS = ("note", "annote", "annotation", "extra")
_NOTE_HINT = re.compile(r"pmid|pmc|doi", re.IGNORECASE)
_NOTE_PATTERNS = {
    "pmid": re.compile(r"\bPMID\s*:\s*(\S+)", re.IGNORECASE),
    "pmcid": re.compile(r"\bPMCID\s*:\s*(\S+)", re.IGNORECASE),
    "doi": re.compile(r"\bDOI\s*:\s*(\S+)", re.IGNORECASE),
}
