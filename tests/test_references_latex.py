"""LaTeX commands are never lost silently (issue 20, case 1): symbols are decoded from the
project's table, latexcodec or pylatexenc; a command none of them knows stays visible and
is reported once per entry as ``latex-unknown``."""

# ruff: noqa: RUF001  (the expected texts are real Unicode symbols)
from __future__ import annotations

import unicodedata

import pytest
from pylatexenc.latex2text import get_default_latex_context_db

from evidence.bibliography import decode_latex, parse_references

CASES = [
    (r"(7\texttimes{}7)", "(7×7)"),
    (r"54 \textpm{} 12", "54 ± 12"),
    (r"AlGaN{$\slash$}GaN", "AlGaN/GaN"),
    (r"5\textperthousand", "5‰"),
    (r"a \textdiv{} b", "a ÷ b"),
    (r"1\textonehalf{} h", "1½ h"),
    (r"A \textrightarrow{} B", "A → B"),
    (r"\textsection 3", "§3"),
    (r"C:\textbackslash{}x", "C:\\x"),
    (r"a\textasciitilde{}b", "a~b"),
    (r"\textbraceleft x\textbraceright", "{x}"),
    (r"\emph{In vivo} and \textbf{bold}", "In vivo and bold"),
]


@pytest.mark.parametrize(("latex", "text"), CASES)
def test_symbols_are_decoded_not_dropped(latex: str, text: str) -> None:
    assert decode_latex(latex) == text


def pylatexenc_symbols() -> list[tuple[str, str]]:
    """Every macro of pylatexenc's latex2text default table that stands for plain text."""
    db = get_default_latex_context_db()
    found: dict[str, str] = {}
    for category in db.categories():
        for spec in db.iter_macro_specs([category]):
            repl = getattr(spec, "simplify_repl", None)
            if isinstance(repl, str) and "%" not in repl and spec.macroname.isalpha():
                found.setdefault(spec.macroname, repl)
    return sorted(found.items())


def test_every_symbol_pylatexenc_knows_survives() -> None:
    symbols = pylatexenc_symbols()
    assert len(symbols) > 300  # the table really was read
    lost = []
    for name, repl in symbols:
        decoded = decode_latex(f"x \\{name}{{}} y")
        wanted = " ".join(f"x {repl} y".split())
        # Ours may pick another code point for the same glyph (µ for μ, • for ∙), but a
        # symbol is never dropped: the text matches, keeps a character where the command
        # was, or keeps the command visible. \cite is a reference, not text: dropped.
        if repl.strip() and decoded != wanted and decoded == "x y" and name != "cite":
            lost.append((name, repl, decoded))
    assert lost == []


def test_an_unknown_command_stays_visible_and_is_reported_once_per_entry() -> None:
    bib = parse_references(
        "@article{a,\n  title = {A \\frobnicate{} test \\frobnicate},\n"
        "  journal = {\\frobnicate J}}\n"
        "@article{b, title = {Clean \\texttimes{} title}}\n",
        source="refs.bib",
    )
    assert bib["a"].title == "A \\frobnicate test \\frobnicate"
    assert bib["b"].title == "Clean × title"
    assert [(p.code, p.location.line, p.key) for p in bib.problems] == [("latex-unknown", 1, "a")]
    assert "\\frobnicate" in bib.problems[0].message


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"$\bar{x}$ was 4.2", "x\u0304 was 4.2"),  # a mean keeps its bar
        (r"$\tilde{O}(n)$", "\u00d5(n)"),
        (r"$\hat{\beta}$", "\u03b2\u0302"),
        (r"$\dot x$", "\u1e8b"),
        (r"$\overline{AB}$", "A\u0305B\u0305"),
        (r"G\i\^rgel", "G\u0131r\u0302gel"),  # dotless i before an accent command
    ],
)
def test_math_accents_and_dotless_letters_are_kept(latex: str, text: str) -> None:
    assert decode_latex(latex) == unicodedata.normalize("NFC", text)
