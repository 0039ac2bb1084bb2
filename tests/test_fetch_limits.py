"""Limits a hostile or broken answer must not break: markup nested thousands deep, and a
server that trickles its answer (issue 12)."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

from evidence.pubmed import parse_efetch
from evidence.pubmed.xml import flatten_text

MATHML = "http://www.w3.org/1998/Math/MathML"


def test_inline_markup_nested_2000_deep_is_flattened_not_a_recursion_error() -> None:
    deep = "<i>" * 2000 + "Nested" + "</i>" * 2000
    assert flatten_text(fromstring(f"<t>A {deep} title</t>")) == "A Nested title"


def test_mathml_nested_3000_deep_is_flattened() -> None:
    rows = f'<m:mrow xmlns:m="{MATHML}">' * 3000 + "<m:mi>x</m:mi>" + "</m:mrow>" * 3000
    assert flatten_text(fromstring(f"<t>a {rows} b</t>")) == "a x b"


def test_a_record_whose_title_is_nested_2000_deep_parses() -> None:
    deep = "<i>" * 2000 + "Deeply" + "</i>" * 2000
    body = (
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>123</PMID><Article>"
        f"<ArticleTitle>{deep} nested title.</ArticleTitle>"
        "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    (record,) = parse_efetch(body.encode())
    assert record.pmid == "123"
    assert record.title == "Deeply nested title."
