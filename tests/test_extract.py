"""Claims from prose: markers of every style, look-alikes that are not markers, the
numbered reference list, sentences, locations, PubMed resolution and the claims file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, shared_path
from hypothesis import given
from hypothesis import strategies as st
from ncbi_server import NCBIServer

from evidence.bibliography import Bibliography, load_references, parse_references
from evidence.claims import dump_claims, load_claims, parse_claims
from evidence.cli import main
from evidence.errors import ArticleError
from evidence.extract import (
    FORMATS,
    ExtractResult,
    ListedReference,
    extract_claims,
    match_reference,
    parse_article,
    parse_reference_line,
    sentence_spans,
    split_sentences,
)
from evidence.model import Reference, Stance
from evidence.pubmed.client import PubMedClient

BIB = parse_references(
    r"""
@article{adams2019,
  author = {Adams, Ruth and Baker, Tom and Chen, Li},
  title  = {Walking programmes for chronic low back pain in older adults},
  journal = {Spine}, year = {2019}, volume = {44}, pages = {101--109},
  doi = {10.1000/spine.2019.101},
}
@article{baker2020,
  author = {Baker, Tom and Adams, Ruth},
  title  = {Night pain after hip replacement: a registry study},
  journal = {Hip Int}, year = {2020}, pmid = {30000001},
}
@article{chen2018a,
  author = {Chen, Li},
  title  = {Yoga and neck pain},
  year = {2018},
}
@article{chen2018b,
  author = {Chen, Li},
  title  = {Massage and shoulder pain},
  year = {2018},
}
@article{dupont2015,
  author = {van der Berg, Anna and Dupont, Marc},
  title  = {Heat wraps for acute low back pain: a randomised trial},
  year = {2015},
}
""",
    source="test.bib",
)

REFERENCE_LIST = """
References

