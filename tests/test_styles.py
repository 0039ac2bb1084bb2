"""Reference lists in CSL styles (evidence.render.styles): Vancouver for the bundled example,
every reference of a list in the one style, journal abbreviations from PubMed, DOIs shown
as written and never twice, unknown styles with close matches, .csl files by path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, shared_path
from hypothesis import given
from hypothesis import strategies as st

from evidence.bibliography import load_bibliography
from evidence.errors import EvidenceError
from evidence.identifiers import normalise_doi
from evidence.model import Name, PubMedRecord, Reference
from evidence.render.styles import (
    STYLE_ALIASES,
    CitationStyles,
    StyleError,
    UnknownStyleError,
    available_styles,
    contains_doi,
    format_bibliography,
    style_kind,
    to_csl_item,
)


def _example() -> list[Reference]:
    return list(load_bibliography(ROOT / "references.bib", cache=False).values())


def test_the_bundled_example_in_vancouver() -> None:
    liliang, katz = format_bibliography(_example(), "vancouver")
    assert liliang.startswith(
        "Liliang PC, Lu K, Liang CL, Tsai YD, et al. Sacroiliac joint pain after lumbar and "
        "lumbosacral fusion: findings using dual sacroiliac joint blocks. Pain Medicine. "
        "2011 Apr;12(4):565\u201370. doi:10.1111/j.1526-4637.2011.01087.x"
    )
    # The same style for the other reference (pybtex fell back to another layout for it).
    assert katz.startswith(
        "Katz V, Schofferman J, Reynolds J. The sacroiliac joint: a potential cause of pain "
        "after lumbar fusion to the sacrum. 2003."
    )
    assert not re.match(r"^\[?\d", liliang)  # the list that holds them numbers them


@pytest.mark.parametrize(
    ("style", "liliang_authors"),
    [
        ("vancouver", "Liliang PC, Lu K, Liang CL, Tsai YD, et al."),
        ("ama", "Liliang PC, Lu K, Liang CL, Tsai YD, et al."),
        ("bmj", "Liliang PC, Lu K, Liang CL, et al."),
        ("apa", "Liliang, P. C., Lu, K., Liang, C. L., Tsai, Y. D., et al. (2011)."),
        ("jama", "Liliang PC, Lu K, Liang CL, Tsai YD, et al."),
    ],
)
def test_named_styles_format_every_reference_alike(style: str, liliang_authors: str) -> None:
    refs = _example()
    for output in ("text", "html", "markdown"):
        lines = format_bibliography(refs, style, output=output)
        assert len(lines) == len(refs)
        plain = re.sub(r"<[^>]+>|\*", "", lines[0])
        assert plain.startswith(liliang_authors), output
        assert lines[1].startswith("Katz")
    numbered = format_bibliography(refs, style, numbered=True)
    if style != "apa":  # the numeric styles number their entries when asked
        assert numbered[1].startswith("2")


def test_html_and_markdown_keep_the_text_literal() -> None:
    ref = Reference(
        "k",
        "article",
        title="IL-6 <b>levels</b> & *outcomes* in [trials]",
        authors=(Name("Smith", "Jo"),),
        year=2020,
        journal="J Test",
    )
    (html_line,) = format_bibliography([ref], "ama", output="html")
    assert "&lt;b&gt;levels&lt;/b&gt; &amp; *outcomes*" in html_line
    assert "<i>J Test</i>" in html_line
    (markdown_line,) = format_bibliography([ref], "ama", output="markdown")
    assert "\\<b\\>levels\\</b\\> & \\*outcomes\\* in \\[trials\\]" in markdown_line
    assert "*J Test*" in markdown_line


def test_journal_abbreviations_and_missing_details_come_from_pubmed() -> None:
    liliang, katz = _example()
    records = {
        "liliang2011": PubMedRecord(
            "21463470", "t", journal="Pain medicine", journal_abbrev="Pain Med"
        ),
        "katz2003": PubMedRecord(
            "12571491",
            "t",
            journal="Journal of spinal disorders & techniques",
            journal_abbrev="J Spinal Disord Tech",
            volume="16",
            issue="1",
            pages="96-9",
        ),
    }
    first, second = format_bibliography([liliang, katz], "vancouver", records=records)
    assert "blocks. Pain Med. 2011 Apr;12(4):565\u201370." in first
    assert "sacrum. J Spinal Disord Tech. 2003;16(1):96\u20139." in second


def test_a_doi_is_shown_as_written_and_only_once() -> None:
    ref = Reference(
        "k",
        "article",
        title="T",
        authors=(Name("Smith", "Jo"),),
        year=2020,
        journal="J",
        doi="10.1111/j.1526-4637.2011.01087.x",
        fields={
            "doi": "https://doi.org/10.1111/J.1526-4637.2011.01087.X",
            "url": "https://doi.org/10.1111/J.1526-4637.2011.01087.X",
        },
    )
    for style in ("vancouver", "ama", "apa", "bmj", "harvard"):
        (line,) = format_bibliography([ref], style)
        assert "10.1111/J.1526-4637.2011.01087.X" in line, style
        assert line.lower().count("10.1111/j.1526-4637.2011.01087.x") == 1, (style, line)
    assert contains_doi("see DOI: 10.1111/J.1526-4637.2011.01087.X.", ref.doi or "")
    assert not contains_doi("no doi here", "10.1/x")


def test_a_real_manuscript_in_its_own_csl_file_prints_no_doi_twice() -> None:
    folder = shared_path("fixtures", "manuscripts", "hellp_manuscript")
    refs = list(load_bibliography(folder / "hellp.bib", cache=False).values())
    lines = format_bibliography(refs, folder / "bmj.csl")
    assert len(lines) == len(refs)
    with_doi = [(ref, line) for ref, line in zip(refs, lines, strict=True) if ref.doi]
    assert len(with_doi) >= 40
    for ref, line in with_doi:
        assert line.lower().count(ref.doi or "") <= 1, line
    # The DOIs the style prints are the ones in the file, matched normalised.
    printed = [ref for ref, line in with_doi if contains_doi(line, ref.doi or "")]
    assert len(printed) == len(with_doi)


def test_an_unknown_style_is_a_dedicated_error_with_close_matches() -> None:
    with pytest.raises(UnknownStyleError) as caught:
        format_bibliography(_example(), "vancuover")
    assert isinstance(caught.value, EvidenceError)
    assert "vancouver" in caught.value.matches
    assert "\n" not in str(caught.value)
    with pytest.raises(UnknownStyleError):
        format_bibliography([], "nosuchstyle")  # even with nothing to format
    with pytest.raises(UnknownStyleError):
        format_bibliography([], "missing/style.csl")


def test_front_ends_can_tell_pybtex_from_csl_styles_before_any_work() -> None:
    assert [style_kind(s) for s in ("unsrt", "plain", "vancouver", "ama", "jama")] == [
        "pybtex",
        "pybtex",
        "csl",
        "csl",
        "csl",
    ]
    with pytest.raises(UnknownStyleError) as caught:
        style_kind("unsrtt")
    assert caught.value.matches[0] == "unsrt"


def test_every_alias_names_a_bundled_style() -> None:
    names = set(available_styles())
    styles = CitationStyles()
    for alias in STYLE_ALIASES:
        assert alias in names
        assert styles.path(alias).is_file()
    assert {"american-medical-association", "apa", "bmj", "jama"} <= names


MINIMAL_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Test style</title><id>test</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="citation-number"/></layout></citation>
  <bibliography>
    <layout>
      <text variable="citation-number" suffix=". "/>
      <names variable="author">
        <name initialize-with="" name-as-sort-order="all" sort-separator=" "/>
      </names>
      <text variable="title" prefix=" [" suffix="]"/>
    </layout>
  </bibliography>
</style>
"""


