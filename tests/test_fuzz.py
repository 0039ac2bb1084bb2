"""Property-based fuzzing of every loader and renderer: any input, no crash, sound output.

The .bib and claims loaders get arbitrary text (and bytes): they return, or raise an
:class:`~evidence.errors.EvidenceError` subclass that says where; nothing else escapes.
Random claims and references (any Unicode: markup, quotes, pipes, line breaks, control
characters) go through ``build_table`` and every renderer, and the output must stay
well-formed: JSON parses with every claim and citation, CSV rows keep their column count,
HTML nests its tags and keeps each table's cell count, Markdown and LaTeX table rows keep
theirs. Each test runs the ``ci`` profile's number of examples (tests/conftest.py);
``EVIDENCE_FUZZ=thorough pytest tests/test_fuzz.py`` runs many more.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

import yaml
from hypothesis import given
from hypothesis import strategies as st

from evidence.bibliography import Bibliography, load_references, parse_references
from evidence.claims import ClaimSet, parse_claims
from evidence.errors import ClaimFileError, InputError
from evidence.model import Citation, Claim, Name, Reference, Stance
from evidence.render import CSV_COLUMNS, FORMATS, render
from evidence.table import EvidenceTable, build_table

T = TypeVar("T")

# Any Unicode text a user could type or paste, control characters and markup included.
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(list("|\\`*_[]<>&#~!{}$%^\"'\n\r\t=+-@;,")),
    max_size=40,
)
BIBTEX = st.lists(
    st.sampled_from(
        [
            *("@article{", "@string{", "@comment{", "@preamble{", "@misc(", "k1,", ",", "}"),
            *("title = ", "author = ", "month = jan", " # ", '"q"', "{", "}", "\n", "%", "\\'"),
            *(" and ", "others", '{\\"u}', "$x_1$", "--", "~", "doi = 10.1/x", "pmid = 12"),
        ]
    )
    | TEXT,
    max_size=30,
).map("".join)


def outcome(call: Callable[[], T]) -> tuple[T | None, InputError | None]:
    """What ``call`` returned, or the input error it raised; anything else escapes and
    fails the test (the property: only located ``EvidenceError`` subclasses escape)."""
    try:
        return call(), None
    except InputError as error:
        return None, error


# --- the .bib loader -------------------------------------------------------------------


@given(BIBTEX)
def test_any_bibtex_like_text_reads_with_located_problems(text: str) -> None:
    bib = parse_references(text, source="fuzz.bib")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for problem in bib.problems:
        assert problem.location.path == "fuzz.bib"
        assert problem.location.line is not None
        assert 1 <= problem.location.line <= lines
    for ref in bib.values():
        assert ref.location is not None
        assert ref.location.path == "fuzz.bib"


@given(BIBTEX)
def test_strict_mode_raises_only_a_located_bibliography_error(text: str) -> None:
    bib, error = outcome(lambda: parse_references(text, source="fuzz.bib", strict=True))
    if error is None:
        assert bib is not None
        assert bib.problems == ()
    else:
        assert error.location is not None
        assert error.location.path == "fuzz.bib"
        assert error.problems
        assert all(p.location.path == "fuzz.bib" for p in error.problems)


@given(
    st.binary(max_size=200) | BIBTEX.map(str.encode),
    st.sampled_from(["utf-8", "latin-1", "ascii", "no-such-codec"]),
)
def test_any_bytes_load_or_raise_a_located_bibliography_error(data: bytes, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.bib"
        path.write_bytes(data)
        bib, error = outcome(
            lambda: load_references(path, encoding=encoding, cache=Path(folder) / "cache")
        )
    if error is None:
        assert isinstance(bib, Bibliography)
        assert encoding != "no-such-codec" or not data  # Python decodes b"" in any name
    else:
        assert error.location is not None
        assert error.location.path == str(path)
        assert encoding == "no-such-codec" or error.problems
        assert all(p.location.line is not None for p in error.problems)


# --- the claims loader -------------------------------------------------------------------

JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        *("id", "text", "citations", "key", "stance", "n", "events", "outcome", "finding"),
        *("tags", "certainty", "level", "reason", "design", "risk_of_bias", "note", "title"),
    ]
)
CITATION = st.dictionaries(FIELDS, JSON_VALUE, max_size=6) | TEXT
CLAIM = st.dictionaries(
    FIELDS, JSON_VALUE | st.lists(CITATION, max_size=3), max_size=6
) | st.fixed_dictionaries(
    {"id": TEXT, "text": TEXT, "citations": st.lists(CITATION, max_size=3)},
    optional={"tags": JSON_VALUE, "certainty": JSON_VALUE},
)
DOCUMENT = st.fixed_dictionaries({"claims": st.lists(CLAIM, max_size=4)}) | JSON_VALUE


def _accepted_or_located(text: str, fmt: str) -> None:
    claims, error = outcome(lambda: parse_claims(text, fmt, source=f"fuzz.{fmt}"))
    if error is None:
        assert isinstance(claims, ClaimSet)
        assert all(p.location.path == f"fuzz.{fmt}" for p in claims.problems)
    else:
        assert isinstance(error, ClaimFileError)
        assert error.location is not None
        assert error.location.path == f"fuzz.{fmt}"
        assert error.problems
        assert all(p.location.path == f"fuzz.{fmt}" for p in error.problems)


@given(TEXT, st.sampled_from(["yaml", "json", "csv"]))
def test_any_text_is_claims_or_a_located_error(text: str, fmt: str) -> None:
    _accepted_or_located(text, fmt)


@given(DOCUMENT)
def test_any_json_document_is_claims_or_a_located_error(document: object) -> None:
    _accepted_or_located(json.dumps(document, ensure_ascii=False), "json")


@given(DOCUMENT)
def test_any_yaml_document_is_claims_or_a_located_error(document: object) -> None:
    _accepted_or_located(yaml.safe_dump(document, allow_unicode=True), "yaml")


CSV_HEADERS = st.lists(
    st.sampled_from(["claim_id", "id", "text", "key", "stance", "n", "events", "outcome"])
    | st.sampled_from(["finding", "tags", "design", "certainty", "note", "bogus"])
    | TEXT,
    min_size=1,
    max_size=6,
)


@given(
    CSV_HEADERS, st.lists(st.lists(TEXT, max_size=7), max_size=4), st.sampled_from([",", ";", "\t"])
)
def test_any_csv_table_is_claims_or_a_located_error(
    header: list[str], rows: list[list[str]], delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    _accepted_or_located(buffer.getvalue(), "csv")


# --- every renderer ------------------------------------------------------------------------

NAMES = st.builds(Name, last=TEXT, first=TEXT, von=TEXT, jr=TEXT, collective=st.booleans())


@st.composite
def tables(draw: st.DrawFn) -> tuple[EvidenceTable, list[Claim]]:
    keys = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=5, unique=True))
    refs = {
        key: Reference(
            key,
            draw(st.sampled_from(["article", "book", "misc", "inproceedings"])),
            title=draw(TEXT),
            authors=tuple(draw(st.lists(NAMES, max_size=3))),
            year=draw(st.none() | st.integers(1900, 2030)),
            journal=draw(TEXT),
            volume=draw(TEXT),
            pages=draw(TEXT),
            pmid=draw(st.none() | st.from_regex(r"[1-9][0-9]{0,8}", fullmatch=True)),
            doi=draw(st.none() | TEXT.map(lambda t: "10.1000/" + t)),
            authors_complete=draw(st.booleans()),
        )
        for key in keys
    }
    cited = st.sampled_from(keys) | TEXT.filter(bool)  # unknown keys too
    claims = []
    for number, claim_id in enumerate(draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))):
        citations = []
        for _ in range(draw(st.integers(0, 3))):
            n = draw(st.none() | st.integers(1, 10_000))
            citations.append(
                Citation(
                    draw(cited),
                    stance=draw(st.sampled_from(list(Stance))),
                    finding=draw(TEXT),
                    n=n,
                    events=None if n is None else draw(st.none() | st.integers(0, n)),
                    outcome=draw(st.sampled_from(["", "pain"]) | TEXT),
                    note=draw(TEXT),
                )
            )
        claims.append(
            Claim(
                claim_id or f"c{number}",
                draw(TEXT),
                tuple(citations),
                tags=tuple(draw(st.lists(TEXT, max_size=2))),
            )
        )
    title = draw(TEXT)
    return build_table(claims, refs, title=title or "Evidence table"), claims


def _unescaped(line: str, char: str) -> int:
    """How many times ``char`` occurs in ``line`` not escaped by a backslash."""
    count = 0
    index = 0
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        count += line[index] == char
        index += 1
    return count


def check_markdown(text: str) -> None:
    lines = text.split("\n")
    index = 0
    tables_seen = 0
    while index < len(lines):
        if lines[index].startswith("| ") and lines[index + 1].startswith("| ---"):
            cells = _unescaped(lines[index], "|")
            assert _unescaped(lines[index + 1], "|") == cells
            index += 2
            tables_seen += 1
            while lines[index]:
                assert lines[index].startswith("| "), lines[index]
                assert _unescaped(lines[index], "|") == cells, lines[index]
                index += 1
        index += 1
    assert tables_seen >= 1


_VOID = {"meta", "br", "link", "hr", "img", "input"}
_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "div", "table", "caption"}
_TAGS |= {"thead", "tbody", "tr", "th", "td", "a", "p", "ul", "ol", "li"}


class _Structure(HTMLParser):
    """Checks nesting and, for each table, that every row has the header's cell count."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.rows: list[list[int]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self.rows.append([])
        elif tag == "tr":
            self.rows[-1].append(0)
        elif tag in ("td", "th"):
            self.rows[-1][-1] += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> with nothing open"
        assert self.stack.pop() == tag, f"</{tag}> closes another element"