1. Adams R, Baker T, Chen L. Walking programmes for chronic low back pain in older adults. Spine. 2019;44(2):101-9.
2. Baker T, Adams R. Night pain after hip replacement: a registry study. Hip Int. 2020;30(1):5-10. PMID: 30000001.
3. Chen L. Yoga and neck pain. J Pain. 2018;19:33-40.
4. Chen L. Massage and shoulder pain. J Pain. 2018;19:41-50.
5. Evans Q. A paper the .bib does not have at all. Lancet. 2001;357:1-5.
6. van der Berg A, Dupont M. Heat wraps for acute low back pain: a randomised trial. BMJ. 2015;350:h1.
7. Fox K. Yet another absent paper. Pain. 2012;153:7-8.
"""  # noqa: E501


def extract(text: str, fmt: str = "markdown", **options: object) -> ExtractResult:
    options.setdefault("references", BIB)
    return parse_article(text, format=fmt, **options)  # type: ignore[arg-type]


def keys_of(result: ExtractResult) -> list[list[str]]:
    """The citation keys of each claim, in order."""
    return [[c.key for c in claim.citations] for claim in result.claims]


def texts_of(result: ExtractResult) -> list[str]:
    return [claim.text for claim in result.claims]


def assert_round_trip(result: ExtractResult) -> None:
    for fmt in ("yaml", "json", "csv"):
        assert parse_claims(dump_claims(result.claims, fmt), fmt) == result.claims


# --- the seed article ---------------------------------------------------------------------


@pytest.fixture
def seed() -> Path:
    return shared_path("examples", "sacroiliac-article.txt")


@pytest.fixture
def bundled_bib() -> Bibliography:
    return load_references(ROOT / "references.bib")


def test_seed_article_cites_liliang_2011_and_katz_2003(
    seed: Path, bundled_bib: Bibliography
) -> None:
    result = extract_claims(seed, references=bundled_bib)
    text = seed.read_text(encoding="utf-8")

    assert result.format == "plain"
    (claim,) = result.claims
    assert [c.key for c in claim.citations] == ["liliang2011", "katz2003"]
    assert [bundled_bib[c.key].pmid for c in claim.citations] == ["21463470", "12571491"]
    assert all(c.stance is Stance.UNKNOWN for c in claim.citations)
    # The claim is the sentence carrying "1,2", without the marker, located where it starts.
    (marker,) = result.markers
    assert marker.text == "1,2"
    assert marker.cited == ("1", "2")
    assert marker.keys == ("liliang2011", "katz2003")
    assert claim.text.endswith(".")
    assert "1,2" not in claim.text
    assert claim.text[:-1] in text
    assert claim.location is not None
    assert claim.location.line is not None
    assert claim.location.column is not None
    line = text.splitlines()[claim.location.line - 1]
    assert line[claim.location.column - 1 :].startswith(claim.text[:-1])
    assert marker.location.line == claim.location.line
    # The numbered list was found and mapped through the .bib by title.
    assert [(r.number, r.key, r.how) for r in result.reference_list] == [
        (1, "liliang2011", "title"),
        (2, "katz2003", "title"),
    ]
    assert result.unmapped == ()
    assert result.problems == ()
    assert_round_trip(result)


def test_seed_uncited_sentences_only_when_asked(seed: Path, bundled_bib: Bibliography) -> None:
    cited_only = extract_claims(seed, references=bundled_bib)
    everything = extract_claims(seed, references=bundled_bib, include_uncited=True)
    text = seed.read_text(encoding="utf-8")

    assert len(cited_only.claims) == 1
    assert len(everything.claims) > 5
    cited = [c for c in everything.claims if c.citations]
    assert [c.text for c in cited] == [cited_only.claims[0].text]
    uncited = [c for c in everything.claims if not c.citations]
    assert len(uncited) == len(everything.claims) - 1
    for claim in uncited:
        # Statements from the text, never headings, questions, the date or the list.
        assert claim.text[-1] in ".!"
        assert not claim.text.endswith("?")
        assert claim.text in " ".join(text.split())
        assert "Liliang" not in claim.text
        assert "Katz" not in claim.text
    assert len(set(everything.claims.ids)) == len(everything.claims)
    assert_round_trip(everything)


def test_seed_without_a_bib_reports_the_numbers_unmapped(seed: Path) -> None:
    result = extract_claims(seed)
    (claim,) = result.claims
    assert claim.citations == ()
    assert [(u.cited, u.reason) for u in result.unmapped] == [
        ("[1]", "no .bib was given"),
        ("[2]", "no .bib was given"),
    ]
    assert "[1] not mapped" in claim.note
    assert {p.code for p in result.problems} == {"unmapped-citation"}
    assert_round_trip(result)


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        yield running


def quick_client(server: NCBIServer, **settings: object) -> PubMedClient:
    return PubMedClient(
        base_url=server.url,
        email="dev@example.org",
        tool="evidence-tests",
        timeout=2.0,
        backoff=0.01,
        max_total_wait=5.0,
        max_rate=100.0,
        **settings,  # type: ignore[arg-type]
    )


def test_seed_without_a_bib_is_resolved_through_ecitmatch(seed: Path, server: NCBIServer) -> None:
    server.citations[("pain med", "2011", "12", "565")] = "21463470"
    server.citations[("j spinal disord tech", "2003", "16", "96")] = "12571491"

    result = extract_claims(seed, client=quick_client(server))

    (claim,) = result.claims
    assert [c.key for c in claim.citations] == ["liliang2011", "katz2003"]
    assert [c.note for c in claim.citations] == [
        "PMID 21463470 (PubMed ECitMatch, reference 1)",
        "PMID 12571491 (PubMed ECitMatch, reference 2)",
    ]
    assert [r.pmid for r in result.reference_list] == ["21463470", "12571491"]
    (request,) = server.requests_to("ecitmatch.cgi")
    assert "pain+med|2011|12|565|liliang+pc|" in request.target
    assert result.unmapped == ()
    assert_round_trip(result)


def test_pubmed_unreachable_leaves_numbers_unmapped_and_says_so(seed: Path) -> None:
    result = extract_claims(seed, client=PubMedClient(email="dev@example.org", offline=True))
    assert [p.code for p in result.problems if p.code == "pubmed-unavailable"] == [
        "pubmed-unavailable"
    ]
    assert [u.reason for u in result.unmapped] == [
        "no .bib was given; PubMed could not be asked"
    ] * 2


def test_with_a_bib_missing_the_entry_pubmed_pmid_maps_to_the_bib(server: NCBIServer) -> None:
    bib = parse_references("@article{mine, title = {Other}, pmid = {2014248}, year = 1991}")
    server.citations[("proc natl acad sci u s a", "1991", "88", "3248")] = "2014248"
    text = (
        "Amoebae do this [1]. Also that [2].\n\nReferences\n\n"
        "1. Mann BJ, Torian BE. Sequence of a cysteine-rich galactose-specific lectin. "
        "Proc Natl Acad Sci U S A. 1991;88(8):3248-52.\n"
        "2. Nobody X. Nothing at all. Fake Journal. 2000;1:1-2.\n"
    )
    result = parse_article(text, references=bib, client=quick_client(server))
    assert keys_of(result) == [["mine"], []]
    assert result.reference_list[0].how == "pubmed"
    assert "PubMed ECitMatch found no single match" in result.unmapped[0].reason


# --- key-based markers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Walking helps [@adams2019].", [["adams2019"]]),
        ("Walking helps [@adams2019; @baker2020].", [["adams2019", "baker2020"]]),
        ("Walking helps [see @adams2019, p. 4; also -@baker2020].", [["adams2019", "baker2020"]]),
        ("Walking helps [@{adams2019}].", [["adams2019"]]),
        ("@adams2019 found that walking helps.", [["adams2019"]]),
        ("As shown by @adams2019 [p. 33], walking helps.", [["adams2019"]]),
        ("Walking helps (@adams2019).", [["adams2019"]]),
        (
            "Walking helps.[@adams2019] Night pain is common [@baker2020].",
            [["adams2019"], ["baker2020"]],
        ),
        ("Write to me@adams2019.org about walking.", []),
        ("Walking helps `[@adams2019]` in code.", []),
    ],
)
def test_pandoc_markers(text: str, expected: list[list[str]]) -> None:
    assert keys_of(extract(text)) == expected


def test_pandoc_locators_and_narrative_text() -> None:
    result = extract("@adams2019 found that walking helps [@baker2020, pp. 3-4].")
    (claim,) = result.claims
    assert claim.text == "Adams et al. found that walking helps."
    assert [(c.key, c.locator) for c in claim.citations] == [
        ("adams2019", ""),
        ("baker2020", "pp. 3-4"),
    ]


def test_bare_at_word_that_is_not_a_key_is_not_taken() -> None:
    result = extract("Ask @someone about walking. It helps [@adams2019].")
    assert keys_of(result) == [["adams2019"]]
    assert [p.code for p in result.problems] == ["unknown-key"]


def test_keys_in_another_case_find_their_entry() -> None:
    result = extract("Walking helps [@ADAMS2019]. \\citet{Baker2020} agreed.")
    assert keys_of(result) == [["adams2019"], ["baker2020"]]
    assert texts_of(result)[1] == "Baker and Adams agreed."
    assert result.problems == ()


def test_unknown_key_in_citation_syntax_is_kept_with_a_warning() -> None:
    result = extract("Walking helps [@nobody2000].")
    assert keys_of(result) == [["nobody2000"]]
    (problem,) = result.problems
    assert problem.code == "unknown-key"
    assert str(problem.location) == "<string>:1:15"


def test_look_alikes_of_pandoc_citations_without_a_bib() -> None:
    text = (
        "Read PublicationType[@UI] in XPath. A BibTeX @article entry, @string macros and "
        "@someone on social media. But @katz2003 found pain."
    )
    result = parse_article(text, format="markdown")
    assert [m.text for m in result.markers] == ["@katz2003"]


def test_without_a_bib_keys_are_taken_as_written() -> None:
    # Raw LaTeX citations count in Markdown too (pandoc passes them to LaTeX).
    result = parse_article("Walking helps [@anything2000] and \\cite{x}.", format="markdown")
    assert keys_of(result) == [["anything2000", "x"]]


@pytest.mark.parametrize(
    ("command", "expected_locator"),
    [
        (r"\cite{adams2019}", ""),
        (r"\cite[p.~4]{adams2019}", "p. 4"),
        (r"\citep{adams2019}", ""),
        (r"\citep[see][chap.~2]{adams2019}", "chap. 2"),
        (r"\parencite{adams2019}", ""),
        (r"\autocite[12]{adams2019}", "12"),
        (r"\footcite{adams2019}", ""),
        (r"\supercite{adams2019}", ""),
        (r"\cite*{adams2019}", ""),
    ],
)
def test_latex_parenthetical_commands(command: str, expected_locator: str) -> None:
    result = extract(f"Walking helps {command}.\n", "latex")
    (claim,) = result.claims
    assert claim.text == "Walking helps."
    assert [(c.key, c.locator) for c in claim.citations] == [("adams2019", expected_locator)]


@pytest.mark.parametrize("command", ["citet", "textcite", "Textcite", "citeauthor"])
def test_latex_narrative_commands_leave_the_authors(command: str) -> None:
    result = extract(f"\\{command}{{baker2020}} found night pain.", "latex")
    assert texts_of(result) == ["Baker and Adams found night pain."]
    assert keys_of(result) == [["baker2020"]]


def test_latex_lists_multicite_nocite_and_what_is_not_prose() -> None:
    text = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
\section{Background}
Walking helps \citep{adams2019, baker2020}; heat helps too \cites[5]{dupont2015}{chen2018a}.
% Commented out \cite{chen2018b}.
\nocite{chen2018b}
The mean was $x = \cite{chen2018b}$.
\begin{verbatim}
Fake \cite{chen2018b}.
\end{verbatim}
\begin{equation}
y = 2 \cite{chen2018b}
\end{equation}
\end{document}
"""
    result = extract(text, "latex")
    assert keys_of(result) == [["adams2019", "baker2020", "dupont2015", "chen2018a"]]
    assert texts_of(result) == ["Walking helps; heat helps too."]
    assert result.claims[0].citations[2].locator == "5"
    assert result.claims[0].location is not None
    assert result.claims[0].location.line == 5


