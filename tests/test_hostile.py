"""Hostile input: XML bombs and external entities in PubMed answers, self-doubling BibTeX
macros, YAML alias bombs, and an NCBI API key that must never be written anywhere.

Memory is bounded with tracemalloc inside the test (a bound on what Python allocated, not
a timing): a bomb that were expanded would need gigabytes. The API key test runs the real
command line against the loopback NCBI with faults, so the error paths run too.
"""

from __future__ import annotations

import json
import logging
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from conftest import ROOT, shared_path
from ncbi_server import Fault, NCBIServer, RecordedRequest

from evidence.bibliography import MAX_VALUE_LENGTH, load_references, parse_references
from evidence.claims import parse_claims
from evidence.cli import main
from evidence.errors import ClaimFileError, EvidenceError, PubMedError
from evidence.model import PubMedStatus
from evidence.pubmed.cache import PubMedCache
from evidence.pubmed.client import PubMedClient
from evidence.snapshot import write_snapshot

T = TypeVar("T")
MEMORY_BOUND = 50_000_000  # bytes; each bomb below would need gigabytes if expanded


def traced(work: Callable[[], T]) -> tuple[T, int]:
    """``work()``'s result and the peak of Python's allocations while it ran."""
    tracemalloc.start()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# --- XML bombs and external entities in PubMed answers -----------------------------------


class BombServer(NCBIServer):
    """The loopback NCBI, answering EFetch and ESearch with :attr:`body`."""

    body = b""

    def _answer(self, request: RecordedRequest) -> tuple[int, str, bytes]:
        if request.endpoint in ("efetch.fcgi", "esearch.fcgi"):
            return 200, "text/xml; charset=UTF-8", self.body
        return super()._answer(request)


@pytest.fixture
def bomb_server() -> Iterator[BombServer]:
    with BombServer(shared_path("fixtures", "pubmed")) as running:
        yield running


def billion_laughs() -> bytes:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [' + "".join(levels) + "]>\n"
        "<PubmedArticleSet><PubmedArticle>&lol9;</PubmedArticle></PubmedArticleSet>\n"
    ).encode()


def quadratic_blowup() -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "'
        + "a" * 100_000
        + '">]>\n<PubmedArticleSet><PubmedArticle>'
        + "&a;" * 20_000
        + "</PubmedArticle></PubmedArticleSet>\n"
    ).encode()


def external_entity(url: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM '
        '"file:///etc/passwd"><!ENTITY remote SYSTEM "' + url + '">]>\n'
        "<PubmedArticleSet><PubmedArticle>&xxe;&remote;</PubmedArticle></PubmedArticleSet>\n"
    ).encode()


def external_parameter_entity(url: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY % dtd SYSTEM "'
        + url
        + '"> %dtd;]>\n<PubmedArticleSet></PubmedArticleSet>\n'
    ).encode()


def bomb_client(server: NCBIServer) -> PubMedClient:
    return PubMedClient(
        base_url=server.url,
        email="dev@example.org",
        timeout=2.0,
        backoff=0.01,
        max_retries=1,
        max_total_wait=5.0,
        max_rate=100.0,
    )


BOMBS: dict[str, Callable[[str], bytes]] = {
    "billion-laughs": lambda url: billion_laughs(),
    "quadratic-blowup": lambda url: quadratic_blowup(),
    "external-entity": external_entity,
    "external-parameter-entity": external_parameter_entity,
}


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_xml_bombs_in_efetch_answers_are_refused_with_bounded_memory(
    bomb_server: BombServer, bomb: Callable[[str], bytes]
) -> None:
    evil = bomb_server.url + "evil.dtd"
    bomb_server.body = bomb(evil)
    client = bomb_client(bomb_server)

    result, peak = traced(lambda: client.fetch(["1", "2"]))

    assert peak < MEMORY_BOUND
    for pmid in ("1", "2"):
        outcome = result[pmid]
        assert outcome.status is PubMedStatus.UNAVAILABLE
        assert "refused to read" in outcome.reason
        assert "root:" not in outcome.reason  # /etc/passwd was not read into it
    assert not [r for r in bomb_server.requests if r.endpoint == "evil.dtd"]  # never fetched
    assert len(bomb_server.requests) == 2  # the first answer and one retry, then given up


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_xml_bombs_in_esearch_answers_raise_a_located_error(
    bomb_server: BombServer, bomb: Callable[[str], bytes]
) -> None:
    bomb_server.body = bomb(bomb_server.url + "evil.dtd")
    client = bomb_client(bomb_server)

    def search() -> PubMedError:
        with pytest.raises(PubMedError) as raised:
            client.search_doi("10.1038/cddis.2016.260")
        return raised.value

    error, peak = traced(search)
    assert peak < MEMORY_BOUND
    assert "refused to read" in str(error)
    assert str(error).startswith("esearch.fcgi")