def test_a_csl_file_given_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.csl"
    path.write_text(MINIMAL_CSL, encoding="utf-8")
    lines = format_bibliography(_example(), path)
    assert lines[1] == (
        "Katz V, Schofferman J, Reynolds J [The sacroiliac joint: a potential cause of pain "
        "after lumbar fusion to the sacrum]"
    )
    broken = tmp_path / "broken.csl"
    broken.write_text("<style>\n<bibliography>\n", encoding="utf-8")
    with pytest.raises(StyleError) as caught:
        format_bibliography(_example(), broken)
    assert caught.value.location is not None
    assert caught.value.location.path == str(broken)


def test_csl_items_carry_identifiers_and_et_al() -> None:
    liliang, katz = _example()
    item = to_csl_item(liliang)
    assert item["author"][-1] == {"literal": "et al."}
    assert (item["PMID"], item["DOI"], item["page"]) == (
        "21463470",
        "10.1111/j.1526-4637.2011.01087.x",
        "565-570",
    )
    assert item["issued"] == {"date-parts": [[2011, 4]]}
    assert to_csl_item(katz)["type"] == "article-journal"


NAMES = st.builds(
    Name,
    st.text(max_size=12),
    st.text(max_size=12),
    collective=st.booleans(),
)
REFERENCES = st.lists(
    st.builds(
        Reference,
        key=st.text(min_size=1, max_size=8),
        entry_type=st.sampled_from(["article", "book", "misc", "incollection", "odd"]),
        title=st.text(max_size=30),
        authors=st.lists(NAMES, max_size=8).map(tuple),
        year=st.none() | st.integers(1000, 2100),
        month=st.none() | st.integers(1, 12),
        journal=st.text(max_size=15),
        pages=st.text(alphabet="0123456789-\u2013e", max_size=9),
        doi=st.none() | st.just("10.1/x"),
        authors_complete=st.booleans(),
    ),
    max_size=4,
)


@given(REFERENCES, st.sampled_from(["vancouver", "apa", "bmj"]))
def test_any_references_give_one_line_each(refs: list[Reference], style: str) -> None:
    lines = format_bibliography(refs, style)
    assert len(lines) == len(refs)
    for ref, line in zip(refs, lines, strict=True):
        if ref.doi and style == "apa":
            assert line.lower().count(normalise_doi(ref.doi) or "") == 1