@pytest.mark.parametrize(
    ("role", "expected_text"),
    [
        (":cite:`adams2019,baker2020`", "Walking helps."),
        (":cite:p:`adams2019,baker2020`", "Walking helps."),
        (":footcite:`adams2019,baker2020`", "Walking helps."),
    ],
)
def test_sphinx_roles(role: str, expected_text: str) -> None:
    result = extract(f"Walking helps {role}.\n", "rst")
    assert keys_of(result) == [["adams2019", "baker2020"]]
    assert texts_of(result) == [expected_text]


def test_sphinx_narrative_role_and_rst_markup() -> None:
    text = """Title
=====

:cite:t:`baker2020` found **night** pain, see `the registry <http://x.org/[3]>`_.

.. code-block:: text

   Not prose :cite:`chen2018b`.

.. note::

   Heat helps [dupont2015]_.
"""
    result = extract(text, "rst")
    assert keys_of(result) == [["baker2020"], ["dupont2015"]]
    assert texts_of(result) == [
        "Baker and Adams found night pain, see the registry.",
        "Heat helps.",
    ]
    assert [m.kind for m in result.markers] == ["sphinx", "rst"]


# --- numeric markers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Walking helps [1].", ["adams2019"]),
        ("Walking helps [1-2].", ["adams2019", "baker2020"]),
        ("Walking helps [1\u20133].", ["adams2019", "baker2020", "chen2018a"]),
        ("Walking helps [1, 6].", ["adams2019", "dupont2015"]),
        ("Walking helps [1,3-4].", ["adams2019", "chen2018a", "chen2018b"]),
        ("Walking helps [2; 6].", ["baker2020", "dupont2015"]),
        ("Walking helps (6).", ["dupont2015"]),
        ("Walking helps (1, 2).", ["adams2019", "baker2020"]),
        ("Walking helps (1-2), and heat does too.", ["adams2019", "baker2020"]),
        ("Walking helps 1,2.", ["adams2019", "baker2020"]),
        ("Walking helps1,2.", ["adams2019", "baker2020"]),
        ("Walking helps.1,2 Heat is another matter.", ["adams2019", "baker2020"]),
        ("Walking helps 1-3.", ["adams2019", "baker2020", "chen2018a"]),
        ("Walking helps¹.", ["adams2019"]),
        ("Walking helps¹,².", ["adams2019", "baker2020"]),
        ("Walking helps¹⁻³.", ["adams2019", "baker2020", "chen2018a"]),
        ("Walking helps<sup>1,6</sup>.", ["adams2019", "dupont2015"]),
        ("Walking helps^2^.", ["baker2020"]),
    ],
)
def test_numeric_markers_map_through_the_reference_list(sentence: str, expected: list[str]) -> None:
    result = extract(sentence + "\n" + REFERENCE_LIST)
    assert keys_of(result)[0] == expected
    assert not any(ch.isdigit() for ch in result.claims[0].text.split(".")[0][-3:])