# --- self-doubling BibTeX macros, YAML aliases, deep nesting ------------------------------


def macro_bomb(levels: int) -> str:
    lines = ['@string{m0 = "0123456789"}']
    lines += [f"@string{{m{i} = m{i - 1} # m{i - 1}}}" for i in range(1, levels)]
    lines += [
        f"@article{{bomb, title = m{levels - 1}, year = 2000}}",
        "@article{wide, title = m15 # m15 # m15 # m15 # m15 # m15 # m15 # m15, year = 2001}",
        "@article{fine, title = {A normal title}, year = 2002}",
    ]
    return "\n".join(lines) + "\n"


def test_a_self_doubling_macro_is_refused_before_it_is_built(tmp_path: Path) -> None:
    path = tmp_path / "bomb.bib"
    path.write_text(macro_bomb(40), encoding="utf-8")  # 10 * 2**39 characters if built

    bib, peak = traced(lambda: load_references(path, cache=False))

    assert peak < MEMORY_BOUND
    assert bib["fine"].title == "A normal title"
    assert all(len(value) <= MAX_VALUE_LENGTH for r in bib.values() for value in r.fields.values())
    too_long = [p for p in bib.problems if "longer than" in p.message]
    assert too_long
    assert {p.location.path for p in too_long} == {str(path)}
    assert all(p.location.line is not None for p in too_long)
    assert any(p.location.line == 18 for p in too_long)  # m17, 1,310,720 characters
    assert any("entry 'wide'" in p.message for p in too_long)  # 8 x 327,680 characters


def test_a_long_but_honest_value_is_read_whole() -> None:
    abstract = "word " * 50_000  # 250,000 characters
    bib = parse_references(f"@article{{a, abstract = {{{abstract}}}}}\n")
    assert bib.problems == ()
    assert len(bib["a"].fields["abstract"]) == len(abstract.strip())


def yaml_alias_bomb() -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    lines += ["claims:", "  - id: c1", "    text: *a9", "    tags: *a9"]
    return "\n".join(lines) + "\n"


HOSTILE_CLAIMS = {
    "yaml-alias-bomb": (yaml_alias_bomb(), "yaml"),
    "yaml-python-object": ("claims: !!python/object/apply:os.system ['echo pwned']\n", "yaml"),
    "csv-huge-field": ('id,text\n1,"' + "x" * 2_000_000 + '"\n', "csv"),
}
DEEP_CLAIMS = {
    "yaml-deep-nesting": ("[" * 5_000 + "]" * 5_000, "yaml"),
    "json-deep-nesting": ('{"claims": ' + "[" * 50_000 + "]" * 50_000 + "}", "json"),
}


def refused(text: str, fmt: str) -> ClaimFileError:
    with pytest.raises(ClaimFileError) as raised:
        parse_claims(text, fmt, source="hostile.claims")
    error = raised.value
    assert error.location is not None
    assert error.location.path == "hostile.claims"
    assert error.problems
    assert all(p.location.path == "hostile.claims" for p in error.problems)
    return error


@pytest.mark.parametrize("case", HOSTILE_CLAIMS.values(), ids=HOSTILE_CLAIMS.keys())
def test_hostile_claims_files_are_refused_with_a_location_and_bounded_memory(
    case: tuple[str, str],
) -> None:
    text, fmt = case
    _, peak = traced(lambda: refused(text, fmt))
    assert peak < MEMORY_BOUND + 3 * len(text)  # the text itself, as str and as lines


@pytest.mark.parametrize("case", DEEP_CLAIMS.values(), ids=DEEP_CLAIMS.keys())
def test_deeply_nested_claims_files_are_refused_with_a_location(case: tuple[str, str]) -> None:
    # Not traced: tracemalloc makes PyYAML's deep recursion take tens of seconds, and
    # nesting costs stack, not memory.
    error = refused(*case)
    assert "nested too deeply" in str(error)


def test_an_integer_too_long_for_python_is_a_located_claims_error() -> None:
    text = '{"claims": [{"id": "a", "text": "t", "citations": [{"key": "k", "n": 1' + "0" * 5000
    with pytest.raises(ClaimFileError) as raised:
        parse_claims(text + "}]}]}", "json", source="big.json")
    assert raised.value.location is not None


