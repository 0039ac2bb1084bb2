"""build_table: rows, columns, remarks, numbering, and the DataFrame types."""

from __future__ import annotations

import pandas as pd

from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import Citation, Claim, Name, Reference, Stance
from evidence.table import CLAIM_COLUMNS, EVIDENCE_COLUMNS, build_table


def ref(key: str, last: str, year: int, **kw: object) -> Reference:
    return Reference(key, "article", authors=(Name(last, "A"),), year=year, **kw)  # type: ignore[arg-type]


REFS = {
    "liliang2011": ref("liliang2011", "Liliang", 2011, pmid="21463470", title="SIJ pain"),
    "katz2003": ref("katz2003", "Katz", 2003, pmid="12571491"),
    "smith2020a": ref("smith2020a", "Smith", 2020),
    "smith2020b": ref("smith2020b", "Smith", 2020),
}
HERE = SourceLocation("claims.yaml", 1)


def test_columns_and_one_row_per_claim_and_citation() -> None:
    claims = [
        Claim("c1", "x", (Citation("liliang2011", n=52, events=21), Citation("katz2003", n=34))),
        Claim("c2", "y"),
    ]
    table = build_table(claims, REFS)
    assert tuple(table.claims.columns) == CLAIM_COLUMNS
    assert tuple(table.evidence.columns) == EVIDENCE_COLUMNS
    assert list(table.claims["id"]) == ["c1", "c2"]
    assert len(table.evidence) == 2
    row = table.claims.iloc[0]
    assert row["supported_by"] == ("liliang2011", "katz2003")
    assert row["studies"] == 2
    assert row["participants"] == 86
    assert table.evidence.loc[0, "proportion"] == 21 / 52
    assert table.claims.iloc[1]["verdict"] == "uncited"


def test_references_numbered_in_order_of_first_citation() -> None:
    claims = [
        Claim("c1", "x", (Citation("katz2003"),)),
        Claim("c2", "y", (Citation("liliang2011"), Citation("katz2003"))),
    ]
    table = build_table(claims, REFS)
    assert [r.key for r in table.references] == ["katz2003", "liliang2011"]
    assert list(table.evidence["ref_number"]) == [1, 2, 1]


def test_same_author_and_year_get_letters() -> None:
    claims = [Claim("c1", "x", (Citation("smith2020a"), Citation("smith2020b")))]
    table = build_table(claims, REFS)
    assert list(table.evidence["study"]) == ["Smith 2020a", "Smith 2020b"]


def test_remarks_locate_uncited_claims_and_unknown_keys() -> None:
    at = SourceLocation("claims.yaml", 7)
    claims = [
        Claim("c1", "x", location=HERE),
        Claim("c2", "y", (Citation("nobody1999", location=at),), location=HERE),
    ]
    table = build_table(claims, REFS)
    by_code = {p.code: p for p in table.remarks}
    assert str(by_code["uncited"]).startswith("claims.yaml:1: warning: claim 'c1'")
    assert str(by_code["unknown-key"]).startswith("claims.yaml:7: error: claim 'c2'")
    assert "nobody1999" in by_code["unknown-key"].message
    assert table.claims.iloc[1]["verdict"] == "unresolved"


def test_key_in_other_case_is_found_with_a_warning() -> None:
    claims = [Claim("c1", "x", (Citation("Katz2003", Stance.SUPPORTS),), location=HERE)]
    table = build_table(claims, REFS)
    assert table.claims.iloc[0]["verdict"] == "supported"
    assert table.claims.iloc[0]["supported_by"] == ("katz2003",)
    assert [p.code for p in table.remarks] == ["key-case"]


def test_excluded_study_is_remarked_and_not_counted() -> None:
    claims = [Claim("c1", "x", (Citation("katz2003", n=34),), location=HERE)]
    table = build_table(claims, REFS, excluded={"katz2003": "retracted"})
    assert table.claims.iloc[0]["verdict"] == "insufficient"
    assert pd.isna(table.claims.iloc[0]["participants"])
    assert any(p.code == "excluded" and "retracted" in p.message for p in table.remarks)


def test_input_problems_are_carried_over() -> None:
    class Bib(dict[str, Reference]):
        problems = (Problem(SourceLocation("r.bib", 3), "empty key", code="empty-key"),)

    table = build_table([], Bib(REFS))
    assert [p.code for p in table.input_problems] == ["empty-key"]
    assert table.input_problems[0].severity is Severity.ERROR


def test_repr_and_html_repr() -> None:
    table = build_table([Claim("c1", "x", (Citation("katz2003"),))], REFS)
    assert "1 claims (1 supported)" in repr(table)
    assert table._repr_html_().startswith('<div class="evidence-table')
