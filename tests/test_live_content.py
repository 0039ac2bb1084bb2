"""Text that would run or break something downstream (issue 12, cases 3 and 5).

Invisible and control characters are shown or removed by one rule in every human-facing
format and kept as read in CSV and JSON; a LaTeX cell or list item that starts with ``[``
or ``*`` stays text (pylatexenc reads it back, and pdflatex builds the PDF).

Every CSV the library writes neutralises cells a spreadsheet would run as a formula, the
claims CSV included, and reads its own quoting back; a lone surrogate in a claims file is a
located error at load time, not a bare encoding error when the table is written.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pylatexenc.latex2text import LatexNodes2Text

from evidence._docbuild import select_parts
from evidence.claims import dump_claims, parse_claims
from evidence.cli import main
from evidence.errors import ClaimFileError, SourceLocation
from evidence.model import Citation, Claim, Name, Reference, Stance
from evidence.render import Grid, md_escape, render, visible
from evidence.spreadsheet import FORMULA_START, neutralise, restore
from evidence.table import EvidenceTable, build_table

FORMULAS = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTAB"]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_lone_surrogate_is_a_located_error(fmt: str) -> None:
    text = (
        '{"claims": [{"id": "a", "text": "Pain \\ud800 relief"}]}'
        if fmt == "json"
        else 'claims:\n  - id: a\n    text: "Pain \\ud800 relief"\n'
    )
    with pytest.raises(ClaimFileError) as caught:
        parse_claims(text, fmt, source=f"c.{fmt}")
    (problem,) = caught.value.problems
    assert problem.code == "bad-character"
    assert str(problem.location) == ("c.json:1" if fmt == "json" else "c.yaml:3")


def test_a_whole_surrogate_pair_is_fine() -> None:
    claims = parse_claims('{"claims": [{"id": "a", "text": "x \\ud83d\\ude00"}]}', "json")
    assert claims[0].text == "x \U0001f600"


def test_the_claims_csv_neutralises_formulas_and_reads_them_back() -> None:
    citation = "    citations:\n      - {{key: k{}, stance: supports}}\n"
    yaml_text = "claims:\n" + "".join(
        f"  - id: c{i}\n    text: {text!r}\n" + citation.format(i)
        for i, text in enumerate(FORMULAS)
    )
    claims = parse_claims(yaml_text, "yaml")
    written = dump_claims(claims, "csv")
    rows = list(csv.reader(io.StringIO(written)))
    texts = [row[1] for row in rows[1:]]
    assert texts
    assert not [t for t in texts if t.startswith(FORMULA_START)]
    back = parse_claims(written, "csv")
    assert [c.text for c in back] == [c.text for c in claims]


def test_extract_to_csv_writes_no_live_formula(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text(
        '=HYPERLINK("http://evil") is what the trial found [@adams2019].\n\n'
        "@SUM(1) patients improved [@adams2019].\n",
        encoding="utf-8",
    )
    out = tmp_path / "claims.csv"
    assert main(["extract", str(article), "-o", str(out), "--offline"]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


def test_neutralise_and_restore_are_inverse() -> None:
    for text in [*FORMULAS, "plain", "'quoted", "", "'"]:
        assert restore(neutralise(text)) == text or text.startswith("'=")


def test_every_text_of_quotes_and_formula_characters_reads_back_exactly() -> None:
    # Every string of up to 4 characters from quotes, formula starts and a letter: each
    # reads back as written (a claim id "'@" once came back as "@") and none is left
    # starting a formula.
    alphabet = ["'", *FORMULA_START, "a"]
    for size in range(5):
        for letters in itertools.product(alphabet, repeat=size):
            text = "".join(letters)
            written = neutralise(text)
            assert restore(written) == text, repr(text)
            assert not written.startswith(FORMULA_START), repr(text)


# --- invisible and control characters in human-facing output (issue 12, case 5) --------

HUMAN_FORMATS = ["markdown", "html", "html-page", "latex"]
INVISIBLE = {
    "override": (
        "Pain \u202eteg lliw uoy\u202c relief",
        "Pain <U+202E>teg lliw uoy<U+202C> relief",
    ),
    "isolate": ("a \u2066b\u2069 c", "a <U+2066>b<U+2069> c"),
    "zero-width": ("katz\u200b2003 ka\u200dtz \u2060x\ufeff", "katz2003 katz x"),
    "nul-esc": ("red \x1b[31mtext\x00 end", "red <U+001B>[31mtext<U+0000> end"),
    "c1-del": ("a\x85b\x9bc\x7fd", "a<U+0085>b<U+009B>c<U+007F>d"),
    "tags": ("ok\U000e0041\U000e0042", "ok<U+E0041><U+E0042>"),
}
HIDDEN_CHARS = set(
    "\x00\x1b\x7f\x85\x9b\u200b\u200d\u2060\ufeff\u202c\u202e\u2066\u2069\U000e0041\U000e0042"
)


def hostile(text: str, *, claim_id: str = "c1", author: str = "Smith") -> EvidenceTable:
    """A table whose title, claim, finding, study and reference all carry ``text``."""
    ref = Reference(
        key="k1",
        entry_type="article",
        title=text,
        authors=(Name(author, "Jo"),),
        year=2020,
        journal="J " + text,
        pmid="123",
    )
    claim = Claim(
        id=claim_id,
        text=text,
        citations=(Citation("k1", Stance.SUPPORTS, finding=text, n=10, events=3),),
        location=SourceLocation("claims.yaml", 3),
    )
    return build_table([claim], {"k1": ref}, title=text)


def test_the_visible_rule_for_each_class() -> None:
    for text, shown in INVISIBLE.values():
        assert visible(text) == shown
        assert visible(shown) == shown  # applying it twice changes nothing
    # Joiners shape scripts and emoji: kept between two non-ASCII characters.
    for kept in ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\U0001f468\u200d\U0001f469"]:
        assert visible(kept) == kept
    assert visible("plain text, 62/150 (41%)") == "plain text, 62/150 (41%)"
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
@pytest.mark.parametrize("case", sorted(INVISIBLE))
def test_human_facing_formats_show_or_remove_invisible_characters(fmt: str, case: str) -> None:
    text, shown = INVISIBLE[case]
    out = render(hostile(text), fmt)
    assert not HIDDEN_CHARS & set(out), sorted(HIDDEN_CHARS & set(out))
    if "<U+" in shown:
        code = shown[shown.index("<U+") : shown.index(">", shown.index("<U+")) + 1]
        marker = {"html": html.escape(code), "html-page": html.escape(code)}.get(fmt, code)
        if fmt == "markdown":
            marker = md_escape(code)
        assert marker in out
    else:
        assert "katz2003" in out


@pytest.mark.parametrize("case", sorted(INVISIBLE))
def test_html_cells_read_back_as_the_visible_text(case: str) -> None:
    text, shown = INVISIBLE[case]
    cells = re.findall(r"<td>(.*?)</td>", render(hostile(text), "html"), re.S)
    assert shown in [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cells]


@pytest.mark.parametrize("case", sorted(INVISIBLE))
def test_docs_front_ends_get_visible_parts(case: str) -> None:
    text, _ = INVISIBLE[case]
    parts, _unknown = select_parts(hostile(text))
    strings: list[str] = []
    for part in parts:
        strings.append(part.caption)
        cells = [c for row in part.rows for c in row] if isinstance(part, Grid) else part.items
        if isinstance(part, Grid):
            strings += part.headers
        for cell in cells:
            strings += [
                cell.text,
                *(s.label for s in cell.studies),
                *(label for label, _ in cell.links),
            ]
    assert not HIDDEN_CHARS & set("".join(strings))


@pytest.mark.parametrize("case", sorted(INVISIBLE))
def test_machine_formats_keep_the_text_as_read(case: str) -> None:
    text, _ = INVISIBLE[case]
    data = json.loads(render(hostile(text), "json"))
    assert data["claims"][0]["text"] == text


# --- LaTeX: a cell that starts a row or an \item with [ or * (issue 12, case 5) ---------

LEADING = ["[click](javascript:alert(1))", "[10cm]", "*starred", "[Anonymous]"]


def latex_rows(out: str) -> list[str]:
    """The body rows and list items of the LaTeX output (what follows ``\\\\`` or
    ``\\item``)."""
    return [ln for ln in out.splitlines() if ln.endswith(r" \\") or ln.startswith(r"\item ")]


@pytest.mark.parametrize("text", LEADING)
def test_latex_cells_starting_with_an_option_bracket_stay_text(text: str) -> None:
    out = render(hostile(text, claim_id=text, author=text), "latex")
    starts = [ln.removeprefix(r"\item ") for ln in latex_rows(out)]
    # No row or item may begin with a bare [ or *: \\ and \item would take it as an option.
    assert not [s for s in starts if s.startswith(("[", "*"))]
    decoded = LatexNodes2Text().latex_to_text(out)
    assert decoded.count(text) >= 3  # the id, the claim and the finding at least
    # The first reference is still the hostile author's entry, not swallowed by \item.
    reference = next(ln for ln in out.splitlines() if ln.startswith(r"\item ") and "2020" in ln)
    assert text in LatexNodes2Text().latex_to_text(reference)


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs pdflatex (TeX Live)")
def test_a_hostile_latex_table_builds_a_pdf_with_its_text(tmp_path: Path) -> None:
    """Leading brackets, controls, overrides, Greek, relations, an emoji and CJK: pdflatex
    stopped at the first character its fonts lacked ("Unicode character not set up")."""
    text = "[10cm] *x \x1b \u202e [click](javascript:alert(1))"
    text += " p \u2265 0.05, \u03c7\u00b2 \U0001f600 \u4e2d"
    tex = tmp_path / "t.tex"
    tex.write_text(
        render(
            hostile(text, claim_id="[click](javascript:alert(1))", author="[Anonymous]"),
            "latex",
            standalone=True,
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 0
    if shutil.which("pdftotext"):
        pdf = subprocess.run(
            ["pdftotext", "t.pdf", "-"], cwd=tmp_path, capture_output=True, text=True, timeout=60
        ).stdout
        flat_pdf = " ".join(pdf.split())
        assert "[10cm]" in flat_pdf
        assert "[Anonymous]" in flat_pdf
        assert "<U+001B>" in flat_pdf or "U+001B" in flat_pdf
        # Clinical symbols print; a character no font here has is a boxed ? (not no PDF).
        assert "p \u2265 0.05" in flat_pdf
        assert "\u03c7" in flat_pdf