@pytest.mark.parametrize(
    "sentence",
    [
        "Walking helps.[1]",
        "Walking helps [1].",
        "Walking helps[1].",
        "Walking helps [1], heat does too.",
        "Walking helps,[1] heat does too.",
        "Walking helps (see [1]).",
        "Walking helps (and see [1]); heat too.",
        "Walking helps ([1]).",
        "Walking helps [1]: a fact.",
        "Walking helps [1]!",
    ],
)
def test_markers_in_brackets_next_to_punctuation(sentence: str) -> None:
    result = extract(sentence + "\n" + REFERENCE_LIST)
    assert keys_of(result) == [["adams2019"]]
    (claim,) = result.claims
    assert "[1]" not in claim.text
    assert "()" not in claim.text
    assert " ," not in claim.text
    assert claim.text.startswith("Walking helps")


@pytest.mark.parametrize(
    "sentence",
    [
        "The trial ran in 2003.",
        "The trial ran in 2003 and 2004.",
        "Patients took 5 mg twice a day.",
        "Patients took 5 mg.",
        "Relief lasted 1-2 hours.",
        "Relief lasted 1\u20132 hours after the block.",
        "We enrolled patients (n = 52).",
        "The difference was significant (P = 0.02).",
        "The difference was significant (p < 0.05).",
        "Pain fell by 21%.",
        "Pain fell by 2.5 points.",
        "The ratio was 1:2.",
        "See Figure 2.",
        "See Fig. 2 and Table 3.",
        "Details are in section 2.3.",
        "Pain rose 2-fold.",
        "We asked (1) whether walking helps and (2) whether heat helps.",
        "Patients were in group 2.",
        "Follow-up was on day 3.",
        "Area was 5 m².",
        "The fit was good (R² = 0.9).",
        "Heterogeneity was low (I²).",
        "Version 2 was used.",
        "Of these, 2 had pain.",
        "It was the year 2003 (2003).",
        "Data are from [2003].",
        "Pain fell by 3 of 7.",
        "Studies show it 1.",
    ],
)
def test_numbers_that_are_not_markers(sentence: str) -> None:
    result = extract(sentence + "\n" + REFERENCE_LIST + "\nAnother claim [1].\n")
    # The only marker is the control one in the last line (after the list? no: before).
    assert all(m.text == "[1]" for m in result.markers), [m.text for m in result.markers]


def test_numbered_steps_are_not_a_reference_list() -> None:
    text = "Walking helps 1,2.\n\n1. Put on shoes.\n2. Walk for an hour.\n"
    result = extract(text)
    assert result.reference_list == ()
    assert result.markers == ()
    assert keys_of(result) == []


def test_numbered_steps_right_before_the_references_are_left_out_of_the_list() -> None:
    text = "Walking helps 1,2.\n\n1. Put on shoes.\n2. Walk for an hour.\n" + REFERENCE_LIST
    result = extract(text.replace("\nReferences\n", ""))
    assert [r.number for r in result.reference_list] == [1, 2, 3, 4, 5, 6, 7]
    assert result.reference_list[0].key == "adams2019"
    assert keys_of(result) == [["adams2019", "baker2020"]]


def test_superscript_digits_need_a_reference_list_and_numbers_on_it() -> None:
    assert extract("Walking helps 1,2.").markers == ()
    beyond = extract("Walking helps 8,9.\n" + REFERENCE_LIST)
    assert beyond.markers == ()


