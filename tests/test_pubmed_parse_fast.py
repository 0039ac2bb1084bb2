"""Differential tests: the quick EFetch parser against the parser it replaced.

``pubmed_oracle_efetch`` and ``pubmed_oracle_xml`` (beside this file) are
``evidence/pubmed/efetch.py`` and ``xml.py`` as they were before the quick path (C parser,
articles taken from under the root, a cheaper ``flatten_text``). Every real EFetch fixture,
a long body cycling through all of them, bodies edited so that the quick path must step
aside, and random texts must give the same records, or the same error, both ways.
"""

from __future__ import annotations

import random
import re
from xml.etree.ElementTree import fromstring

import pubmed_oracle_efetch as oracle
import pubmed_oracle_xml as oracle_xml
import pytest
from conftest import FIXTURES, shared_path

from evidence.errors import PubMedResponseError
from evidence.model import PubMedRecord
from evidence.pubmed import efetch, flatten_text, parse_efetch
from evidence.pubmed.xml import NotFlat

EFETCH_FIXTURES = sorted(p.name for p in (FIXTURES / "pubmed").glob("efetch_*.xml"))
ARTICLE = re.compile(
    rb"<PubmedArticle>.*?</PubmedArticle>|<PubmedBookArticle>.*?</PubmedBookArticle>", re.S
)


def fixture(name: str) -> bytes:
    return shared_path("fixtures", "pubmed", name).read_bytes()


def outcome(parse: object, body: bytes | str) -> tuple[object, ...]:
    """What a parser gives for ``body``: its records, or its error in full."""
    try:
        records: list[PubMedRecord] = parse(body, source="body.xml")  # type: ignore[operator]
    except PubMedResponseError as error:
        problems = [(str(p.location), p.message, p.code) for p in error.problems]
        return ("error", error.message, str(error.location), problems)
    return ("records", records)


def assert_same(body: bytes | str) -> tuple[object, ...]:
    new, old = outcome(parse_efetch, body), outcome(oracle.parse_efetch, body)
    assert new == old
    return new


def all_articles() -> list[bytes]:
    found: list[bytes] = []
    for name in EFETCH_FIXTURES:
        found += ARTICLE.findall(fixture(name))
    return found


def article_set(articles: list[bytes], head: bytes = b'<?xml version="1.0" ?>\n') -> bytes:
    return head + b"<PubmedArticleSet>\n" + b"\n".join(articles) + b"\n</PubmedArticleSet>\n"


@pytest.mark.parametrize("name", EFETCH_FIXTURES)
def test_every_fixture_reads_the_same_both_ways(name: str) -> None:
    body = fixture(name)
    result = assert_same(body)
    assert result[0] == "records"
    assert_same(body.decode("utf-8"))
    # ... and the quick path is the one that read it (it did not step aside).
    assert efetch._parse_flat(body, "body.xml") == result[1]


def test_a_long_body_of_every_article_reads_the_same() -> None:
    articles = all_articles()
    assert len(articles) >= 10
    # Larger than the 1 MiB pieces the body is fed in, so articles straddle the pieces.
    body = article_set([articles[i % len(articles)] for i in range(300)])
    assert len(body) > 3 * (1 << 20)
    new = assert_same(body)
    assert len(new[1]) == 300  # type: ignore[arg-type]


def test_a_body_cut_at_every_piece_boundary_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small pieces put piece boundaries inside tags, texts and between articles.
    monkeypatch.setattr("evidence.pubmed.xml.CHUNK", 97)
    monkeypatch.setattr("evidence.pubmed.xml.FLAT_CHUNK", 89)
    body = article_set(all_articles())
    assert assert_same(body)[0] == "records"


ERROR = b"<ERROR>Something went wrong</ERROR>"


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda b: b.replace(b"<PubmedArticleSet>", b"<PubmedArticleSet>" + ERROR, 1),
            id="error-first",
        ),
        pytest.param(
            lambda b: b.replace(b"</MedlineCitation>", ERROR + b"</MedlineCitation>", 1),
            id="error-inside-article",
        ),
        pytest.param(
            lambda b: b.replace(
                b"</PubmedArticleSet>", b"<Other>" + ERROR + b"</Other></PubmedArticleSet>"
            ),
            id="error-inside-other",
        ),
        pytest.param(
            lambda b: b.replace(
                b"</PubmedData>", b"<Extra>" + ARTICLE.findall(b)[0] + b"</Extra></PubmedData>", 1
            ),
            id="article-inside-article",
        ),
        pytest.param(
            lambda b: re.sub(rb"<PMID Version=\"1\">\d+</PMID>", b"", b, count=1),
            id="article-without-pmid",
        ),
        pytest.param(
            lambda b: b.replace(b"<MedlineCitation ", b"<Nothing ", 1).replace(
                b"</MedlineCitation>", b"</Nothing>", 1
            ),
            id="article-without-citation",
        ),
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b.replace(b"PubmedArticleSet>", b"eFetchResult>"), id="other-root"),
        pytest.param(
            lambda b: b.replace(
                b"<PubmedArticleSet>",
                b'<!DOCTYPE PubmedArticleSet [<!ENTITY e "x">]>\n<PubmedArticleSet>',
                1,
            ),
            id="entity-declared",
        ),
        pytest.param(
            lambda b: b.replace(b"<ArticleTitle>", b"<ArticleTitle>&nbsp;", 1),
            id="undefined-entity",
        ),
        pytest.param(
            lambda b: b.replace(b"<ArticleTitle>", b"<ArticleTitle><![CDATA[<PubmedArticle>]]>", 1),
            id="article-tag-in-cdata",
        ),
        pytest.param(
            lambda b: (
                b"\n\n"
                + b.replace(b'<?xml version="1.0" ?>', b'<?xml version="1.0" encoding="UTF-8"?>')
            ),
            id="declared-utf8",
        ),
        pytest.param(
            lambda b: (
                b.decode("utf-8")
                .replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>')
                .encode("utf-16")
            ),
            id="utf16",
        ),
        pytest.param(lambda b: b"", id="empty"),
    ],
)
def test_unusual_bodies_give_the_same_records_or_the_same_error(edit: object) -> None:
    original = article_set(all_articles())
    body = edit(original)  # type: ignore[operator]
    assert body != original  # the edit applies to these fixtures
    assert_same(body)


def test_the_quick_path_steps_aside_for_what_it_cannot_vouch_for() -> None:
    body = article_set(all_articles()[:2])
    with pytest.raises(NotFlat):
        efetch._parse_flat(body.replace(b"<PubmedArticleSet>", b"<PubmedArticleSet>" + ERROR), "x")
    with pytest.raises(NotFlat):  # entity declarations never reach the C parser
        efetch._parse_flat(b'<!DOCTYPE a [<!ENTITY e "x">]><PubmedArticleSet/>', "x")
    with pytest.raises(NotFlat):
        efetch._parse_flat(body.decode().encode("utf-16"), "x")
    assert efetch._parse_flat(body, "x") == oracle.parse_efetch(body)


def test_flatten_text_matches_the_old_one_on_random_texts() -> None:
    pieces = [
        "a",
        "b",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\u00a0",
        "\u2009",
        "x y",
        "<i>i</i>",
        "&amp;",
    ]
    rng = random.Random(16)
    for _ in range(3000):
        inner = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        tail = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        element = fromstring(
            f"<t>{inner}<b>{tail}</b>{inner}</t>" if rng.random() < 0.3 else f"<t>{inner}</t>"
        )
        assert flatten_text(element) == oracle_xml.flatten_text(element), repr(inner)
