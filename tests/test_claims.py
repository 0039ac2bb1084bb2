"""Claims files: reading YAML, JSON and CSV, located problems, and writing them back."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.claims import FORMATS, ClaimSet, dump_claims, load_claims, parse_claims
from evidence.errors import ClaimFileError, Problem, Severity
from evidence.model import (
    Certainty,
    CertaintyJudgement,
    Citation,
    Claim,
    RiskOfBias,
    Stance,
)

DATA = Path(__file__).parent / "data" / "claims"

# A valid claim (3 lines) and one with a valid citation (6 lines), to append to.
_CLAIM = "claims:\n  - id: a\n    text: t\n"
_CITED = _CLAIM + "    citations:\n      - key: k\n        stance: supports\n"


def doc(text: str) -> str:
    """Dedent a YAML/JSON/CSV snippet written inline in a test."""
    return textwrap.dedent(text).lstrip("\n")


def failure(text: str, fmt: str = "yaml", source: str = "claims.yaml") -> ClaimFileError:
    with pytest.raises(ClaimFileError) as info:
        parse_claims(text, fmt, source=source)
    return info.value


def errors(text: str, fmt: str = "yaml", source: str = "claims.yaml") -> list[Problem]:
    return [p for p in failure(text, fmt, source).problems if p.severity is Severity.ERROR]


def only_error(text: str, fmt: str = "yaml", source: str = "claims.yaml") -> str:
    found = errors(text, fmt, source)
    assert len(found) == 1, [str(p) for p in found]
    return str(found[0])


# --- the example files -----------------------------------------------------------------


def test_the_three_example_files_hold_equal_claims() -> None:
    from_yaml = load_claims(DATA / "example.yaml")
    from_json = load_claims(DATA / "example.json")
    from_csv = load_claims(DATA / "example.csv")
    assert from_yaml == from_json == from_csv
    assert from_yaml.problems == from_json.problems == from_csv.problems == ()
    assert [c.location.path for c in (from_yaml[0], from_json[0], from_csv[0]) if c.location] == [
        str(DATA / "example.yaml"),
        str(DATA / "example.json"),
        str(DATA / "example.csv"),
    ]


def test_example_values_come_through_as_written() -> None:
    claims = load_claims(DATA / "example.yaml")
    assert claims.ids == ("sij-after-fusion", "2", "012")
    first = claims.by_id("sij-after-fusion")
    assert first.text == (
        "After a lumbar or lumbosacral fusion, the sacroiliac joint is a frequent "
        "source of the low back pain that remains."
    )
    assert first.tags == ("diagnosis", "fusion")
    assert first.certainty == CertaintyJudgement(
        Certainty.VERY_LOW, "two small studies without a control group"
    )
    liliang, katz = first.citations
    assert (liliang.key, liliang.stance, liliang.n, liliang.events) == (
        "liliang2011",
        Stance.SUPPORTS,
        52,
        21,
    )
    assert liliang.design == "prospective-cohort"
    assert liliang.risk_of_bias is RiskOfBias.SOME_CONCERNS
    assert katz.design == "retrospective-cohort"
    assert katz.note == "a retrospective chart review"
    # the bare-key shorthand is a citation nobody has reviewed yet
    assert claims.by_id("2").citations == (Citation("katz2003", Stance.UNKNOWN),)
    uncited = claims.by_id("012")
    assert (uncited.text, uncited.citations) == ("no", ())


def test_locations_are_the_lines_where_records_start() -> None:
    claims = load_claims(DATA / "example.yaml")
    assert [c.location.line for c in claims if c.location] == [6, 33, 37]
    assert [c.location.line for c in claims[0].citations if c.location] == [15, 24]
    csv_claims = load_claims(DATA / "example.csv")
    assert [c.location.line for c in csv_claims if c.location] == [2, 4, 5]
    assert [c.location.line for c in csv_claims[0].citations if c.location] == [2, 3]


# --- YAML: values as typed, and safety ------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["012", "no", "Yes", "off", "1e3", "2020-01-01", "1_000", "0x1F", "3.10", "12:30", "="],
)
def test_yaml_ids_and_text_are_the_strings_the_user_typed(typed: str) -> None:
    claims = parse_claims(f"claims:\n  - id: {typed}\n    text: {typed}\n", "yaml")
    assert (claims[0].id, claims[0].text) == (typed, typed)


def test_yaml_counts_are_decimal_even_with_a_leading_zero() -> None:
    text = (
        "claims:\n  - id: a\n    text: t\n    citations:\n      - {key: k, stance: mixed, n: 012}\n"
    )
    assert parse_claims(text, "yaml")[0].citations[0].n == 12


@pytest.mark.parametrize(
    ("typed", "count"), [("34", 34), ('"34"', 34), ("+3", 3), ("0", 0), ("20.0", 20), ("1e2", 100)]
)
def test_whole_numbers_are_accepted_in_any_decimal_spelling(typed: str, count: int) -> None:
    text = _CLAIM + f"    citations:\n      - {{key: k, stance: supports, n: {typed}}}\n"
    assert parse_claims(text, "yaml")[0].citations[0].n == count


def test_yaml_never_constructs_python_objects(tmp_path: Path) -> None:
    target = tmp_path / "created-by-yaml"
    text = doc(
        f"""
        claims:
          - id: a
            text: !!python/object/apply:os.mkdir ["{target}"]
        """
    )
    problem = str(errors(text)[0])
    assert problem == (
        "claims.yaml:3: error: the YAML tag '!!python/object/apply:os.mkdir' is not allowed "
        "in a claims file"
    )
    assert not target.exists()


def test_yaml_merge_keys_are_refused_with_a_reason() -> None:
    text = doc(
        """
        defaults: &d {stance: supports}
        claims:
          - id: a
            text: t
            citations:
              - <<: *d
                key: k
        """
    )
    found = [str(p) for p in errors(text)]
    assert found[0].startswith("claims.yaml:6: error: YAML merge keys")
    # without the merged fields the stance is missing too, and that is said as well
    assert any("has no stance" in p for p in found)


def test_a_self_referring_alias_ends_with_an_error() -> None:
    text = "claims:\n  - id: a\n    text: t\n    tags: &t [x, *t]\n"
    assert only_error(text).startswith("claims.yaml:4: error: a tag of claim 'a' must be text")


def test_text_is_stripped_but_keeps_inner_line_breaks() -> None:
    text = doc(
        """
        claims:
          - id: a
            text: |
              First line.
                Indented second line.
        """
    )
    assert parse_claims(text, "yaml")[0].text == "First line.\n  Indented second line."


# --- one located error per mistake (YAML) ---------------------------------------------


YAML_ERRORS = [
    pytest.param(
        "claims:\n  - id: a\n    text: Pain: common\n",
        3,
        "a value that contains ': ' must be quoted",
        id="syntax-colon",
    ),
    pytest.param(
        "claims:\n  - id: a\n    text: @k\n", 3, "quote values that start with @", id="at"
    ),
    pytest.param("- id: a\n  text: t\n", 1, "the top level must be a mapping", id="top-list"),
    pytest.param("just words\n", 1, "the top level must be a mapping", id="top-scalar"),
    pytest.param("title: x\nclams: []\n", 1, "(is 'clams' at line 2 a typo?)", id="no-claims"),
    pytest.param("claims: {id: a}\n", 1, "'claims' must be a list of claims", id="claims-map"),
    pytest.param("claims:\n  - just text\n", 2, "claim 1 must be a mapping", id="claim-scalar"),
    pytest.param("claims:\n  - text: t\n", 2, "claim 1 has no 'id'", id="no-id"),
    pytest.param("claims:\n  - id: a\n", 2, "claim 'a' has no 'text'", id="no-text"),
    pytest.param(
        "claims:\n  - id: a\n    text: ''\n", 3, "'text' of claim 'a' is empty", id="empty"
    ),
    pytest.param(
        "claims:\n  - id: [a]\n    text: t\n", 2, "must be text, not a list", id="id-list"
    ),
    pytest.param(_CLAIM + "    tags: pain\n", 4, "tags of claim 'a' must be a list", id="tags"),
    pytest.param(_CLAIM + "    tags: [a;b]\n", 4, "contains ';'", id="tag-semicolon"),
    pytest.param(_CLAIM + "    note: [x]\n", 4, "note of claim 'a' must be text", id="note"),
    pytest.param(
        _CLAIM + "    citations: k\n", 4, "citations of claim 'a' must be a list", id="cit"
    ),
    pytest.param(_CLAIM + "    citations: [[k]]\n", 4, "must be a key or a mapping", id="cit-list"),
    pytest.param(_CLAIM + "    citations: ['']\n", 4, "has an empty citation", id="cit-empty"),
    pytest.param(
        _CLAIM + "    citations:\n      - stance: supports\n", 5, "has no 'key'", id="no-key"
    ),
    pytest.param(
        _CLAIM + "    citations:\n      - key: k\n",
        5,
        "citation 'k' of claim 'a' has no stance; write one of: supports, contradicts, mixed, "
        "background, unknown",
        id="no-stance",
    ),
    pytest.param(
        _CLAIM + "    citations:\n      - key: k\n        stance: suports\n",
        6,
        "unknown stance 'suports' in citation 'k' of claim 'a'; use one of: supports, "
        "contradicts, mixed, background, unknown (did you mean 'supports'?)",
        id="bad-stance",
    ),
    pytest.param(
        _CITED + "        n: many\n", 7, "must be a whole number, not 'many'", id="n-word"
    ),
    pytest.param(_CITED + "        n: -3\n", 7, "cannot be negative (-3)", id="n-negative"),
    pytest.param(_CITED + "        n: 2.5\n", 7, "not a fraction (2.5)", id="n-fraction"),
    pytest.param(_CITED + "        n: yes\n", 7, "must be a whole number, not 'yes'", id="n-bool"),
    pytest.param(_CITED + "        n: [1]\n", 7, "must be a number, not a list", id="n-list"),
    pytest.param(_CITED + "        events: 1e99\n", 7, "implausibly large", id="huge"),
    pytest.param(
        _CITED + "        n: 10\n        events: 12\n",
        8,
        "events (12) cannot exceed n (10)",
        id="events-over-n",
    ),
    pytest.param(
        _CITED + "        design: anecdote\n", 7, "unknown study design 'anecdote'", id="design"
    ),
    pytest.param(
        _CITED + "        risk_of_bias: moderate\n",
        7,
        "unknown risk of bias 'moderate' in citation 'k' of claim 'a'; use one of: low, "
        "some concerns, high",
        id="risk",
    ),
    pytest.param(
        _CLAIM + "    certainty: low\n",
        4,
        "needs a reason as well as a level: write certainty: {level: low, reason: ...}",
        id="certainty-scalar",
    ),
    pytest.param(
        _CLAIM + "    certainty:\n      level: low\n",
        5,
        "the certainty of claim 'a' has no reason; a GRADE judgement must say why",
        id="certainty-no-reason",
    ),
    pytest.param(
        _CLAIM + "    certainty:\n      level: lowish\n      reason: r\n",
        5,
        "unknown certainty level 'lowish'",
        id="certainty-level",
    ),
    pytest.param(
        _CLAIM + "    text: again\n",
        4,
        "the field 'text' appears twice in this claim (first at line 3)",
        id="duplicate-field",
    ),
    pytest.param("version: 2\n" + _CLAIM, 1, "this library reads version 1", id="version"),
    pytest.param("", None, "the file is empty", id="empty-file"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), YAML_ERRORS)
def test_each_yaml_mistake_is_one_located_error(text: str, line: int | None, fragment: str) -> None:
    problem = only_error(text)
    # syntax errors add the column: claims.yaml:3:15
    where = "claims.yaml" if line is None else rf"claims\.yaml:{line}(:\d+)?"
    assert re.match(f"{where}: error: ", problem), problem
    assert fragment in problem


def test_yaml_syntax_errors_give_line_and_column() -> None:
    (problem,) = errors("claims:\n  - id: a\n    text: 'open\n")
    assert problem.location.line == 4
    assert problem.location.column is not None
    assert problem.code == "syntax"


def test_duplicate_ids_name_both_lines() -> None:
    text = doc(
        """
        claims:
          - id: sij
            text: one
          - id: other
            text: two
          - id: sij
            text: three
        """
    )
    assert only_error(text) == (
        "claims.yaml:6: error: duplicate claim id 'sij' (first defined at line 2); "
        "ids must be unique"
    )


def test_a_duplicate_id_is_reported_even_when_that_claim_has_other_errors() -> None:
    text = "claims:\n  - id: 7\n    text: t\n  - id: 7\n"
    found = sorted(str(p) for p in errors(text))
    assert found == [
        "claims.yaml:4: error: claim '7' has no 'text'",
        "claims.yaml:4: error: duplicate claim id '7' (first defined at line 2); "
        "ids must be unique",
    ]


def test_three_different_errors_are_reported_at_once() -> None:
    text = doc(
        """
        claims:
          - id: a
            text: first
            citations:
              - key: katz2003
                stance: proves
          - id: b
            text: second
            citations:
              - key: liliang2011
                stance: supports
                n: 20
                events: 21
          - id: a
            text: third
        """
    )
    error = failure(text)
    found = [p for p in error.problems if p.severity is Severity.ERROR]
    assert [(p.location.line, p.code) for p in found] == [
        (6, "bad-value"),
        (13, "events-exceed-n"),
        (14, "duplicate-id"),
    ]
    lines = str(error).splitlines()
    assert lines[0] == "claims.yaml: cannot load claims: 3 errors"
    assert [line.split(": error: ")[0] for line in lines[1:]] == [
        "claims.yaml:6",
        "claims.yaml:13",
        "claims.yaml:14",
    ]


# --- warnings --------------------------------------------------------------------------


def test_an_unknown_field_is_a_warning_with_a_suggestion() -> None:
    text = doc(
        """
        claims:
          - id: a
            text: t
            reviewer: JS
            citations:
              - key: k
                stance: supports
                evnts: 3
        """
    )
    claims = parse_claims(text, "yaml", source="claims.yaml")
    assert [str(p) for p in claims.problems] == [
        "claims.yaml:4: warning: unknown field 'reviewer' in claim",
        "claims.yaml:8: warning: unknown field 'evnts' in citation (did you mean 'events'?)",
    ]
    assert claims[0].citations[0].events is None


def test_a_typo_that_hides_a_required_field_fails_and_names_the_typo() -> None:
    text = _CLAIM + "    citations:\n      - key: katz2003\n        stnace: supports\n"
    error = failure(text)
    assert [str(p) for p in error.problems] == [
        "claims.yaml:5: error: citation 'katz2003' of claim 'a' has no stance (is 'stnace' at "
        "line 6 a typo?); write one of: supports, contradicts, mixed, background, unknown "
        "(unknown = not yet reviewed)",
        "claims.yaml:6: warning: unknown field 'stnace' in citation (did you mean 'stance'?)",
    ]


def test_a_field_at_the_wrong_level_says_where_it_belongs() -> None:
    claims = parse_claims(_CLAIM + "    stance: supports\n", "yaml", source="claims.yaml")
    (problem,) = claims.problems
    assert str(problem) == (
        "claims.yaml:4: warning: unknown field 'stance' in claim ('stance' belongs in a "
        "citation; check the indentation)"
    )


def test_an_empty_claims_list_loads_with_a_warning() -> None:
    claims = parse_claims("claims: []\n", "yaml", source="c.yaml")
    assert len(claims) == 0
    assert [p.code for p in claims.problems] == ["no-claims"]


def test_the_same_citation_twice_is_a_warning() -> None:
    text = _CLAIM + "    citations:\n      - katz2003\n      - katz2003\n"
    claims = parse_claims(text, "yaml", source="claims.yaml")
    assert len(claims[0].citations) == 2
    assert [str(p) for p in claims.problems] == [
        "claims.yaml:6: warning: claim 'a' cites 'katz2003' twice with the same details "
        "(same as line 5); it would be counted twice"
    ]


def test_field_names_forgive_case_spaces_and_hyphens() -> None:
    text = (
        _CLAIM
        + "    Citations:\n      - Key: k\n        Stance: mixed\n        Risk of bias: low\n"
    )
    citation = parse_claims(text, "yaml")[0].citations[0]
    assert (citation.stance, citation.risk_of_bias) == (Stance.MIXED, RiskOfBias.LOW)


def test_design_accepts_labels_and_us_spelling() -> None:
    base = _CLAIM + "    citations:\n      - key: k\n        stance: supports\n        design: "
    designs = [
        parse_claims(base + typed + "\n", "yaml")[0].citations[0].design
        for typed in ("randomized trial", "Randomised-Trial", "systematic review / meta-analysis")
    ]
    assert designs == ["randomised-trial", "randomised-trial", "systematic-review"]


# --- JSON ------------------------------------------------------------------------------


def test_json_syntax_errors_report_json_line_and_column() -> None:
    text = '{\n  "claims": [\n    {"id": 1 "text": "x"}\n  ]\n}\n'
    with pytest.raises(json.JSONDecodeError) as stdlib:
        json.loads(text)
    (problem,) = errors(text, "json", "claims.json")
    assert (stdlib.value.lineno, stdlib.value.colno) == (3, 14)
    assert str(problem) == "claims.json:3:14: error: invalid JSON: Expecting ',' delimiter"


def test_json_semantic_errors_give_node_lines() -> None:
    text = doc(
        """
        {
          "claims": [
            {"id": "a", "text": "t"},
            {
              "id": "b",
              "text": "u",
              "citations": [
                {"key": "k", "stance": "supports", "n": -1},
                {"key": "k2",
                 "stance": "refutes"}
              ]
            },
            {"id": "a", "text": "again"}
          ]
        }
        """
    )
    found = [str(p) for p in errors(text, "json", "claims.json")]
    assert [p.split(": error: ")[0] for p in found] == [
        "claims.json:8",
        "claims.json:10",
        "claims.json:13",
    ]
    assert "cannot be negative" in found[0]
    assert "unknown stance 'refutes'" in found[1]
    assert "duplicate claim id 'a' (first defined at line 3)" in found[2]


def test_json_numbers_keep_their_typed_text_as_ids() -> None:
    claims = parse_claims('{"claims": [{"id": 1.50, "text": true}]}', "json")
    assert (claims[0].id, claims[0].text) == ("1.50", "true")


def test_json_duplicate_keys_are_not_silently_dropped() -> None:
    text = '{"claims": [\n {"id": "a",\n  "text": "t",\n  "text": "u"}]}'
    assert only_error(text, "json", "c.json") == (
        "c.json:4: error: the field 'text' appears twice in this claim (first at line 3)"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("[]", "top level must be a mapping"), ("", "the file is empty"), ("  \n", "empty")],
)
def test_json_top_level_problems(text: str, fragment: str) -> None:
    assert fragment in only_error(text, "json", "c.json")


def test_deeply_nested_input_is_an_error_not_a_crash() -> None:
    assert "nested too deeply" in only_error("[" * 100_000, "json", "c.json")


# --- CSV -------------------------------------------------------------------------------


def test_csv_lines_count_multi_line_cells() -> None:
    text = doc(
        """
        claim_id,text,key,stance,n
        a,"a text that
        spans
        three lines",k1,supports,10
        b,other,k2,proves,5
        """
    )
    assert only_error(text, "csv", "claims.csv").startswith("claims.csv:5: error: unknown stance")


def test_csv_rows_group_by_id_and_empty_key_means_uncited() -> None:
    text = doc(
        """
        id,text,key,stance,n,events
        a,First claim.,k1,supports,10,3
        a,,k2,contradicts,,
        ,,k3,background,,
        b,Second claim.,,,,
        a,First claim.,k4,mixed,,
        """
    )
    claims = parse_claims(text, "csv")
    assert claims.ids == ("a", "b")
    assert [c.key for c in claims.by_id("a").citations] == ["k1", "k2", "k3", "k4"]
    assert claims.by_id("a").citations[0].n == 10
    assert claims.by_id("b").citations == ()


def test_csv_conflicting_repeated_text_is_an_error() -> None:
    text = "claim_id,text,key,stance\na,One.,k1,supports\na,Two.,k2,supports\n"
    assert only_error(text, "csv", "c.csv") == (
        "c.csv:3: error: claim 'a': text differs from the one at line 2; give it once, "
        "or repeat it exactly"
    )


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param("text,key,stance\nT,k,supports\n", 1, "no 'claim_id' column", id="no-id"),
        pytest.param("claim_id,text,key\na,T,k\n", 1, "no 'stance' column", id="no-stance"),
        pytest.param(
            "claim_id,text,key,key,stance\n", 1, "the column 'key' appears twice", id="twice"
        ),
        pytest.param("claim_id,text,key,stance\na,T,k,\n", 2, "has no stance", id="empty-stance"),
        pytest.param("claim_id,text,key,stance\n,T,k,supports\n", 2, "no claim id", id="no-id"),
        pytest.param(
            "claim_id,text,key,stance,n\na,T,,,5\n", 2, "fills n but has no key", id="no-key"
        ),
        pytest.param("claim_id,text,key,stance\na,T,k,x,y\n", 2, "has 5 cells", id="cells"),
        pytest.param(
            'claim_id,text,key,stance\na,T,k,supports\nb,"open,k,supports\nc,T,k,mixed\n',
            3,
            "invalid CSV in the row starting here",
            id="open-quote",
        ),
        pytest.param(
            "claim_id,text,certainty\na,T,low\n", 2, "has no certainty_reason", id="certainty"
        ),
        pytest.param(
            "claim_id,text,certainty_reason\na,T,because\n", 2, "has no level", id="level"
        ),
        pytest.param("claim_id,text,tags\na,,x\n", 2, "claim 'a' has no 'text'", id="no-text"),
        pytest.param("", None, "the file is empty", id="empty"),
    ],
)
def test_each_csv_mistake_is_one_located_error(text: str, line: int | None, fragment: str) -> None:
    problem = only_error(text, "csv", "c.csv")
    where = "c.csv" if line is None else f"c.csv:{line}"
    assert problem.startswith(f"{where}: error: "), problem
    assert fragment in problem


def test_csv_headers_forgive_case_spaces_and_warn_on_unknown_columns() -> None:
    text = "Claim ID, TEXT ,Key,Stance,Risk-of-Bias,Reviewer,Stnace\na,T,k,supports,low,JS,x\n"
    claims = parse_claims(text, "csv", source="c.csv")
    assert claims[0].citations[0].risk_of_bias is RiskOfBias.LOW
    assert [str(p) for p in claims.problems] == [
        "c.csv:1: warning: unknown column 'Reviewer'; it is ignored",
        "c.csv:1: warning: unknown column 'Stnace' (did you mean 'stance'?); it is ignored",
    ]


@pytest.mark.parametrize("separator", [",", "\t", ";"])
def test_csv_separator_is_found_from_the_header(separator: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(["claim_id", "text", "tags", "key", "stance"])
    writer.writerow(["a", "T, with a comma; and a semicolon", "x; y", "k", "supports"])
    claim = parse_claims(buffer.getvalue(), "csv")[0]
    assert claim.text == "T, with a comma; and a semicolon"
    assert claim.tags == ("x", "y")
    assert claim.citations == (Citation("k", Stance.SUPPORTS),)


def test_csv_byte_order_mark_and_crlf_are_fine() -> None:
    text = "\ufeffclaim_id,text,key,stance\r\na,T,k,supports\r\nb,U,k,contradicts\r\n"
    claims = parse_claims(text, "csv")
    assert claims.ids == ("a", "b")


# --- loading files ---------------------------------------------------------------------


def test_format_comes_from_the_suffix_or_the_argument(tmp_path: Path) -> None:
    path = tmp_path / "claims.txt"
    path.write_text((DATA / "example.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ClaimFileError) as info:
        load_claims(path)
    assert str(info.value.problems[0]).startswith(f"{path}: error: cannot tell the format")
    assert ".yaml, .yml, .json, .csv, .tsv" in str(info.value)
    assert load_claims(path, format="json") == load_claims(DATA / "example.json")
    tsv = tmp_path / "claims.TSV"
    tsv.write_text("claim_id\ttext\na\tT\n", encoding="utf-8")
    assert load_claims(tsv).ids == ("a",)


def test_an_unknown_format_name_lists_the_formats() -> None:
    problem = only_error("x", "toml", "c.toml")
    assert problem == "c.toml: error: unknown claims format 'toml'; use one of: yaml, json, csv"


def test_a_missing_file_is_a_claim_file_error(tmp_path: Path) -> None:
    with pytest.raises(ClaimFileError, match="cannot read the claims file"):
        load_claims(tmp_path / "absent.yaml")


def test_bytes_that_are_not_utf8_give_their_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_bytes("claims:\n  - id: a\n    text: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ClaimFileError) as info:
        load_claims(path)
    assert str(info.value.problems[0]).startswith(f"{path}:3: error: the file is not valid utf-8")
    assert load_claims(path, encoding="latin-1")[0].text == "caf\u00e9"


def test_error_message_starts_with_the_path_and_counts_errors(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - id: a\n", encoding="utf-8")
    with pytest.raises(ClaimFileError) as info:
        load_claims(path)
    assert str(info.value) == (
        f"{path}: cannot load claims: 1 error\n{path}:2: error: claim 'a' has no 'text'"
    )


# --- ClaimSet --------------------------------------------------------------------------


def test_claim_set_is_an_immutable_sequence_with_lookup_by_id() -> None:
    claims = ClaimSet([Claim("a", "A."), Claim("b", "B.")], path="x.yaml")
    assert [c.id for c in claims] == ["a", "b"]
    assert claims[1].id == "b"
    assert claims[:1] == (Claim("a", "A."),)
    assert claims.by_id("b") == Claim("b", "B.")
    with pytest.raises(KeyError, match=r"no claim with id 'z' in x\.yaml"):
        claims.by_id("z")
    with pytest.raises(AttributeError):
        claims.path = "y"  # type: ignore[misc]
    with pytest.raises(ValueError, match="duplicate claim id 'a'"):
        ClaimSet([Claim("a", "A."), Claim("a", "again")])


def test_claim_sets_compare_by_claims_not_by_file() -> None:
    one = ClaimSet([Claim("a", "A.")], path="one.yaml")
    two = ClaimSet([Claim("a", "A.")], path="two.csv")
    assert one == two
    assert hash(one) == hash(two)
    assert one != ClaimSet([Claim("a", "B.")])


# --- writing ---------------------------------------------------------------------------

TRICKY = (
    Claim(
        id="012",
        text="key: value\n- item\n# not a comment\n  indented line",
        citations=(
            Citation("@katz2003", Stance.UNKNOWN),
            Citation(
                "liliang2011",
                Stance.CONTRADICTS,
                finding="Übersetzung: 21/52 — «ça»",
                n=52,
                events=21,
                outcome="pain, back",
                locator="p. 567, fig. 2",
                quote="\"quoted\" and 'single'",
                design="prospective-cohort",
                risk_of_bias=RiskOfBias.SOME_CONCERNS,
                note="# hash; semicolon",
            ),
        ),
        tags=("no", "a, b", "日本語"),
        certainty=CertaintyJudgement(Certainty.VERY_LOW, "null"),
        note="- dash",
    ),
    Claim(id="yes", text="~"),
    Claim(id="1e3", text="@starts with at, and `tick`", note="line one\r\nline two"),
    Claim(id="x", text="trailing spaces inside  \nnext", citations=(Citation("k", Stance.MIXED),)),
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_dump_reads_back_to_equal_records(fmt: str) -> None:
    assert tuple(parse_claims(dump_claims(TRICKY, fmt), fmt)) == TRICKY


def test_tsv_dump_is_tab_separated_and_reads_back() -> None:
    text = dump_claims(TRICKY, "tsv")
    assert text.startswith("claim_id\ttext\ttags\t")
    assert tuple(parse_claims(text, "csv")) == TRICKY


def test_dumps_in_all_formats_read_back_equal_to_each_other() -> None:
    loaded = load_claims(DATA / "example.yaml")
    results = [parse_claims(dump_claims(loaded, fmt), fmt) for fmt in FORMATS]
    assert results == [loaded, loaded, loaded]


def test_yaml_dump_is_readable() -> None:
    text = dump_claims([Claim("a", "Line one.\nLine two.", (Citation("k", Stance.UNKNOWN),))])
    assert "    text: |-\n      Line one.\n      Line two.\n" in text
    assert "      - key: k\n        stance: unknown\n" in text


def test_dump_strips_surrounding_whitespace_as_the_reader_does() -> None:
    claims = [Claim(" a ", "  padded text \n", (Citation(" k ", Stance.SUPPORTS, note=" n "),))]
    back = parse_claims(dump_claims(claims, "json"), "json")
    assert back[0] == Claim("a", "padded text", (Citation("k", Stance.SUPPORTS, note="n"),))


@pytest.mark.parametrize(
    ("claims", "fragment"),
    [
        ([Claim("a", "A."), Claim("a", "B.")], "duplicate claim id 'a'"),
        ([Claim("a", " ")], "'text' of claim 'a' is empty"),
        ([Claim("a", "A.", tags=("x;y",))], "contains ';'"),
        ([Claim("a", "A.", (Citation("k", n=2, events=3),))], "events (3) cannot exceed n (2)"),
        ([Claim("a", "A.", certainty=CertaintyJudgement(Certainty.LOW, ""))], "has no reason"),
    ],
)
def test_dump_refuses_claims_no_file_could_hold(claims: list[Claim], fragment: str) -> None:
    with pytest.raises(ValueError, match="cannot be written as a claims file") as info:
        dump_claims(claims, "yaml")
    assert fragment in str(info.value)


def _clean_text(min_size: int = 0) -> st.SearchStrategy[str]:
    # Any characters but lone surrogates (no file can hold them); the reader strips
    # surrounding whitespace, so the records it can return have none.
    alphabet = st.characters(exclude_categories=["Cs"])
    return st.text(alphabet, min_size=min_size, max_size=30).map(str.strip)


_nonempty = _clean_text(1).filter(bool)


@st.composite
def _citations(draw: st.DrawFn) -> Citation:
    n = draw(st.none() | st.integers(0, 10_000))
    events = draw(st.none() | st.integers(0, n if n is not None else 10_000))
    return Citation(
        key=draw(_nonempty),
        stance=draw(st.sampled_from(Stance)),
        finding=draw(_clean_text()),
        n=n,
        events=events,
        outcome=draw(_clean_text()),
        quote=draw(_clean_text()),
        design=draw(st.none() | st.sampled_from(["case-series", "guideline", "unknown"])),
        risk_of_bias=draw(st.none() | st.sampled_from(RiskOfBias)),
        note=draw(_clean_text()),
    )


@st.composite
def _claim_lists(draw: st.DrawFn) -> list[Claim]:
    ids = draw(st.lists(_nonempty, min_size=0, max_size=4, unique=True))
    return [
        Claim(
            id=claim_id,
            text=draw(_nonempty),
            citations=tuple(draw(st.lists(_citations(), max_size=3))),
            tags=tuple(draw(st.lists(_nonempty.filter(lambda t: ";" not in t), max_size=3))),
            certainty=draw(
                st.none() | st.builds(CertaintyJudgement, st.sampled_from(Certainty), _nonempty)
            ),
            note=draw(_clean_text()),
        )
        for claim_id in ids
    ]


@settings(max_examples=60, deadline=None)
@given(claims=_claim_lists(), fmt=st.sampled_from(FORMATS))
def test_any_valid_claims_round_trip(claims: list[Claim], fmt: str) -> None:
    assert list(parse_claims(dump_claims(claims, fmt), fmt)) == claims


def test_title_is_kept_for_the_table() -> None:
    claims = parse_claims("title: My  review\nclaims:\n  - id: a\n    text: T.\n", "yaml")
    assert claims.title == "My review"
    assert parse_claims("claims: []\n", "yaml").title == ""