def test_single_spaced_number_needs_an_unmistakable_marker_elsewhere() -> None:
    alone = extract("Pain eased 2.\n" + REFERENCE_LIST)
    assert alone.markers == ()
    with_list = extract("Walking helps 1,6. Pain eased 2.\n" + REFERENCE_LIST)
    assert keys_of(with_list) == [["adams2019", "dupont2015"], ["baker2020"]]


def test_bracketed_numbers_without_a_list_are_markers_reported_unmapped() -> None:
    result = extract("Walking helps [3].")
    assert keys_of(result) == [[]]
    (unmapped,) = result.unmapped
    assert unmapped.cited == "[3]"
    assert unmapped.reason == "the document has no numbered reference list"


def test_numbers_beyond_the_list_and_unmapped_entries_are_reported() -> None:
    result = extract("Walking helps [5, 9].\n" + REFERENCE_LIST)
    assert keys_of(result) == [[]]
    assert [(u.cited, u.reason) for u in result.unmapped] == [
        ("[5]", "no .bib entry has its PMID, DOI or title"),
        ("[9]", "the reference list has no entry 9"),
    ]
    assert result.claims[0].note.startswith("[5] not mapped: no .bib entry")


def test_markdown_links_footnotes_and_code_are_not_markers() -> None:
    text = (
        "Walking [helps](http://example.org/[2]) a lot[^1] and [text][1] too, "
        "`x[3]` and ![img](a.png) [7](http://x.org).\n\n[1]: http://example.org\n"
        "[^1]: A footnote.\n" + REFERENCE_LIST
    )
    assert extract(text).markers == ()


# --- author-year -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Walking helps (Adams et al., 2019).", ["adams2019"]),
        ("Walking helps (Adams et al. 2019).", ["adams2019"]),
        ("Walking helps (Baker and Adams 2020).", ["baker2020"]),
        ("Walking helps (Baker & Adams, 2020).", ["baker2020"]),
        ("Walking helps (Adams et al., 2019; Baker and Adams 2020).", ["adams2019", "baker2020"]),
        ("Walking helps (see Adams et al., 2019, p. 4).", ["adams2019"]),
        ("Walking helps (Chen 2018a, 2018b).", ["chen2018a", "chen2018b"]),
        ("Walking helps (van der Berg and Dupont 2015).", ["dupont2015"]),
        ("Walking helps (Baker 2020).", ["baker2020"]),
    ],
)
def test_author_year_markers(sentence: str, expected: list[str]) -> None:
    result = extract(sentence)
    assert keys_of(result) == [expected]
    assert texts_of(result) == ["Walking helps."]


def test_narrative_author_year_keeps_the_names() -> None:
    result = extract("Adams et al. (2019) found that walking helps. Chen (2018b) agreed.")
    assert texts_of(result) == ["Adams et al. found that walking helps.", "Chen agreed."]
    assert keys_of(result) == [["adams2019"], ["chen2018b"]]


@pytest.mark.parametrize(
    "sentence",
    [
        "The trial ran (in 2003).",
        "The post is dated (September 2012).",
        "See the results (Table 2003).",
        "Smith (2003) said so.",
        "The survey (2019) was long.",
    ],
)
def test_parentheses_with_years_that_are_not_author_year_markers(sentence: str) -> None:
    assert extract(sentence).markers == ()


def test_author_year_without_a_match_is_unmapped() -> None:
    result = extract("Walking helps (Zhou et al., 2001). Yoga helps (Chen 2018).")
    assert [(u.cited, u.reason) for u in result.unmapped] == [
        ("Zhou et al. 2001", "no .bib entry by Zhou from 2001"),
        ("Chen 2018", "ambiguous: chen2018a, chen2018b are all by Chen from 2018"),
    ]
    assert keys_of(result) == [[], []]


# --- sentences, context and locations ------------------------------------------------------------


def test_sentence_splitting_respects_abbreviations_and_decimals() -> None:
    text = (
        "Adams et al. found a 2.5-fold rise (Fig. 2), e.g. in older adults. "
        "Dr. Baker disagreed, i.e. the rise was small vs. controls. "
        "P. C. Liliang replied! Did it matter? Yes."
    )
    assert split_sentences(text) == [
        "Adams et al. found a 2.5-fold rise (Fig. 2), e.g. in older adults.",
        "Dr. Baker disagreed, i.e. the rise was small vs. controls.",
        "P. C. Liliang replied!",
        "Did it matter?",
        "Yes.",
    ]


def test_sentence_spans_are_offsets_into_the_text() -> None:
    text = "  One here.  Two there.\n"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["One here.", "Two there."]


def test_context_takes_neighbours_from_the_same_paragraph_only() -> None:
    text = (
        "First paragraph ends here.\n\n"
        "Walking is cheap. Walking helps [@adams2019]. It needs shoes. Shoes cost money.\n\n"
        "Another paragraph.\n"
    )
    one = extract(text, context=1)
    assert texts_of(one) == ["Walking is cheap. Walking helps. It needs shoes."]
    five = extract(text, context=5)
    assert texts_of(five) == ["Walking is cheap. Walking helps. It needs shoes. Shoes cost money."]
    location = five.claims[0].location
    assert location is not None
    assert (location.line, location.column) == (3, 19)
    with pytest.raises(ValueError, match="context"):
        extract(text, context=-1)