def check_html(text: str) -> None:
    parser = _Structure()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    assert parser.tags <= _TAGS, parser.tags - _TAGS  # no tag came from the user's text
    assert parser.rows
    for rows in parser.rows:
        assert len(set(rows)) == 1, rows


def _latex_tokens(text: str) -> tuple[int, int, list[str]]:
    """Unescaped ``{``, ``}`` and the tabular rows of a LaTeX document."""
    opened = closed = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            word = re.match(r"[A-Za-z]+", text[index + 1 :])
            index += 1 + (len(word.group()) if word else 1)
            continue
        opened += char == "{"
        closed += char == "}"
        index += 1
    rows = re.findall(r"\\midrule\n(.*?)\\bottomrule", text, re.S)
    return opened, closed, rows


def check_latex(text: str) -> None:
    # Grids are longtables: the header repeated on later pages (\endfirsthead ... \endhead)
    # is checked as the first one is, so it is set aside here.
    text = re.sub(r"\\endfirsthead\n.*?\\endhead\n", "", text, flags=re.S)
    opened, closed, bodies = _latex_tokens(text)
    assert opened == closed
    headers = re.findall(r"\\toprule\n(.*?) \\\\\n\\midrule", text)
    assert len(headers) == len(bodies) >= 1
    for header, body in zip(headers, bodies, strict=True):
        columns = _unescaped(header, "&")
        lines = body.strip("\n").split("\n") if body.strip() else []
        for line in lines:
            assert line.endswith(" \\\\"), line
            assert _unescaped(line, "&") == columns, line


@given(tables(), st.sampled_from(["reviewers", "patients"]))
def test_every_renderer_keeps_its_output_well_formed(
    built: tuple[EvidenceTable, list[Claim]], audience: str
) -> None:
    table, claims = built
    citations = sum(len(c.citations) for c in claims)
    for fmt in FORMATS:
        options = {} if fmt in ("csv", "json") else {"audience": audience}
        text = render(table, fmt, **options)
        if fmt == "json":
            document = json.loads(text)
            assert [c["id"] for c in document["claims"]] == [c.id for c in claims]
            assert len(document["evidence"]) == citations
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[0] == list(CSV_COLUMNS)
            assert all(len(row) == len(CSV_COLUMNS) for row in rows)
            assert len(rows) - 1 == sum(max(1, len(c.citations)) for c in claims)
        elif fmt in ("html", "html-page"):
            check_html(text)
        elif fmt == "markdown":
            check_markdown(text)
        else:
            check_latex(text)
