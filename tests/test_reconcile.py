"""Reconciling .bib entries with PubMed records."""

from __future__ import annotations

from evidence.assess.reconcile import reconcile
from evidence.model import Name, PubMedRecord, Reference

RECORD = PubMedRecord(
    pmid="21463470",
    title="Sacroiliac joint pain after lumbar and lumbosacral fusion: findings using dual "
    "sacroiliac joint blocks.",
    authors=(Name("Liliang", "Po-Chou"), Name("Lu", "Kang")),
    journal="Pain medicine (Malden, Mass.)",
    journal_abbrev="Pain Med",
    year=2011,
    doi="10.1111/j.1526-4637.2011.01087.x",
)


def bib(**kw: object) -> Reference:
    base: dict[str, object] = {
        "title": "Sacroiliac Joint Pain after Lumbar and Lumbosacral Fusion: Findings Using "
        "Dual Sacroiliac Joint Blocks",
        "authors": (Name("Liliang", "P. C."),),
        "journal": "Pain Medicine",
        "year": 2011,
        "doi": "10.1111/J.1526-4637.2011.01087.X",
    }
    base.update(kw)
    return Reference("liliang2011", "article", **base)  # type: ignore[arg-type]


def test_agreeing_entry_has_no_mismatch_despite_case_and_punctuation() -> None:
    assert reconcile(bib(), RECORD) == ()
    assert reconcile(bib(journal="Pain Med"), RECORD) == ()


def test_each_identifying_field_is_compared() -> None:
    wrong = bib(
        title="Another paper",
        year=2010,
        journal="Spine",
        authors=(Name("Katz", "V"),),
        doi="10.1/other",
    )
    fields = [m.field for m in reconcile(wrong, RECORD)]
    assert fields == ["title", "year", "journal", "first author", "doi"]
    text = str(reconcile(bib(year=2010), RECORD)[0])
    assert text == "year: .bib has '2010', PubMed has '2011'"


def test_missing_fields_are_not_disagreements() -> None:
    bare = Reference("x", "article", year=2011)
    assert reconcile(bare, RECORD) == ()


def test_accented_surnames_match_their_plain_spelling() -> None:
    record = PubMedRecord(pmid="1", title="T", authors=(Name("Müller", "A"),))
    assert (
        reconcile(Reference("x", "article", title="T", authors=(Name("Muller", "A"),)), record)
        == ()
    )
