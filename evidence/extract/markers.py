"""Finding citation markers in the prose view (see :mod:`evidence.extract.article` for the rules).

:class:`MarkerFinder` runs one pass per marker style, the most specific first, and a
later pass never takes text an earlier one took. What a marker cites is kept as written
(:class:`Item`); mapping it to keys is :mod:`evidence.extract.matching`'s job.

Speed (issue 16): patterns that began with a look-behind begin with their first
character, and the narrative and bare-key markers are searched only around a year in
brackets or an ``@``, so prose is skipped in C; ``tests/test_extract_fast_paths.py``
checks each against its first form. With the other changes of that round (collector
paused, views blanked by slices, patterns compiled once), ``extract_claims`` on the
articles of ``benchmarks/bench_extract.py`` went from 1.0-1.3 MB/s to 2.4-2.7 MB/s of CPU
time (0.5 MB: 0.39 s -> 0.19 s; 5 MB: 5.1 s -> 1.9 s; a 5,000-entry list: 0.98 s ->
0.41 s), with the same claims, markers and problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from evidence.bibliography import decode_latex
from evidence.extract.words import (
    FIGURE_WORDS,
    FUNCTION_WORDS,
    LABEL_WORDS,
    MONTHS_AND_NON_NAMES,
    NAME,
    NUMBER_WORDS,
    UNITS,
    UNITS_AFTER,
    YEAR,
)

__all__ = ["Found", "Item", "MarkerFinder"]

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹"


@dataclass
class Item:
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
class Found:
    """A marker found in the view: its kind, span and what it cites."""

    kind: str
    start: int
    end: int
    items: list[Item]
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

_PANDOC_KEY = r"(?P<key>\{[^{}]+\}|[\w](?:[\w:.#$%&+?<>~/=-]*[\w/])?)"
# pandoc-crossref, Quarto and bookdown labels: figures, tables, sections, equations, code.
_CROSSREF = re.compile(r"(?:fig|tbl|tab|sec|eq|lst|thm|lem|cor|def)[:-]", re.I)
_CROSSREF_WORDS = {"fig": "Figure", "tbl": "Table", "tab": "Table", "sec": "Section", "eq": "Eq."}
# Patterns that start with a look-behind are written with it after their first character
# (``\[(?<!X\[)`` is ``(?<!X)\[``): a pattern that starts with a character lets the regex
# engine skip ahead to it in C instead of trying the look-behind at every position (a
# quarter of the marker search on prose). tests/test_extract_fast_paths.py compares each
# with its first form.
_PANDOC_BRACKET = re.compile(
    r"\[(?<![\w\]]\[)(?P<body>[^\[\]\n]*(?<![\w.+-])-?@[^\[\]]*)\](?![(\[])"
)
_PANDOC_ITEM = re.compile(rf"(?P<prefix>.*?)(?<![\w.+-])(?P<minus>-?)@{_PANDOC_KEY}(?P<suffix>.*)")
_PANDOC_BARE = re.compile(
    rf"(?<![\w.+@\\-])(?P<minus>-?)@{_PANDOC_KEY}(?:\s*\[(?P<locator>[^\[\]@]*)\])?"
)

_RANGE = r"\d{1,5}(?:\s*[-\u2010-\u2014]\s*\d{1,5})?"
_NUMBER_LIST = rf"{_RANGE}(?:\s*[,;]\s*{_RANGE})*"
# Not after "]" or "!" (Markdown links and images), nor "^" (footnotes); not before "(" or
# "[" (a link's text).
_NUMERIC_BRACKET = re.compile(rf"\[(?<![\]!^]\[)(?P<nums>{_NUMBER_LIST})\](?P<rst>_)?(?![(\[])")
# Web pages write each number in its own brackets: "[1][4]" is one citation of two.
_BRACKET_RUN = re.compile(rf"\[(?<![\]!^]\[){_NUMBER_LIST}\](?:\[{_NUMBER_LIST}\])+(?![(\[])")
_NUMERIC_PAREN = re.compile(rf"\((?P<nums>{_NUMBER_LIST})\)")
_NEXT_WORD = re.compile(r"[ \t]*([A-Za-z%\u00b5\u03bc/]+)")
_DIGIT_RUN = re.compile(r"\d*")
_CAPITAL_NEXT = re.compile(r"[ \t]+[A-Z\u00c0-\u00de]")
_AFTER_NUMBER = re.compile(r"\d[ \t]+$")
_SPACED_RUN = re.compile(r"(?: \d{1,3})+")
_YEAR_BEFORE = re.compile(r"(?<!\d)(?:1[89]|20)\d\d\.$")
_SENTENCE_NEXT = re.compile(r"(?:[ \t]+[A-Z\u00c0-\u00de]|[ \t]*$)", re.M)
_HTML_SUP = re.compile(rf"<sup>\s*(?P<nums>{_NUMBER_LIST})\s*</sup>", re.I)
_PANDOC_SUP = re.compile(rf"\^(?P<nums>{_NUMBER_LIST})\^")
_UNICODE_SUP = re.compile(rf"[{_SUPER}][{_SUPER}]*(?:\s?[,\u207b\u2010-\u2014-]\s?[{_SUPER}]+)*")
_PLAIN_DIGITS = re.compile(
    r"(?P<nums>\d\d{0,2}(?:[-\u2010-\u2013]\d{1,3})?(?:,\s?\d{1,3}(?:[-\u2010-\u2013]\d{1,3})?)*)"
)

# Years of one author group: "2003", "2011a,b", "2011a, 2011b", "2003, 2005".
_AY_YEARS = rf"{YEAR}(?:\s*,\s*(?:{YEAR}|[a-z](?![\w.])))*"
# Initials printed after a surname inside a citation: "Chen Y", "Chen Y.", "Liliang PC".
_INITIALS = r"(?:\s+[A-Z]{1,3}\.?(?:\s?[A-Z]\.)*(?![\w]))?"
_AY_ITEM = re.compile(
    rf"(?:(?:see\s+also|see|e\.g\.|i\.e\.|cf\.|but\s+see|reviewed\s+in)[,:]?\s+)?"
    rf"(?P<first>{NAME}){_INITIALS}"
    rf"(?:(?:\s*,\s*(?:{NAME}){_INITIALS})*\s*(?:,?\s*(?:and|&)\s+)(?P<second>{NAME}){_INITIALS})?"
    rf"(?P<etal>,?\s+et\s+al\.?)?(?:'s|\u2019s)?,?\s+(?P<years>{_AY_YEARS})"
    rf"(?:\s*[,:]\s*(?P<locator>(?:p|pp|ch|chap|sec|fig|table)\.?\s*[\w\u2013-]+))?\s*"
)
_AY_PAREN = re.compile(rf"\((?P<body>[^()]*?{YEAR}[^()]*)\)")
_AY_NARRATIVE = re.compile(
    rf"(?<![\w-])(?P<first>{NAME})(?:\s+(?:and|&)\s+(?P<second>{NAME})|(?P<etal>\s+et\s+al\.?))?"
    rf"(?:'s|\u2019s)?\s+\((?P<years>{_AY_YEARS})"
    rf"(?:\s*,\s*(?P<locator>(?:p|pp)\.?\s*[\w\u2013-]+))?\)"
)


_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_RANGE_SEPARATOR = re.compile(r"\s*[-\u2010-\u2014\u2212\u207b]\s*")
_BRACKETED = re.compile(r"\[([^\]]*)\]")
_DECIMAL_NEXT = re.compile(r"[.,:][0-9]")
_MULTI = re.compile(r"[,\u2010-\u2013-]")
_ANOTHER_ITEM = re.compile(r"\s*(?:,|and|or)\s*\(\d")


def _expand_numbers(text: str) -> list[int] | None:
    """``1,3-5`` -> [1, 3, 4, 5]; None for a descending or oversized range."""
    if text.isascii() and text.isdigit():  # one number, the usual marker: nothing to split
        return [int(text)] if len(text) <= 6 else None
    numbers: list[int] = []
    for part in _LIST_SEPARATOR.split(text.strip()):
        if not part:
            return None
        bounds = _RANGE_SEPARATOR.split(part)
        if any(len(bound) > 6 or not (bound.isascii() and bound.isdigit()) for bound in bounds):
            return None  # no list is that long: a number, not a citation
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


class MarkerFinder:
    """Finds every marker in the prose view; earlier, more specific patterns win overlaps."""

    def __init__(
        self,
        view: str,
        listed: Sequence[int],
        *,
        with_bib: bool,
        rst_labels: bool = False,
        numeric: bool = True,
    ) -> None:
        self.view = view
        self.numeric = numeric
        self.with_bib = with_bib
        self.rst_labels = rst_labels
        self.listed = set(listed)
        self.found: list[Found] = []
        # One byte per character, 1 where a marker is: searched and set in C.
        self.taken = bytearray(len(view))

    def free(self, start: int, end: int) -> bool:
        """Whether no marker taken so far covers any of ``[start, end)``."""
        return self.taken.find(1, start, max(start, end)) < 0

    def _take(self, start: int, end: int) -> None:
        start, end = max(0, start), min(end, len(self.taken))
        if end > start:
            self.taken[start:end] = b"\x01" * (end - start)

    def add(self, found: Found) -> None:
        """Take ``found`` unless it cites nothing or overlaps a marker already taken."""
        if found.items and self.free(found.start, found.end):
            self.found.append(found)
            self._take(found.start, found.end)

    def run(self) -> list[Found]:
        """Every marker of the view, in text order."""
        self.latex()
        self.sphinx()
        if self.rst_labels:
            self.rst_citations()
        self.pandoc_brackets()
        if self.numeric:
            self.numeric_brackets()
            self.superscript_tags()
        self.author_year()
        self.pandoc_bare(self.with_bib)
        if self.numeric:
            self.numeric_parentheses()
            self.unicode_superscripts()
            self.plain_digits()
        return sorted(self.found, key=lambda f: f.start)

    # -- key-based ------------------------------------------------------------------------

    def latex(self) -> None:
        r"""``\cite{a,b}``, ``\citep[p.~4]{a}``, ``\cites{a}{b}`` and the other cite commands."""
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
            items: list[Item] = []
            for opts, keys in groups:
                options = re.findall(r"\[([^\[\]]*)\]", opts or "")
                post = options[-1] if options else ""
                names = [k.strip() for k in keys.split(",") if k.strip()]
                for i, key in enumerate(names):
                    locator = decode_latex(post).strip() if i == len(names) - 1 else ""
                    items.append(Item("key", key, locator=locator))
            narrative = "authors" if cmd in _LATEX_NARRATIVE else ""
            narrative = "year" if cmd in _LATEX_YEAR else narrative
            self.add(Found("latex", match.start(), end, items, narrative=narrative))

    def sphinx(self) -> None:
        """``:cite:`a,b```, ``:cite:p:`a```, ``:footcite:`a```."""
        for match in _SPHINX_CITE.finditer(self.view):
            keys = [k.strip() for k in match.group("keys").split(",") if k.strip()]
            items = [Item("key", k) for k in keys if not k.startswith("{")]
            variant = match.group("variant") or ""
            narrative = "authors" if variant in _SPHINX_NARRATIVE else ""
            narrative = "year" if variant == "year" else narrative
            self.add(Found("sphinx", match.start(), match.end(), items, narrative=narrative))

    def rst_citations(self) -> None:
        """reStructuredText's own ``[Katz2003]_`` (numbers and auto-numbers excluded)."""
        for match in _RST_CITE.finditer(self.view):
            label = match.group("label")
            if label.isdigit() or label == "#" or label.startswith("#"):
                continue
            self.add(Found("rst", match.start(), match.end(), [Item("key", label)]))

    def pandoc_brackets(self) -> None:
        """``[@a; see @b, p. 4]``: every part of the brackets must cite a key.

        Cross-references (``[@fig:a]``, ``[@tbl-b]``) are never citations: brackets holding
        only those become a ``crossref`` that the claim text reads as ``Figure a``.
        """
        view = self.view
        for match in _PANDOC_BRACKET.finditer(view):
            if view[match.end() : match.end() + 1] == ":" and (
                match.start() == 0 or view[match.start() - 1] == "\n"
            ):
                continue  # "[@tag:x]: doi:10.1/y" defines an alias
            items: list[Item] = []
            labels: list[str] = []
            valid = True
            for part in match.group("body").split(";"):
                item = _PANDOC_ITEM.fullmatch(part.strip())
                if item is None:
                    valid = False
                    break
                key = item.group("key").strip("{}")
                if _CROSSREF.match(key):
                    labels.append(_crossref_label(key))
                    continue
                suffix = item.group("suffix").strip()
                locator = suffix.lstrip(",").strip() if suffix.startswith(",") else suffix
                items.append(Item("key", key, locator=locator))
            if not valid:
                continue
            if items:
                self.add(Found("pandoc", match.start(), match.end(), items))
            elif labels and self.free(match.start(), match.end()):
                self.crossref(match.start(), match.end(), ", ".join(labels))

    def crossref(self, start: int, end: int, label: str) -> None:
        """Take ``[start, end)`` as a cross-reference: never a citation, read as ``label``."""
        self.found.append(Found("crossref", start, end, [], narrative=label))
        self._take(start, end)

    def pandoc_bare(self, with_bib: bool) -> None:
        """``@katz2003 found`` (its authors stay in the claim text) and ``-@katz2003``."""
        for match in pandoc_bare_matches(self.view):
            key = match.group("key").strip("{}")
            if _CROSSREF.match(key):
                if self.free(match.start(), match.end()):
                    self.crossref(match.start(), match.end(), _crossref_label(key))
                continue
            if not with_bib and not any(c.isdigit() for c in key):
                # Without a .bib to check against, "@article", "@string" or "@someone"
                # are more likely code or handles than keys, which nearly always hold a year.
                continue
            locator = (match.group("locator") or "").strip()
            item = Item("key", key, locator=locator, explicit=False)
            narrative = "" if match.group("minus") else "authors"
            self.add(Found("pandoc", match.start(), match.end(), [item], narrative=narrative))

    # -- numeric --------------------------------------------------------------------------

    def _numbers(self, text: str, *, listed_only: bool) -> list[Item] | None:
        numbers = _expand_numbers(text)
        if not numbers or 0 in numbers:
            return None
        if max(numbers) > 999 and not all(n in self.listed for n in numbers):
            return None  # a year or a count, unless the document's long list holds it
        if listed_only and not all(n in self.listed for n in numbers):
            return None
        return [Item("number", str(n)) for n in dict.fromkeys(numbers)]

    def numeric_brackets(self) -> None:
        """``[1]``, ``[1-3]``, ``[2, 5]``, ``[1][4]`` and ``[1]_``, not link definitions."""
        view = self.view
        for match in _BRACKET_RUN.finditer(view):
            nums = ",".join(_BRACKETED.findall(match.group(0)))
            items = self._numbers(nums, listed_only=False)
            if items is not None:
                self.add(Found("numeric", match.start(), match.end(), items))
        for match in _NUMERIC_BRACKET.finditer(view):
            items = self._numbers(match.group("nums"), listed_only=False)
            if items is None:
                continue
            if view[match.end() : match.end() + 1] == ":":
                line_start = view.rfind("\n", 0, match.start()) + 1
                if not view[line_start : match.start()].strip():
                    continue  # "[1]: http://..." is a link definition
            self.add(Found("numeric", match.start(), match.end(), items))

    def superscript_tags(self) -> None:
        """``<sup>1</sup>``, and pandoc ``^1^`` when the document has a numbered list
        (without one, ``^1^`` marks authors' affiliations and footnotes)."""
        for pattern in (_HTML_SUP, _PANDOC_SUP) if self.listed else (_HTML_SUP,):
            for match in pattern.finditer(self.view):
                if match.start() > 0 and self.view[match.start() - 1].isdigit():
                    continue
                items = self._numbers(match.group("nums"), listed_only=bool(self.listed))
                if items is not None:
                    self.add(Found("superscript", match.start(), match.end(), items))

    def numeric_parentheses(self) -> None:
        """``(7)`` ending a phrase, every number on the reference list."""
        if not self.listed:
            return
        view = self.view
        for match in _NUMERIC_PAREN.finditer(view):
            items = self._numbers(match.group("nums"), listed_only=True)
            if items is None:
                continue
            end = match.start()  # the text before, spaces skipped, scanned in place
            while end > 0 and view[end - 1] in " \t":
                end -= 1
            last = view[end - 1] if end else ""
            if not last or last in "\n.!?:;=<>±~≈+*/(" or last.isdigit():
                continue  # "(1) First, ..." enumerations, "= (2)", "x (3)"
            word, _ = _preceding_word(view, end)
            lowered = word.lower()
            if lowered in FUNCTION_WORDS or lowered in FIGURE_WORDS:
                continue  # "in (3)", "Figure (2)", "Table (2, 3)"
            if (
                lowered in LABEL_WORDS
                and len(items) == 1
                and not _AFTER_NUMBER.search(view, max(0, end - len(word) - 12), end - len(word))
            ):
                continue  # "step (1)", "day (4)"; but "for 60 years (10, 11)", "6 weeks (41)"
            if not self._ends_phrase(match.end()):
                # AMA style puts "(7, 8)" anywhere a phrase allows it: after a noun, and
                # not before a unit or another parenthesised item ("(1) and (2)").
                if not word:
                    continue
                after = _NEXT_WORD.match(view, match.end())
                if after and after.group(1).lower() in UNITS_AFTER:
                    continue
                if _ANOTHER_ITEM.match(view[match.end() : match.end() + 12]):
                    continue
                if len(items) == 1:
                    # "(1) whether ... (2) whether": enumerations start at 1 and count up.
                    k = int(items[0].value)
                    if k == 1 or f"({k - 1})" in view[max(0, match.start() - 200) : match.start()]:
                        continue
            self.add(Found("numeric", match.start(), match.end(), items))

    def _ends_phrase(self, at: int) -> bool:
        """Followed by punctuation then a space or the end, a line end, or a new sentence."""
        rest = self.view[at : at + 3]
        if not rest or rest[0] == "\n":
            return True
        if rest[0] in ".,;:!?)]\u201d\"'":
            nxt = rest[1:2]
            return not nxt or nxt.isspace() or nxt in ")]\"'\u201d"
        if rest[0] in " \t":
            # Scan in place: a copy of the rest of the view per candidate is quadratic.
            view = self.view
            i = at
            while i < len(view) and view[i] in " \t":
                i += 1
            if i == len(view):
                return True
            head = view[i]
            return head == "\n" or head.isupper() or head in '[("\u201c'
        return False

    def unicode_superscripts(self) -> None:
        """``¹²``, ``¹⁻³`` after a word that is not a unit (``m²`` is a power)."""
        view = self.view
        for match in _UNICODE_SUP.finditer(view):
            start = match.start()
            before = view[start - 1] if start else ""
            if not before or before.isdigit() or before in "^\u00d7x*/ \t\n":
                continue
            word, _ = _preceding_word(view, start)
            if word and (len(word) < 2 or word.lower() in UNITS or "/" in word):
                continue
            text = match.group(0).translate(_SUPERSCRIPT_DIGITS).replace("\u207b", "-")
            items = self._numbers(text, listed_only=bool(self.listed))
            if items is not None:
                self.add(Found("superscript", start, match.end(), items))

    def plain_digits(self) -> None:
        """Superscript digits that lost their formatting: ``procedures 1,2.``,
        ``lower.6 10 11 Next``, ``(HR 0.8).6``, ``reported,3 the``, ``consistent12,13``."""
        if not self.listed:
            return
        view = self.view
        candidates: list[tuple[bool, Found]] = []
        for match in _PLAIN_DIGITS.finditer(view):
            start, end = match.span()
            if start and (
                view[start - 1].isdigit()
                or (view[start - 1] in ".," and start > 1 and view[start - 2].isdigit())
            ):
                # Part of a bigger number ("2.5", "1,500"), unless a year ended the
                # sentence: "rose after 2010.18 Prescriptions".
                # A run of spaced numbers after it ("ages of 55.31 32 Most") reads the same.
                run = _SPACED_RUN.match(view, match.end())
                if not (
                    view[start - 1] == "."
                    and (run or _YEAR_BEFORE.search(view, max(0, start - 6), start))
                    and _SENTENCE_NEXT.match(view, run.end() if run else match.end())
                ):
                    continue
            if end < len(view) and (view[end].isdigit() or view[end] in "%‰°"):
                continue
            if _DECIMAL_NEXT.match(view, end, end + 2):
                continue  # a decimal or a ratio: "1.5", "2:1"
            anchor = self._digit_anchor(start)
            if anchor is None:
                continue
            glued_punct = anchor < start and view[anchor] in ".,;:)"
            nums = match.group("nums")
            if glued_punct:
                # "data.6 10 11 Next": spaced superscripts after the full stop.
                more = _SPACED_RUN.match(view, end)
                if more and all(int(n) in self.listed for n in more.group(0).split()):
                    nums += "," + ",".join(more.group(0).split())
                    end = more.end()
            after = _NEXT_WORD.match(view, end)
            if after and after.group(1).lower() in UNITS_AFTER:
                continue  # "18-29 November", "5 mg", "2-3 weeks"
            multi = _MULTI.search(nums) is not None
            # Glued to a word mid-sentence: "consistent12,13 across", "sufficed8 in"
            # (a lower-case word of four letters or more, so "p53" or "IL6" never are).
            word, _ = _preceding_word(view, start)
            glued_word = anchor == start and (
                multi
                # a single one only mid-sentence or before punctuation: "ajlee21 Genomics"
                # (a handle before a capitalised word) is not one
                or (len(word) >= 4 and word.islower() and not _CAPITAL_NEXT.match(view, end))
            )
            if not (glued_punct or glued_word) and not self._ends_phrase(end):
                continue
            if anchor == start and not multi and _CAPITAL_NEXT.match(view, end):
                continue  # "ajlee21 Genomics": a handle or a name, the sentence goes on

            items = self._numbers(nums, listed_only=True)
            if items is None:
                continue
            weak = len(items) == 1 and view[start - 1] == " "
            candidates.append((weak, Found("superscript", start, end, items)))
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
        punct = False
        if i and view[i - 1] in ".,;:)" and not spaced:
            closing = view[i - 1]
            i -= 1
            punct = True
            if closing == ")" or (i and view[i - 1] in ")%"):
                return i  # "(HR 0.8).6", "by 30%.21": a parenthesis or percent, then a stop
            if closing == "." and i and view[i - 1].isdigit():
                return i  # "after 2010.18 Next" (the caller checked the year)
        word, word_start = _preceding_word(view, i)
        if len(word) < 2 or not word.isalpha():
            return None  # "cells/mm3", "osf.io/yzku5": a unit or an address, not prose
        lowered = word.lower()
        if lowered in FUNCTION_WORDS or lowered in UNITS:
            return None
        if not punct and lowered in NUMBER_WORDS:
            return None  # "group 3" is a group; "groups.3" or "year.30" a citation
        if not spaced and i == start and (len(word) < 3 or not word.islower()):
            return None  # glued to a capitalised or short word: a name such as IL6 or L5
        # "Risk of Bias 2", "RoB 2", "Phase 3": a number after a capitalised word inside a
        # sentence names a version or a tool, unless a full stop follows.
        digits_end = _DIGIT_RUN.match(view, start)
        if (
            spaced
            and word[0].isupper()
            and word_start
            and view[word_start - 1] == " "
            and not view.startswith(".", digits_end.end() if digits_end else start)
        ):
            return None
        if word_start and (view[word_start - 1].isdigit() or view[word_start - 1] in "-_/."):
            return None
        return i

    # -- author-year ----------------------------------------------------------------------

    def author_year(self) -> None:
        """``(Katz et al., 2003; Liliang 2011a)`` and narrative ``Katz et al. (2003)``."""
        view = self.view
        for match in _AY_PAREN.finditer(view):
            body = match.group("body")
            items: list[Item] = []
            for part in body.split(";"):
                item = _AY_ITEM.fullmatch(part.strip())
                if item is None or not _is_name(item.group("first")):
                    items = []
                    break
                items.extend(_author_year_items(item))
            if items:
                self.add(Found("author-year", match.start(), match.end(), items))
        for match in narrative_matches(view):
            if not _is_name(match.group("first")):
                continue
            items = _author_year_items(match)
            if not (match.group("etal") or match.group("second")):
                for single in items:
                    single.explicit = False  # "Katz (2003)": taken only if the .bib has it
            paren = view.index("(", match.end("first"))
            self.add(
                Found("author-year", match.start(), match.end(), items, strip=(paren, match.end()))
            )