def test_claim_ids_are_slugs_and_unique() -> None:
    result = extract("Walking helps [@adams2019]. Walking helps [@baker2020].")
    assert result.claims.ids == ("walking-helps", "walking-helps-2")


def test_claim_ids_fold_accents_and_drop_letters_without_an_ascii_form() -> None:
    # Ids are written to claims files: "Müller" folds to "muller", while "ß" and "ø" are
    # dropped from their word, as extraction has always done, so re-extracting keeps ids.
    result = extract("Müller, Großmann and Møller agree [@adams2019].")
    assert result.claims.ids == ("muller-gromann-mller-agree",)


def test_every_format_is_found_by_its_names_and_suffixes() -> None:
    from evidence.extract.formats import READERS, reader_for_suffix, reader_named

    assert FORMATS[:4] == ("markdown", "plain", "rst", "latex")
    names = [name for reader in READERS for name in (reader.name, *reader.aliases)]
    suffixes = [suffix for reader in READERS for suffix in reader.suffixes]
    assert len(names) == len(set(names))
    assert len(suffixes) == len(set(suffixes))
    for reader in READERS:
        for name in (reader.name, *reader.aliases):
            assert reader_named(name.upper(), "<string>") is reader
        for suffix in reader.suffixes:
            assert reader_for_suffix(f"chapter{suffix.upper()}") is reader
    with pytest.raises(ArticleError, match="unknown article format 'pages'"):
        reader_named("pages", "<string>")


def test_locations_point_at_the_sentence_and_the_marker() -> None:
    text = "# Walking\n\nIntro text here.\nWalking helps a lot\nin older adults [@adams2019].\n"
    result = extract(text)
    (claim,) = result.claims
    assert claim.text == "Walking helps a lot in older adults."
    assert str(claim.location) == "<string>:4:1"
    assert str(result.markers[0].location) == "<string>:5:17"


def test_markdown_markup_is_undone_and_headings_are_not_claims() -> None:
    text = (
        "---\ntitle: Walking [@baker2020]\n---\n\n# Walking helps [@chen2018a]\n\n"
        "**Walking** helps *older* adults, as [a study](http://x.org) shows [@adams2019].\n\n"
        "```\ncode [@chen2018b]\n```\n\n| a | b [@dupont2015] |\n|---|---|\n"
    )
    result = extract(text, include_uncited=True)
    assert texts_of(result) == ["Walking helps older adults, as a study shows."]
    assert keys_of(result) == [["adams2019"]]


def test_an_author_year_bibliography_section_is_not_prose() -> None:
    text = (
        "Walking helps (Adams et al., 2019).\n\n## References\n\n"
        "Adams R, Baker T, Chen L (2019) Walking programmes. Spine 44:101.\n"
    )
    result = extract(text, include_uncited=True)
    assert texts_of(result) == ["Walking helps."]
    assert result.reference_list == ()


# --- the reference list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "listing",
    [
        "## References\n\n[1] Adams R. Walking programmes for chronic low back pain in older "
        "adults. Spine. 2019.\n",
        "Bibliography:\n1) Adams R. Walking programmes for chronic low back pain in older "
        "adults. Spine. 2019.\n",
        "References\n==========\n\n1 Adams R. Walking programmes for chronic low back pain in "
        "older adults. Spine. 2019.\n",
        "\n\n  1. 1.Adams R. Walking programmes for chronic low back pain in older adults. "
        "Spine. 2019.\n",
        "\n\n1. Adams R. Walking programmes for chronic low back pain\n   in older adults. "
        "Spine. 2019.\n",
    ],
)
def test_reference_list_forms(listing: str) -> None:
    result = extract("Walking helps [1].\n\n" + listing)
    assert [(r.number, r.key) for r in result.reference_list] == [(1, "adams2019")]
    assert keys_of(result) == [["adams2019"]]


def test_rst_footnote_list() -> None:
    text = (
        "Walking helps [1]_.\n\n.. [1] Adams R. Walking programmes for chronic low back pain "
        "in older adults. Spine. 2019;44:101-9.\n"
    )
    result = extract(text, "rst")
    assert keys_of(result) == [["adams2019"]]


def test_reference_numbers_listed_twice_are_reported() -> None:
    text = (
        "Walking helps [1].\n\nReferences\n\n1. Adams R. Walking programmes for chronic low "
        "back pain in older adults. Spine. 2019.\n1. Baker T. Night pain. 2020.\n"
    )
    result = extract(text)
    assert [p.code for p in result.problems] == ["duplicate-reference-number"]
    assert keys_of(result) == [["adams2019"]]


