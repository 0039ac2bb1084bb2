"""The encoding rule for reference files: UTF-8 by default, byte-order marks honoured,
UTF-16/32 without a mark recognised, every codec failure a located error (issue 12)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from evidence.bibliography import load_bibliography, load_references
from evidence.bibliography.encoding import sniff_encoding
from evidence.cli import main
from evidence.errors import BibliographyError

TEXT = (
    "@article{katz2003,\n"
    "  author = {Katz, Jeffrey N. and M\u00fcller, Hans},\n"
    "  title = {Lumbar disc disorders \u2014 a review},\n"
    "  year = {2003},\n"
    "}\n"
    "@book{smith2010, title = {Caf\u00e9 culture}, year = 2010}\n"
)
NO_MARK = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


@pytest.mark.parametrize("codec", NO_MARK)
def test_utf16_and_utf32_without_a_mark_are_read(tmp_path: Path, codec: str) -> None:
    path = tmp_path / f"{codec}.bib"
    path.write_bytes(TEXT.encode(codec))
    assert sniff_encoding(path.read_bytes()) == codec
    for bib in (load_references(path, cache=False), load_bibliography(path, cache=False)):
        assert list(bib) == ["katz2003", "smith2010"], codec
        assert str(bib["katz2003"].authors[1]) == "Hans M\u00fcller"
        assert bib["smith2010"].title == "Caf\u00e9 culture"
        assert bib.problems == ()


@pytest.mark.parametrize(
    "mark",
    [
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
    ],
)
def test_a_byte_order_mark_wins_and_is_dropped(tmp_path: Path, mark: bytes) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(mark)
    for bib in (load_references(path, cache=False), load_bibliography(path, cache=False)):
        assert list(bib) == ["katz2003", "smith2010"]
        assert bib.problems == ()


def test_utf8_and_latin1_are_not_mistaken_for_utf16() -> None:
    assert sniff_encoding(TEXT.encode("utf-8")) is None
    assert sniff_encoding(TEXT.encode("latin-1", errors="replace")) is None
    assert sniff_encoding(b"@misc{a, note = {x\x00y}}\n" * 3) is None  # one stray NUL


def test_fetch_of_a_utf16_bib_without_a_mark_finds_its_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "u16le.bib"
    path.write_bytes(TEXT.encode("utf-16-le"))
    code = main(["fetch", "--bib", str(path), "--offline"])
    err = capsys.readouterr().err
    assert code == 0
    assert "0 references" not in err
    assert "2 references" in err


@pytest.mark.parametrize("encoding", ["punycode", "idna", "rot13", "base64", "klingon"])
def test_every_codec_failure_is_a_located_bibliography_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes("@misc{a, title = {\u00e9\u00e9 \u2014 x}}\n".encode())
    for load in (load_references, load_bibliography):
        with pytest.raises(BibliographyError) as caught:
            load(path, encoding=encoding, cache=False)
        assert caught.value.location is not None
        assert caught.value.location.path == str(path)
        assert "encoding" in str(caught.value) or "decoded" in str(caught.value)


def test_an_undecodable_utf16_file_lists_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    # A lone high surrogate in otherwise sound UTF-16-LE: a located error, not silence.
    path.write_bytes(TEXT.encode("utf-16-le") + b"\x00\xd8" + "x}\n".encode("utf-16-le"))
    with pytest.raises(BibliographyError) as caught:
        load_references(path, cache=False)
    assert caught.value.problems
    assert caught.value.problems[0].code == "encoding"
    assert caught.value.problems[0].location.line == 7


# --- keys that differ only by characters no one can see (issue 12, case 5) ---------------


def test_keys_differing_only_by_invisible_characters_are_reported() -> None:
    from evidence.bibliography import parse_references

    bib = parse_references(
        "@article{katz2003, title = {One}}\n"
        "@article{katz\u200b2003, title = {Two}}\n"
        "@article{smith\u200b2010, title = {Three}}\n"
        "@article{smith2010, title = {Four}}\n"
        "@article{ok\u00e92001, title = {Five}}\n",
        source="refs.bib",
    )
    found = [(p.code, p.location.line, p.key) for p in bib.problems]
    assert found == [
        ("invisible-character", 2, "katz\u200b2003"),
        ("invisible-character", 3, "smith\u200b2010"),
        ("invisible-character", 4, "smith2010"),
    ]
    assert "U+200B" in bib.problems[0].message
    assert "looks the same as 'katz2003' (line 1)" in bib.problems[0].message
    assert "line 3" in bib.problems[2].message
    # Nothing is dropped: each entry is still loaded (or reported, as here, with its line).
    assert len(bib) == 5


def test_control_characters_in_a_key_are_reported() -> None:
    from evidence.bibliography import parse_references

    bib = parse_references("@misc{a\x1bb, title = {T}}\n", source="refs.bib")
    assert [(p.code, p.location.line) for p in bib.problems] == [("invisible-character", 1)]
    assert "U+001B" in bib.problems[0].message


# --- memory per failed block (issue 12, case 4) -------------------------------------------


def test_failed_blocks_do_not_keep_their_parsers_alive() -> None:
    import tracemalloc

    from evidence.bibliography import parse_references

    blocks = 10_000
    tracemalloc.start()
    try:
        bib = parse_references("@a{\n" * blocks, source="h.bib")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Every block is reported (nothing dropped), and the parse holds well under 1 KB per
    # block at its peak: before, each failed block's parser, its error and the traceback
    # frames stayed alive in a cycle while the garbage collector was paused (~4.4 KB).
    assert len(bib) + len(bib.not_loaded) == blocks
    assert peak < 1_000 * blocks, peak