def pandoc_bare_matches(view: str) -> Iterator[re.Match[str]]:
    """``_PANDOC_BARE.finditer(view)``, tried only at each ``@`` (or the ``-`` before it).

    Every match starts at its ``@`` or at a ``-`` just before it; the pattern's leading
    look-behind made the engine try every position of the text in Python's regex loop.
    """
    at = 0
    while (sign := view.find("@", at)) >= 0:
        found = None
        if sign > at and view[sign - 1] == "-":
            found = _PANDOC_BARE.match(view, sign - 1)
        if found is None:
            found = _PANDOC_BARE.match(view, sign)
        if found is None:
            at = sign + 1
            continue
        yield found
        at = found.end()


_YEAR_PAREN = re.compile(r"\((?:1[6-9]\d\d|20\d\d)")


def narrative_matches(view: str) -> Iterator[re.Match[str]]:
    """``_AY_NARRATIVE.finditer(view)``, searched only around each ``(`` holding a year.

    A narrative citation (``Katz et al. (2003)``) holds no ``(`` before its year's, and
    ends at the first ``)`` after it: a match starting at ``p`` has as its year the first
    ``(`` after ``p``, so it starts after the ``(`` before that one and ends by the
    ``)`` after. Each such window is searched alone, leftmost first as ``finditer``
    does; the prose between years is never scanned (it was a tenth of the extraction).
    """
    at = 0
    for paren in _YEAR_PAREN.finditer(view):
        year = paren.start()
        start = max(at, view.rfind("(", 0, year) + 1)
        if start > year:
            continue  # inside a match already found
        close = view.find(")", year)
        if close < 0:
            return  # no ")" after this year, nor after any later one
        found = _AY_NARRATIVE.search(view, start, close + 1)
        if found is not None:
            yield found
            at = found.end()


def _crossref_label(key: str) -> str:
    """``fig:walking`` -> ``Figure walking``: what a cross-reference reads as in a claim."""
    kind, label = re.split(r"[:-]", key, maxsplit=1)
    return f"{_CROSSREF_WORDS.get(kind.lower(), kind.capitalize())} {label}"


def _is_name(word: str) -> bool:
    return word.lower().rstrip(".") not in MONTHS_AND_NON_NAMES


def _author_year_items(match: re.Match[str]) -> list[Item]:
    first = match.group("first")
    second = match.group("second") or ""
    etal = bool(match.group("etal"))
    locator = match.group("locator") or ""
    items = []
    digits = ""
    for year in re.split(r"\s*,\s*", match.group("years")):
        if len(year) == 1:  # "2011a,b": the letter alone means the same year
            suffix = year
            year = digits + year
        else:
            digits, suffix = year[:4], year[4:]
        who = f"{first} et al." if etal else (f"{first} and {second}" if second else first)
        items.append(
            Item(
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
