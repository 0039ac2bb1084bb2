"""Hostile and large inputs: long digit runs, big reference numbers, repeated sentences."""

from __future__ import annotations

from evidence import extract_claims
from evidence.extract.ids import slug


def _numbered_list(count: int) -> str:
    return "# References\n\n" + "".join(
        f"{n}. Author{n} A. A study number {n}. J Pain. {1990 + n % 30};1:{n}.\n"
        for n in range(1, count + 1)
    )


def test_a_superscript_run_past_the_int_limit_is_text() -> None:
    # 4,301 superscript digits once made int() raise a bare ValueError.
    result = extract_claims("Pain" + "\u00b9" * 4301 + ".")
    assert result.census["found"] == 0
    assert [p.code for p in result.problems] == ["no-claims"]


def test_numbers_above_999_that_the_list_holds_are_markers() -> None:
    text = "Exercise helps pain [4157]. Rest does too [772,2996].\n\n" + _numbered_list(4199)
    result = extract_claims(text)
    assert [m.cited for m in result.markers] == [("4157",), ("772", "2996")]
    assert result.census["listed"] == 4199
    # A year in brackets is still not a citation when the list is shorter.
    short = extract_claims("Walking was studied [2003].\n\n" + _numbered_list(10))
    assert short.census["found"] == 0


def test_repeated_texts_get_distinct_ids_without_retrying_each_number() -> None:
    taken: set[str] = set()
    counters: dict[str, int] = {}
    ids = []
    for _ in range(5):
        claim_id = slug("Pain is common after fusion.", taken, counters)
        taken.add(claim_id)
        ids.append(claim_id)
    assert ids == [
        "pain-common-fusion",
        "pain-common-fusion-2",
        "pain-common-fusion-3",
        "pain-common-fusion-4",
        "pain-common-fusion-5",
    ]
    assert counters["pain-common-fusion"] == 6