def test_parse_reference_line_vancouver_and_apa() -> None:
    vancouver = parse_reference_line(
        "van der Berg A, Dupont M. Heat wraps: a trial. BMJ. 2015 Mar 3;350(2):h1-9. "
        "doi:10.1136/bmj.h1. PMID: 25000000."
    )
    assert (vancouver.first_author, vancouver.initials) == ("van der Berg", "A")
    assert (vancouver.journal, vancouver.year, vancouver.volume, vancouver.first_page) == (
        "BMJ",
        2015,
        "350",
        "h1",
    )
    assert (vancouver.title, vancouver.doi, vancouver.pmid) == (
        "Heat wraps: a trial",
        "10.1136/bmj.h1",
        "25000000",
    )
    apa = parse_reference_line(
        "Katz, V., Schofferman, J., & Reynolds, J. (2003). The sacroiliac joint. "
        "Journal of Spinal Disorders, 16(1), 96\u201399."
    )
    assert (apa.first_author, apa.initials, apa.year) == ("Katz", "V", 2003)
    assert (apa.title, apa.journal, apa.volume, apa.first_page) == (
        "The sacroiliac joint",
        "Journal of Spinal Disorders",
        "16",
        "96",
    )


def listed(text: str) -> ListedReference:
    return parse_reference_line(text, 1)


def test_match_reference_by_identifiers_then_title() -> None:
    by_pmid = listed("Someone X. Unrelated words. 1999. PMID: 30000001")
    assert match_reference(by_pmid, BIB) == ("baker2020", "pmid")
    by_doi = listed("Someone X. Unrelated words. 1999. https://doi.org/10.1000/SPINE.2019.101")
    assert match_reference(by_doi, BIB) == ("adams2019", "doi")
    # 0.8 of the title's words with the year: a match even with the author misspelt.
    retyped = listed("Adamz R. Walking programs for chronic low back pain in older adults. 2019.")
    assert match_reference(retyped, BIB) == ("adams2019", "title")
    # Half the title is enough when author and year both agree...
    half = listed("Adams R. Walking programmes for back pain. Spine. 2019;44:101.")
    assert match_reference(half, BIB) == ("adams2019", "title")
    # ...but not with the year wrong.
    key, why = match_reference(listed("Adams R. Walking programmes for back pain. 2005."), BIB)
    assert key is None
    assert "closest: adams2019" in why


def test_match_reference_short_titles_and_ambiguity() -> None:
    key, _ = match_reference(listed("Chen L. Yoga and neck pain. 2018."), BIB)
    assert key == "chen2018a"
    twins = Bibliography(
        [
            Reference("a", "article", title="Walking and pain in older adults", year=2019),
            Reference("b", "article", title="Walking and pain in older adults", year=2019),
        ]
    )
    key, why = match_reference(listed("X Y. Walking and pain in older adults. 2019."), twins)
    assert key is None
    assert why == "ambiguous: matches a, b equally well"


def test_a_reference_list_against_a_large_real_bib_maps_each_entry_to_its_own_key() -> None:
    bib = load_references(shared_path("fixtures", "bib", "zotero_bbt_7166_pmid_large.bib"))
    chosen = [
        ref
        for ref in list(bib.values())[::97]
        if ref.first_author is not None and ref.year and len(ref.title.split()) >= 4
    ]
    lines = [
        f"{n}. {ref.first_author.last} {ref.first_author.initials or 'X'}. {ref.title}. "  # type: ignore[union-attr]
        f"Some J. {ref.year};1:1-2."
        for n, ref in enumerate(chosen, start=1)
    ]
    result = parse_article("Cited [1].\n\nReferences\n\n" + "\n".join(lines), references=bib)
    assert len(result.reference_list) == len(chosen) > 50
    wrong = [
        (entry.number, entry.key)
        for entry, ref in zip(result.reference_list, chosen, strict=True)
        if entry.key is not None and bib[entry.key].title != ref.title
    ]
    assert wrong == []
    mapped = sum(entry.key is not None for entry in result.reference_list)
    assert mapped >= 0.95 * len(chosen)


# --- files and formats ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "text", "expected_format"),
    [
        (".md", "Walking helps [@adams2019].\n", "markdown"),
        (".txt", "Walking helps [@adams2019].\n", "plain"),
        (".rst", "Walking helps :cite:`adams2019`.\n", "rst"),
        (".tex", "Walking helps \\cite{adams2019}.\n", "latex"),
    ],
)
def test_format_from_the_suffix(
    tmp_path: Path, suffix: str, text: str, expected_format: str
) -> None:
    path = tmp_path / f"article{suffix}"
    path.write_text(text, encoding="utf-8")
    for named in (path, str(path)):
        result = extract_claims(named, references=BIB)
        assert result.format == expected_format
        assert keys_of(result) == [["adams2019"]]
        assert result.claims.path == str(path)
        assert str(result.claims[0].location) == f"{path}:1:1"


