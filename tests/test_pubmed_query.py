"""Pure E-utilities request building: parameters, batching, DOI terms, ECitMatch lines."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from evidence.model import Name, Reference
from evidence.pubmed import query
from evidence.pubmed.query import CitationQuery


def test_efetch_params_are_a_comma_list_without_spaces() -> None:
    endpoint, params = query.efetch_params(["1", "22", "333"])
    assert endpoint == "efetch.fcgi"
    assert params == {"db": "pubmed", "retmode": "xml", "id": "1,22,333"}
    with pytest.raises(ValueError, match="at least one"):
        query.efetch_params([])


@pytest.mark.parametrize(
    ("count", "size", "sizes"),
    [(0, 200, []), (1, 200, [1]), (200, 200, [200]), (201, 200, [200, 1]), (450, 250, [250, 200])],
)
def test_batched_keeps_order_and_size(count: int, size: int, sizes: list[int]) -> None:
    items = [str(n) for n in range(count)]
    batches = list(query.batched(items, size))
    assert [len(b) for b in batches] == sizes
    assert [i for b in batches for i in b] == items


def test_batched_refuses_a_size_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(query.batched(["1"], 0))


def test_post_above_200_ids_or_a_long_query() -> None:
    ids = ",".join(str(10_000_000 + n) for n in range(200))
    assert not query.should_post({"id": ids}, 200)
    assert query.should_post({"id": ids}, 201)
    assert query.should_post({"term": "x" * 3000}, 0)


def test_doi_term_is_quoted_with_the_doi_tag() -> None:
    endpoint, params = query.esearch_doi_params("10.1111/j.1526-4637.2011.01087.x")
    assert endpoint == "esearch.fcgi"
    assert params["term"] == '"10.1111/j.1526-4637.2011.01087.x"[doi]'
    assert params["db"] == "pubmed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1056/NEJMoa1210384", "10.1056/nejmoa1210384"),
        (" doi:10.1056/x ", "10.1056/x"),
        ("https://doi.org/10.1056/x", "10.1056/x"),
        ("http://dx.doi.org/10.1056/x", "10.1056/x"),
        ("11.1056/x", None),
        ("10.1056", None),
        ('10.1056/"quoted"', None),
        ("10.1056/a b", None),
    ],
)
def test_normalise_doi(text: str, expected: str | None) -> None:
    assert query.normalise_doi(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123", "123"), (" 00123 ", "123"), ("0", None), ("", None), ("12a", None), ("١٢٣", None)],
)
def test_normalise_pmid(text: str, expected: str | None) -> None:
    assert query.normalise_pmid(text) == expected


def test_ecitmatch_line_is_lower_case_with_plus_for_spaces_and_six_pipes() -> None:
    line = query.ecitmatch_line(
        CitationQuery("Proc Natl Acad Sci U S A", 1991, "88", "3248", "Mann BJ"), "Art1"
    )
    assert line == "proc+natl+acad+sci+u+s+a|1991|88|3248|mann+bj|Art1|"


def test_ecitmatch_line_keeps_empty_fields_and_neutralises_separators() -> None:
    line = query.ecitmatch_line(CitationQuery(journal="A|B\r\nC", author="Zhu N"), "k1")
    assert line == "a+b+c||||zhu+n|k1|"
    assert line.count("|") == 6


def test_ecitmatch_params_join_lines_with_an_encoded_carriage_return() -> None:
    lines = [
        query.ecitmatch_line(CitationQuery("science", 1987, "235", "182", "palmenberg ac"), "Art2"),
        query.ecitmatch_line(CitationQuery("n engl j med", 2020, "382", "727", "zhu n"), "Art4"),
    ]
    endpoint, params = query.ecitmatch_params(lines)
    assert endpoint == "ecitmatch.cgi"
    text = query.encode_query({**params, "tool": "my tool", "email": "a@b.org"}, raw=["bdata"])
    assert text == (
        "db=pubmed&retmode=xml&bdata=science|1987|235|182|palmenberg+ac|Art2|"
        "%0Dn+engl+j+med|2020|382|727|zhu+n|Art4|&tool=my+tool&email=a%40b.org"
    )
    decoded = parse_qs(text)["bdata"][0]
    assert decoded.split("\r") == [
        "science|1987|235|182|palmenberg ac|Art2|",
        "n engl j med|2020|382|727|zhu n|Art4|",
    ]


def test_chunk_lines_respects_the_length_and_keeps_order() -> None:
    lines = [f"journal|2000|{n}|1|author|k{n}|" for n in range(100)]
    chunks = query.chunk_lines(lines, max_chars=300)
    assert [line for chunk in chunks for line in chunk] == lines
    assert all(len("%0D".join(chunk)) <= 300 for chunk in chunks)
    assert len(chunks) > 1
    assert query.chunk_lines(["x" * 500], max_chars=300) == [["x" * 500]]


def test_citation_query_from_a_reference() -> None:
    reference = Reference(
        key="liliang2011",
        entry_type="article",
        authors=(Name("Liliang", "Po-Chou"), Name("Lu", "Kang")),
        year=2011,
        journal="Pain Medicine",
        volume="12",
        pages="565--570",
    )
    assert CitationQuery.from_reference(reference) == CitationQuery(
        "Pain Medicine", 2011, "12", "565", "Liliang PC"
    )