# --- the API key never appears -------------------------------------------------------------

SECRET = "SECRET-KEY-7d41c0ffee"
MIX = str(ROOT / "tests" / "data" / "pubmed_mix.bib")


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        running.missing.add("99999999")
        yield running


def every_file(folder: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in folder.rglob("*") if p.is_file()]


def test_the_api_key_is_in_no_file_log_message_or_output_of_the_command_line(
    server: NCBIServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(cache))
    monkeypatch.setenv("NCBI_API_KEY", SECRET)
    monkeypatch.setenv("NCBI_EUTILS_URL", server.url)
    monkeypatch.setenv("NCBI_EMAIL", "dev@example.org")
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's request lines included
    snapshot = tmp_path / "pubmed.json"
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: a\n    text: Aspirin prevents recurrence.\n"
        "    citations:\n      - {key: brighton2012, stance: supports}\n"
        "      - {key: shi2017, stance: supports}\n",
        encoding="utf-8",
    )
    # Faults on the way: a 429 (whose real body echoes the key), a 429 body inside a 200,
    # an NCBI <ERROR>, then a 400: retried, retried, reported, reported.
    server.fail_next(
        Fault.rate_limited(retry_after="0"),
        Fault.rate_limited(status=200, retry_after="0"),
        Fault.error_element(),
    )
    codes = [main(["-vv", "fetch", "--bib", MIX, "--snapshot", str(snapshot)])]
    first = capsys.readouterr()
    server.fail_always(Fault.bad_request())
    codes.append(main(["-vv", "table", str(claims), "--bib", MIX, "--format", "json"]))
    codes.append(main(["-vv", "check", str(claims), "--bib", MIX, "--no-cache"]))
    second = capsys.readouterr()
    server.fail_always(None)

    # The key was really used, and the error paths really ran.
    assert any(r.params.get("api_key") == SECRET for r in server.requests)
    statuses = server.statuses()
    assert 429 in statuses
    assert 400 in statuses
    assert codes[:2] == [0, 0]
    assert snapshot.exists()
    files = every_file(cache) + every_file(tmp_path / "cache")
    assert any(p.suffix == ".json" for p, _ in files)  # PubMed entries were written
    assert any(p.suffix == ".pickle" for p, _ in files)  # and the .bib parse cache
    messages = [r.getMessage() for r in caplog.records]
    assert any("api_key=***" in m for m in messages)  # urllib3's request line, masked

    texts = [first.out, first.err, second.out, second.err, *messages, caplog.text]
    assert all(SECRET not in text for text in texts)
    assert all('"api-key"' not in text for text in texts)  # nor the 429 body's echo field
    for path, data in [*files, (snapshot, snapshot.read_bytes())]:
        assert SECRET.encode() not in data, path


def test_the_api_key_is_in_no_exception_cache_entry_or_snapshot(
    server: NCBIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = PubMedClient(
        base_url=server.url,
        email="dev@example.org",
        api_key=SECRET,
        cache=PubMedCache(tmp_path / "cache"),
        timeout=0.5,
        backoff=0.01,
        max_retries=1,
        max_total_wait=5.0,
        max_rate=100.0,
    )
    fetched = client.fetch(["23121403", "27685632"])
    errors: list[BaseException] = []
    for fault in (
        Fault.rate_limited(),
        Fault.server_error(503),
        Fault.stall(2.0),
        Fault.reset(),
        Fault.truncated(),
        Fault.error_element(),
        Fault.bad_request(),
    ):
        server.fail_always(fault)
        try:
            client.search_doi("10.1038/cddis.2016.260")
        except EvidenceError as error:
            errors.append(error)
        failed = client.fetch(["1"])
        server.fail_always(None)
        assert failed["1"].status is PubMedStatus.UNAVAILABLE
        assert SECRET not in failed["1"].reason
    write_snapshot(tmp_path / "snapshot.json", fetched.records)

    assert len(errors) == 7
    texts: list[Any] = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [str(e.__cause__) for e in errors] + [str(e.__context__) for e in errors]
    texts += [r.getMessage() for r in caplog.records] + [repr(client)]
    assert all(SECRET not in text for text in texts)
    written = every_file(tmp_path)
    assert len(written) >= 3
    assert all(SECRET.encode() not in data for _, data in written)
    assert json.loads((tmp_path / "snapshot.json").read_text())["records"]