def test_references_may_be_a_bib_path(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{k1, title={Walking}, year=2000}\n", encoding="utf-8")
    result = extract_claims("Walking helps [@k1] and [@k2].", references=bib)
    assert keys_of(result) == [["k1", "k2"]]
    assert [p.message for p in result.problems] == ["citation key 'k2' is not in the .bib"]


def test_unreadable_articles_raise_located_errors(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        extract_claims(tmp_path / "missing.md")
    with pytest.raises(ArticleError, match="no such file"):
        extract_claims("missing-article.md")
    odd = tmp_path / "article.pages"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(ArticleError, match="cannot tell the format"):
        extract_claims(odd)
    assert extract_claims(odd, format="plain").claims.path == str(odd)
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"Fine line.\nBad \xff byte.\n")
    with pytest.raises(ArticleError) as caught:
        extract_claims(bad)
    assert str(caught.value.location) == f"{bad}:2:5"
    with pytest.raises(ArticleError, match="unknown article format"):
        extract_claims("Walking.", format="docx")


def test_crlf_and_byte_order_mark_keep_lines_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_bytes("\ufeffIntro.\r\nWalking helps [@adams2019].\r\n".encode())
    result = extract_claims(path, references=BIB)
    assert str(result.claims[0].location) == f"{path}:2:1"


def test_written_claims_file_loads_back_unchanged(tmp_path: Path) -> None:
    text = (
        "Walking helps [@adams2019, p. 4]. Heat helps (van der Berg and Dupont 2015).\n"
        "Night pain: common\\cite{baker2020}. No source for this one [9].\n" + REFERENCE_LIST
    )
    result = extract(text, include_uncited=True)
    path = tmp_path / "claims.yaml"
    path.write_text(result.dump(), encoding="utf-8")
    assert load_claims(path) == result.claims
    assert any(c.note for c in result.claims)
    assert_round_trip(result)


# --- the command line ----------------------------------------------------------------------


def test_cli_extract_writes_a_claims_file(
    seed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "claims.yaml"
    code = main(
        ["extract", str(seed), "--bib", str(ROOT / "references.bib"), "-o", str(out), "--offline"]
    )
    assert code == 0
    claims = load_claims(out)
    assert [[c.key for c in claim.citations] for claim in claims] == [["liliang2011", "katz2003"]]
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "1 claim (1 with citations)" in captured.err
    assert "0 citations not mapped" in captured.err


def test_cli_extract_to_stdout_with_uncited_and_context(
    seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", str(seed), "--offline", "--with-uncited", "--context", "1"]) == 0
    captured = capsys.readouterr()
    claims = parse_claims(captured.out, "yaml")
    assert len(claims) > 5
    assert sum(bool(c.note) for c in claims) == 1  # the cited one: [1] and [2] not mapped
    assert f"{seed}:21:" in captured.err
    assert "not mapped" in captured.err


def test_cli_extract_resolves_through_pubmed_without_a_bib(
    seed: Path, server: NCBIServer, tmp_path: Path
) -> None:
    server.citations[("pain med", "2011", "12", "565")] = "21463470"
    server.citations[("j spinal disord tech", "2003", "16", "96")] = "12571491"
    out = tmp_path / "claims.json"
    code = main(
        [
            "-q",
            "extract",
            str(seed),
            "-o",
            str(out),
            "--eutils-url",
            server.url,
            "--email",
            "dev@example.org",
            "--no-cache",
        ]
    )
    assert code == 0
    (claim,) = load_claims(out)
    assert [c.key for c in claim.citations] == ["liliang2011", "katz2003"]


def test_cli_extract_unusable_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", str(tmp_path / "missing.md"), "--offline"]) == 2
    assert "missing.md: error: no such file" in capsys.readouterr().err
    article = tmp_path / "a.md"
    article.write_text("Walking helps [@k].\n", encoding="utf-8")
    assert main(["extract", str(article), "--offline", "--context", "-1"]) == 2
    assert not (tmp_path / "claims.yaml").exists()


# --- any text -----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "Walking helps",
        " pain",
        ". ",
        ".\n\n",
        "\n",
        " [1]",
        " [1-3]",
        "(2)",
        " 1,2",
        "\u00b9",
        " [@adams2019]",
        " @adams2019",
        " \\citep[p. 2]{baker2020}",
        " :cite:t:`chen2018a`",
        " (Adams et al., 2019)",
        " Chen (2018a)",
        " e.g.",
        " et al.",
        " 2.5",
        " 5 mg",
        " `code`",
        "```\n",
        "# ",
        "- ",
        "1. ",
        ".. ",
        "::\n\n   ",
        "$x$",
        "%",
        "References\n\n1. Adams R. Walking programmes. Spine. 2019;44:101.\n",
        "\u00e9",
        '"',
        "*",
        "_",
    ]
)


@given(
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=30).map("".join),
    st.sampled_from(["markdown", "plain", "rst", "latex"]),
    st.booleans(),
    st.integers(min_value=0, max_value=2),
)
def test_any_text_extracts_and_round_trips(
    text: str, fmt: str, include_uncited: bool, context: int
) -> None:
    result = parse_article(
        text, format=fmt, references=BIB, include_uncited=include_uncited, context=context
    )
    for claim in result.claims:
        assert claim.text == claim.text.strip() != ""
        assert claim.location is not None
        assert claim.location.line is not None
        assert 1 <= claim.location.line <= text.count("\n") + text.count("\r") + 1
        for citation in claim.citations:
            assert citation.stance is Stance.UNKNOWN
    marker_keys = {key for marker in result.markers for key in marker.keys}
    assert {c.key for claim in result.claims for c in claim.citations} <= marker_keys
    assert_round_trip(result)
