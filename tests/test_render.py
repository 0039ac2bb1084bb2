"""Every renderer, fed hostile text, produces output whose parser reads that text back inert."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from pylatexenc.latex2text import LatexNodes2Text

from evidence.errors import SourceLocation
from evidence.model import Citation, Claim, Name, Reference, Stance
from evidence.render import (
    CSV_COLUMNS,
    FORMATS,
    PART_IDS,
    Grid,
    format_references,
    render,
    table_parts,
)
from evidence.table import EvidenceTable, build_table

HOSTILE = [
    "<script>alert('x')</script>",
    "a | b || c",
    "line one\nline two\r\nline three",
    '=HYPERLINK("http://evil","x")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "**bold** _it_ `code` [link](http://x) ![img](y) <b>tag</b> &amp; &#60;",
    "# heading",
    "1. not a list",
    r"50% of $x_1$ & {y} \textbf{z} ~ ^ # \\",
]


def hostile_table(text: str) -> EvidenceTable:
    ref = Reference(
        key="k1",
        entry_type="article",
        title=text,
        authors=(Name("Smith", "Jo"),),
        year=2020,
        journal="J " + text,
        pmid="123",
        doi='10.1000/x<y>"z',
    )
    claim = Claim(
        id="c1",
        text=text,
        citations=(Citation("k1", Stance.SUPPORTS, finding=text, n=10, events=3),),
        location=SourceLocation("claims.yaml", 3),
    )
    uncited = Claim(id="c2", text=text, location=SourceLocation("claims.yaml", 9))
    return build_table([claim, uncited], {"k1": ref}, title=text)


def flat(text: str) -> str:
    """What a table cell can keep of ``text``: newlines become spaces."""
    return " ".join(text.splitlines())


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cells_are_plain_text(text: str) -> None:
    out = render(hostile_table(text), "markdown")
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(out)
    cells: list[str] = []
    for tok in tokens:
        if tok.type != "inline":
            continue
        kinds = {c.type for c in tok.children or []}
        # Only our own links (PMID/DOI) and plain text may appear: no HTML, emphasis, images.
        assert kinds <= {
            "text",
            "link_open",
            "link_close",
            "strong_open",
            "strong_close",
            "softbreak",
        }, (kinds, tok.content)
        cells.append("".join(c.content for c in tok.children or [] if c.type == "text"))
    assert flat(text) in cells  # the claim text survives as one cell, unchanged
    # Tables keep their shape: every row of the claims table has 7 cells.
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) >= 3 + 2


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.cells: list[str] = []
        self.hrefs: list[str] = []
        self._in_cell = False
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag == "td":
            self._in_cell, self._buf = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.cells.append("".join(self._buf))
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self._buf.append(data)


@pytest.mark.parametrize("fmt", ["html", "html-page"])
@pytest.mark.parametrize("text", HOSTILE)
def test_html_is_escaped_and_links_point_home(text: str, fmt: str) -> None:
    out = render(hostile_table(text), fmt)
    parser = _Collector()
    parser.feed(out)
    assert "script" not in parser.tags
    assert "b" not in parser.tags
    assert text in parser.cells  # exact text back, newlines and all
    assert "https://pubmed.ncbi.nlm.nih.gov/123/" in parser.hrefs
    assert "https://doi.org/10.1000/x%3Cy%3E%22z" in parser.hrefs
    assert all(h.startswith(("https://", "#ref-")) for h in parser.hrefs)


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cannot_run_formulas(text: str) -> None:
    out = render(hostile_table(text), "csv")
    rows = list(csv.reader(io.StringIO(out)))
    header, body = rows[0], rows[1:]
    assert header == list(CSV_COLUMNS)
    assert header[:3] == ["claim_id", "claim", "verdict"]
    assert len(body) == 2  # one cited row, one uncited row
    for row in body:
        assert len(row) == len(header)
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    claim_cell = body[0][1]
    expected = "'" + text if text.startswith(("=", "+", "-", "@")) else text
    assert claim_cell == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_json_round_trips(text: str) -> None:
    data = json.loads(render(hostile_table(text), "json"))
    assert data["title"] == text
    assert data["claims"][0]["text"] == text
    assert data["evidence"][0]["finding"] == text
    assert data["claims"][0]["supported_by"] == ["k1"]
    assert data["claims"][1]["verdict"] == "uncited"


@pytest.mark.parametrize("text", HOSTILE)
def test_latex_reads_back_as_the_text(text: str) -> None:
    out = render(hostile_table(text), "latex")
    body_lines = [ln for ln in out.splitlines() if ln.startswith("c1 & ")]
    assert body_lines, out
    # pylatexenc reads \textasciicircum as the spacing modifier letter; map it back.
    decoded = LatexNodes2Text().latex_to_text(body_lines[0])
    decoded = decoded.replace("\N{MODIFIER LETTER CIRCUMFLEX ACCENT}", "^")
    assert flat(text).replace("\r", "") in decoded
    # Grids are longtables (they break across pages; issue 17): two, each closed.
    assert out.count(r"\begin{longtable}") == out.count(r"\end{longtable}") == 2


def test_every_registered_format_is_covered() -> None:
    assert set(FORMATS) == {"markdown", "html", "html-page", "csv", "json", "latex"}


def test_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="markdown"):
        render(hostile_table("x"), "docx")


def test_reference_without_journal_falls_back_instead_of_vanishing() -> None:
    ref = Reference(
        "katz2003",
        "article",
        title="The SI joint",
        year=2003,
        pmid="12571491",
        authors=(Name("Katz", "Victor"),),
    )
    (line,) = format_references([ref])
    assert "Katz V" in line
    assert "The SI joint" in line
    assert "PMID: 12571491" in line


def test_parts_carry_ids_and_cells_carry_their_studies() -> None:
    """Front ends choose parts by id and link studies from data, never from display text:
    a study whose name holds the "; " separator and a caption-like title change nothing."""
    ref = Reference(
        key="odd",
        entry_type="article",
        title="Claims",
        authors=(Name("Smith; Jones", "Jo"),),
        year=2020,
        journal="J",
    )
    claim = Claim(
        id="c1",
        text="x",
        citations=(
            Citation("odd", Stance.SUPPORTS, n=10, events=3, outcome="pain"),
            Citation("ghost", Stance.CONTRADICTS),
        ),
        location=SourceLocation("claims.yaml", 3),
    )
    table = build_table([claim], {"odd": ref}, title="References")
    reviewers = table_parts(table, "reviewers", "unsrt")
    assert [p.id for p in reviewers] == ["claims", "evidence", "remarks", "references"]
    assert {p.id for p in reviewers} <= set(PART_IDS)
    patients = table_parts(table, "patients", "unsrt")
    assert [p.id for p in patients] == ["claims", "evidence", "remarks", "references"]
    claims = reviewers[0]
    assert isinstance(claims, Grid)
    supported = claims.rows[0][claims.headers.index("Supported by")]
    (link,) = supported.studies
    assert (link.key, link.number) == ("odd", 1)
    assert supported.text == link.label  # the label may hold "; "; the data stays one study
    evidence = reviewers[1]
    assert isinstance(evidence, Grid)
    studies = [row[evidence.headers.index("Study")].studies for row in evidence.rows]
    assert [[(s.key, s.number) for s in row] for row in studies] == [
        [("odd", 1)],
        [("ghost", None)],
    ]
