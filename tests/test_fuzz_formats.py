"""Property-based fuzzing of the RIS, MEDLINE, CSL-JSON and EndNote XML readers and of
format detection: any text returns a bibliography whose references and problems are all
located in the file, or raises a located :class:`~evidence.errors.BibliographyError`;
nothing else escapes. Bounded by the ``ci`` profile (tests/conftest.py);
``EVIDENCE_FUZZ=thorough`` runs many more examples.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from evidence.bibliography import (
    Bibliography,
    load_bibliography,
    parse_bibliography,
    parse_csl_json,
    parse_endnote_xml,
    parse_medline,
    parse_ris,
)
from evidence.errors import BibliographyError

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(list("\r\n\t -/,.;:[]{}<>&\"'\ufeff")),
    max_size=30,
)


def _lines(tags: list[str]) -> st.SearchStrategy[str]:
    line = st.tuples(st.sampled_from(tags), TEXT).map(lambda t: f"{t[0]}{t[1]}")
    return st.lists(line | TEXT, max_size=25).map(
        lambda parts: "".join(p + e for p, e in zip(parts, ["\n", "\r\n", "\r"] * 9, strict=False))
    )


RIS = _lines(
    [
        *("TY  - ", "ER  - ", "ER  -", "TI  - ", "AU  - ", "A1  - ", "PY  - ", "DA  - "),
        *("DO  - 10.1/", "DO  - ", "AN  - ", "DB  - PubMed", "SN  - ", "SP  - ", "EP  - "),
        *("ID  - ", "L2  - http://ovidsp.ovid.com/x?D=medp&AN=", "N1  - PMID: ", "1.", "T2  - "),
    ]
)
MEDLINE = _lines(
    [
        *("PMID- ", "TI  - ", "      ", "FAU - ", "AU  - ", "CN  - ", "DP  - ", "LID - "),
        *("AID - 10.1/x [doi]", "PMC - ", "PMC - PMC", "PG  - ", "JT  - ", "TA  - ", "PT  - "),
    ]
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
CSL_FIELD = st.sampled_from(
    [
        *("id", "type", "title", "author", "editor", "issued", "date-parts", "literal"),
        *("family", "given", "DOI", "PMID", "PMCID", "URL", "note", "page", "raw"),
        *("container-title", "container-title-short", "volume", "issue", "abstract"),
    ]
)
CSL_ITEM = st.recursive(
    JSON_VALUE,
    lambda inner: st.dictionaries(CSL_FIELD, inner, max_size=6) | st.lists(inner, max_size=3),
    max_leaves=10,
)
CSL_JSON = st.lists(CSL_ITEM, max_size=5).map(json.dumps) | st.lists(
    st.sampled_from(["[", "]", "{", "}", ",", '"id"', ":", '"x"', "1", "\n", '"issued"']) | TEXT,
    max_size=20,
).map("".join)
XML = st.lists(
    st.sampled_from(
        [
            *("<xml>", "</xml>", "<records>", "</records>", "<record>", "</record>"),
            *("<titles><title>", "</title></titles>", "<author>", "</author>", "<style>"),
            *("</style>", "<dates><year>", "</year></dates>", "<accession-num>", "&amp;"),
            *("<electronic-resource-num>", "</electronic-resource-num>", "<!DOCTYPE x>"),
            *("<contributors><authors>", "</authors></contributors>", "</accession-num>"),
        ]
    )
    | TEXT,
    max_size=20,
).map("".join)


def _outcome(call: Callable[[], Bibliography]) -> tuple[Bibliography | None, str | None]:
    """What ``call`` returned, or where the BibliographyError it raised points; any other
    exception escapes and fails the test (the property: only located errors escape)."""
    try:
        return call(), None
    except BibliographyError as error:
        return None, error.location.path if error.location else "<no location>"


def _check(parse: Callable[..., Bibliography], text: str, source: str) -> None:
    """The property: a located result, or a located BibliographyError, nothing else."""
    bib, where = _outcome(lambda: parse(text, source=source))
    if bib is None:
        assert where == source
        return
    lines = max(text.count("\n"), text.count("\r")) + 1
    for problem in bib.problems:
        assert problem.location.path == source
        assert problem.location.line is None or 1 <= problem.location.line <= lines
    for ref in bib.values():
        assert ref.location is not None
        assert ref.location.path == source
        assert ref.key
        assert ref.key == ref.key.strip()
        assert ref.pmid is None or ref.pmid.isdigit()
        assert ref.doi is None or ref.doi.startswith("10.")


@given(RIS)
def test_any_ris_like_text(text: str) -> None:
    _check(parse_ris, text, "fuzz.ris")


@given(MEDLINE)
def test_any_medline_like_text(text: str) -> None:
    _check(parse_medline, text, "fuzz.nbib")


@given(CSL_JSON)
def test_any_csl_json_like_text(text: str) -> None:
    _check(parse_csl_json, text, "fuzz.json")


@given(XML)
def test_any_endnote_xml_like_text(text: str) -> None:
    _check(parse_endnote_xml, text, "fuzz.xml")


@given(RIS | MEDLINE | CSL_JSON | XML | TEXT)
def test_detection_reads_any_text_or_says_where_it_cannot(text: str) -> None:
    _check(parse_bibliography, text, "fuzz.txt")


@given(
    st.binary(max_size=120) | (RIS | MEDLINE | XML).map(str.encode),
    st.sampled_from(["utf-8", "cp1252", "utf-16"]),
)
def test_any_bytes_load_or_raise_a_located_error(data: bytes, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.ris"
        path.write_bytes(data)
        bib, where = _outcome(lambda: load_bibliography(path, encoding=encoding, cache=False))
    if bib is None:
        assert where == str(path)
    else:
        assert all(p.location.path == str(path) for p in bib.problems)
