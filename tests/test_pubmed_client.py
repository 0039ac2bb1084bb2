"""The PubMed client against a real HTTP server on 127.0.0.1 (tests/ncbi_server.py).

Nothing is patched: the client sends real requests over real sockets, and the assertions
read what the server recorded. Retry waits and timeouts are shortened through the
client's own parameters; tests that are about the rate limit keep the default rate.
"""

from __future__ import annotations

import io
import logging
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import shared_path
from ncbi_server import TEMPLATE_PMID, Fault, NCBIServer, synthetic_doi

from evidence.errors import PubMedResponseError, PubMedUnavailable
from evidence.model import PubMedRecord, PubMedStatus
from evidence.pubmed.cache import PubMedCache
from evidence.pubmed.client import PubMedClient
from evidence.pubmed.query import CitationQuery

RETRACTED = "27685632"  # a real fixture record, DOI 10.1038/cddis.2016.260
RETRACTED_DOI = "10.1038/cddis.2016.260"


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        yield running


def quick(server: NCBIServer | None, **settings: Any) -> PubMedClient:
    """A client with short timeouts and waits, and a high rate: for tests not about rate."""
    options: dict[str, Any] = {
        "base_url": server.url if server else None,
        "email": "dev@example.org",
        "tool": "evidence-tests",
        "timeout": 2.0,
        "backoff": 0.01,
        "max_total_wait": 5.0,
        "max_rate": 100.0,
    }
    options.update(settings)
    return PubMedClient(**options)


def dead_url() -> str:
    """A URL on a local port nothing listens on (connection refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/entrez/eutils/"


def pmids(count: int, start: int = 1_000_000) -> list[str]:
    return [str(start + i) for i in range(count)]


# --- etiquette ----------------------------------------------------------------------------


def test_tool_email_and_api_key_go_with_every_request(server: NCBIServer) -> None:
    client = quick(server, api_key="key-0123456789")
    server.fail_next(Fault.server_error(503))  # the retry must carry them too
    client.fetch(["1", "2"])
    client.search_doi(RETRACTED_DOI)
    client.citmatch({"a": CitationQuery("n engl j med", 2020, "382", "727", "zhu n")})

    endpoints = {r.endpoint for r in server.requests}
    assert endpoints == {"efetch.fcgi", "esearch.fcgi", "ecitmatch.cgi"}
    assert len(server.requests) >= 5
    for request in server.requests:
        assert request.params.get("tool") == "evidence-tests", request.target
        assert request.params.get("email") == "dev@example.org", request.target
        assert request.params.get("api_key") == "key-0123456789", request.target


def test_get_up_to_200_ids_post_beyond(server: NCBIServer) -> None:
    quick(server, batch_size=200).fetch(pmids(450))
    gets = server.requests_to("efetch.fcgi")
    assert [(r.method, len(r.ids)) for r in gets] == [("GET", 200), ("GET", 200), ("GET", 50)]

    server.requests.clear()
    result = quick(server, batch_size=250).fetch(pmids(250, start=2_000_000))
    posts = server.requests_to("efetch.fcgi")
    assert [(r.method, len(r.ids)) for r in posts] == [("POST", 250)]
    assert "id=" not in posts[0].target  # the ids travelled in the body
    assert len(result.with_status(PubMedStatus.FETCHED)) == 250


def test_every_requested_pmid_gets_an_outcome_and_missing_ones_say_so(
    server: NCBIServer,
) -> None:
    server.missing.update({"1000001", "1000003"})
    result = quick(server).fetch([*pmids(5), "1000002", " 01000004 ", "not-a-pmid"])

    assert list(result) == [*pmids(5), "not-a-pmid"]
    assert result["1000001"].status is PubMedStatus.NOT_FOUND
    assert result["1000001"].reason == "not found in PubMed"
    assert result["1000003"].record is None
    for pmid in ("1000000", "1000002", "1000004"):
        outcome = result[pmid]
        assert outcome.status is PubMedStatus.FETCHED
        assert outcome.record is not None
        assert outcome.record.pmid == pmid
    assert result["not-a-pmid"].status is PubMedStatus.NOT_FOUND
    assert "not a PMID" in result["not-a-pmid"].reason
    # One request, each PMID asked for once, and the bad one never sent.
    assert [r.ids for r in server.requests] == [pmids(5)]


def test_an_empty_answer_marks_every_pmid_not_found(server: NCBIServer) -> None:
    server.missing.update({"37909814", "37909815"})  # the real empty-set answer is replayed
    result = quick(server).fetch(["37909814", "37909815"])
    assert {o.status for o in result.values()} == {PubMedStatus.NOT_FOUND}


def test_real_fixture_records_come_back_parsed(server: NCBIServer) -> None:
    record = quick(server).fetch([RETRACTED])[RETRACTED].record
    assert record is not None
    assert record.doi == RETRACTED_DOI
    assert any(c.ref_type == "RetractionIn" for c in record.comments_corrections)


# --- retries ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 200], ids=["status-429", "status-200"])
def test_rate_limit_answers_are_retried_then_succeed(server: NCBIServer, status: int) -> None:
    server.fail_next(Fault.rate_limited(status=status), Fault.rate_limited(status=status))
    result = quick(server).fetch(["1", "2"])

    assert {o.status for o in result.values()} == {PubMedStatus.FETCHED}
    assert server.statuses() == [status, status, 200]
    assert result.requests == 3
    assert result.rate_limited == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_with_html_bodies_are_retried(server: NCBIServer, status: int) -> None:
    server.fail_next(Fault.server_error(status))
    result = quick(server).fetch(["1"])
    assert result["1"].status is PubMedStatus.FETCHED
    assert server.statuses() == [status, 200]


def test_a_400_is_not_retried(server: NCBIServer) -> None:
    server.fail_next(Fault.bad_request())
    result = quick(server).fetch(["1"])
    assert result["1"].status is PubMedStatus.UNAVAILABLE
    assert "HTTP 400" in result["1"].reason
    assert len(server.requests) == 1

    server.fail_next(Fault.bad_request())
    with pytest.raises(PubMedResponseError, match="HTTP 400"):
        quick(server).search_doi(RETRACTED_DOI)
    assert len(server.requests) == 2


def test_a_stalled_answer_times_out_and_is_retried(server: NCBIServer) -> None:
    server.fail_next(Fault.stall(10))
    result = quick(server, timeout=0.5).fetch(["1"])
    assert result["1"].status is PubMedStatus.FETCHED
    assert [r.fault for r in server.requests] == ["stall", None]


@pytest.mark.parametrize(
    "fault",
    [Fault.truncated(), Fault.truncated(silent=True), Fault.reset()],
    ids=["dropped-mid-body", "xml-cut-short", "connection-reset"],
)
def test_cut_answers_and_resets_are_retried(server: NCBIServer, fault: Fault) -> None:
    server.fail_next(fault)
    result = quick(server).fetch(["1", RETRACTED])
    assert {o.status for o in result.values()} == {PubMedStatus.FETCHED}
    assert len(server.requests) == 2


def test_used_up_retries_leave_pmids_unavailable_with_the_reason(server: NCBIServer) -> None:
    server.fail_always(Fault.server_error(503))
    result = quick(server, max_retries=2).fetch(["1", "2"])

    assert len(server.requests) == 3  # the first attempt and two retries
    for outcome in result.values():
        assert outcome.status is PubMedStatus.UNAVAILABLE
        assert "gave up after 3 attempts" in outcome.reason
        assert "HTTP 503" in outcome.reason


def test_the_total_wait_bounds_retries(server: NCBIServer) -> None:
    server.fail_always(Fault.server_error(503))
    # Any first wait (0.5-1 s) would pass the 0.2 s budget, so no retry is started.
    result = quick(server, backoff=1.0, max_retries=10, max_total_wait=0.2).fetch(["1"])
    assert result["1"].status is PubMedStatus.UNAVAILABLE
    assert len(server.requests) == 1


def test_retry_after_is_honoured(server: NCBIServer) -> None:
    server.fail_next(Fault.rate_limited(retry_after="1"))
    result = quick(server, backoff=0.01).fetch(["1"])
    assert result["1"].status is PubMedStatus.FETCHED
    first, second = server.requests
    assert second.time - first.time >= 0.95  # the server's own clock; a correctness bound

    # A Retry-After longer than the remaining budget ends the retries at once.
    server.requests.clear()
    server.fail_next(Fault.rate_limited(retry_after="30"))
    result = quick(server, max_total_wait=2.0).fetch(["2"])
    assert result["2"].status is PubMedStatus.UNAVAILABLE
    assert len(server.requests) == 1


def test_an_error_element_in_a_200_body_is_an_error(server: NCBIServer) -> None:
    server.fail_next(Fault.error_element())
    result = quick(server).fetch(["1"])
    assert result["1"].status is PubMedStatus.UNAVAILABLE
    assert "Neither query_key nor id specified" in result["1"].reason
    assert len(server.requests) == 1  # an answer, not a transient failure: not retried

    server.fail_next(Fault.error_element())
    with pytest.raises(PubMedResponseError, match="Neither query_key nor id specified"):
        quick(server).search_doi(RETRACTED_DOI)


def test_one_failed_batch_does_not_stop_the_next(server: NCBIServer) -> None:
    server.fail_next(Fault.error_element())
    result = quick(server, batch_size=2).fetch(pmids(4))
    assert [result[p].status for p in pmids(4)] == [
        PubMedStatus.UNAVAILABLE,
        PubMedStatus.UNAVAILABLE,
        PubMedStatus.FETCHED,
        PubMedStatus.FETCHED,
    ]


def test_unreachable_ncbi_marks_the_rest_unavailable_quickly_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="evidence.pubmed")
    client = quick(None, base_url=dead_url(), max_retries=2, batch_size=200)
    result = client.fetch(pmids(600))

    assert len(result) == 600
    assert {o.status for o in result.values()} == {PubMedStatus.UNAVAILABLE}
    assert "could not be reached" in result[pmids(1)[0]].reason
    assert result.requests == 3  # only the first batch's attempts; the others are not sent
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "600 PMIDs" in warnings[0].getMessage()

    # Within the cool-down the client fails fast instead of retrying again.
    again = client.fetch(["42"])
    assert again["42"].status is PubMedStatus.UNAVAILABLE
    assert again.requests == 0
    with pytest.raises(PubMedUnavailable, match="could not be reached"):
        client.search_doi(RETRACTED_DOI)


# --- settings ---------------------------------------------------------------------------


def test_base_url_comes_from_the_argument_or_the_environment(
    server: NCBIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCBI_EUTILS_URL", server.url)
    monkeypatch.setenv("NCBI_EMAIL", "env@example.org")
    monkeypatch.setenv("NCBI_API_KEY", "env-key")
    from_env = PubMedClient(timeout=1.0)
    assert from_env.fetch(["1"])["1"].status is PubMedStatus.FETCHED
    assert server.requests[-1].params["email"] == "env@example.org"
    assert server.requests[-1].params["api_key"] == "env-key"

    monkeypatch.setenv("NCBI_EUTILS_URL", dead_url())
    by_argument = PubMedClient(base_url=server.url.rstrip("/"), email="arg@example.org")
    assert by_argument.fetch(["2"])["2"].status is PubMedStatus.FETCHED
    assert server.requests[-1].params["email"] == "arg@example.org"
    assert len(server.requests) == 2

    # Read when the client is made, not later.
    monkeypatch.setenv("NCBI_EUTILS_URL", "http://elsewhere.invalid/")
    assert by_argument.fetch(["3"])["3"].status is PubMedStatus.FETCHED


def test_an_injected_session_carries_every_request(server: NCBIServer) -> None:
    session = requests.Session()
    session.headers["X-Caller"] = "injected"
    with quick(server, session=session) as client:
        client.fetch(["1"])
        client.citmatch({"a": CitationQuery("science", 1987, "235", "182")})
    session.close()
    assert [r.headers.get("X-Caller") for r in server.requests] == ["injected", "injected"]


def test_bad_settings_are_refused_and_a_missing_email_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="without spaces"):
        PubMedClient(email="a@b.org", tool="my tool")
    with pytest.raises(ValueError, match="batch_size"):
        PubMedClient(email="a@b.org", batch_size=0)
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        client = PubMedClient()
    assert client.email is None
    assert any("NCBI_EMAIL" in r.getMessage() for r in caplog.records)


def test_offline_makes_no_request(server: NCBIServer, tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)
    cache.put(PubMedRecord(pmid="11", title="Cached"))
    cache.put(
        PubMedRecord(pmid="12", title="Old"), fetched_at=datetime.now(UTC) - timedelta(days=90)
    )
    client = quick(server, cache=cache, offline=True)
    result = client.fetch(["11", "12", "13"])

    assert result["11"].status is PubMedStatus.CACHE
    assert result["12"].status is PubMedStatus.CACHE
    assert result["12"].stale
    assert "offline" in result["12"].reason
    assert result["13"].status is PubMedStatus.NOT_LOOKED_UP
    assert "offline" in result["13"].reason
    with pytest.raises(PubMedUnavailable, match="offline"):
        client.search_doi(RETRACTED_DOI)
    with pytest.raises(PubMedUnavailable, match="offline"):
        client.citmatch({"a": CitationQuery("science", 1987, "235", "182")})
    assert server.requests == []


def test_snapshot_records_are_used_before_cache_and_network(server: NCBIServer) -> None:
    snapshot = {"7": PubMedRecord(pmid="7", title="Frozen")}
    result = quick(server, snapshot=snapshot).fetch(["7", "8"])
    assert result["7"].status is PubMedStatus.SNAPSHOT
    assert result["8"].status is PubMedStatus.FETCHED
    assert [r.ids for r in server.requests] == [["8"]]


# --- cache --------------------------------------------------------------------------------


def test_cache_serves_the_second_run_and_stale_entries_are_refetched(
    server: NCBIServer, tmp_path: Path
) -> None:
    cache = PubMedCache(tmp_path)
    server.missing.add("3")
    first = quick(server, cache=cache).fetch(["1", "2", "3"])
    assert [o.status for o in first.values()] == [PubMedStatus.FETCHED] * 2 + [
        PubMedStatus.NOT_FOUND
    ]

    second = quick(server, cache=cache).fetch(["1", "2", "3"])
    assert [o.status for o in second.values()] == [PubMedStatus.CACHE] * 2 + [
        PubMedStatus.NOT_FOUND
    ]
    assert second.requests == 0
    assert len(server.requests) == 1

    old = datetime.now(UTC) - timedelta(days=45)
    cache.put(PubMedRecord(pmid="1", title="Before the retraction"), fetched_at=old)
    third = quick(server, cache=cache).fetch(["1", "2"])
    assert third["1"].status is PubMedStatus.FETCHED
    assert third["2"].status is PubMedStatus.CACHE
    assert [r.ids for r in server.requests[1:]] == [["1"]]


def test_a_stale_record_is_the_fallback_when_ncbi_fails(server: NCBIServer, tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)
    old = datetime.now(UTC) - timedelta(days=45)
    cache.put(PubMedRecord(pmid="1", title="Old copy"), fetched_at=old)
    server.fail_always(Fault.server_error(502))
    result = quick(server, cache=cache, max_retries=1).fetch(["1", "2"])

    assert result["1"].status is PubMedStatus.CACHE
    assert result["1"].stale
    assert result["1"].record is not None
    assert result["1"].record.title == "Old copy"
    assert "could not be refreshed" in result["1"].reason
    assert "HTTP 502" in result["1"].reason
    assert result["2"].status is PubMedStatus.UNAVAILABLE


def test_the_api_key_never_leaks(
    server: NCBIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "SECRET-KEY-5f2b9c"
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's request lines included
    client = quick(server, api_key=secret, cache=PubMedCache(tmp_path), max_retries=1)
    server.fail_next(Fault.rate_limited())  # NCBI's 429 body echoes the key
    client.fetch(["1"])
    server.fail_always(Fault.rate_limited())
    failed = client.fetch(["2"])
    with pytest.raises(PubMedUnavailable) as raised:
        client.search_doi(RETRACTED_DOI)
    server.fail_always(None)
    refused = quick(None, api_key=secret, base_url=dead_url(), max_retries=0)
    with pytest.raises(PubMedUnavailable) as unreachable:
        refused.search_doi(RETRACTED_DOI)

    assert server.requests[0].params["api_key"] == secret  # it was really sent
    assert any(secret in r.target for r in server.requests)
    texts = [r.getMessage() for r in caplog.records]
    assert any("api_key=***" in t for t in texts)  # urllib3's line was there, masked
    texts += [str(raised.value), repr(raised.value), str(unreachable.value)]
    texts += [o.reason for o in failed.values()]
    texts += [repr(client), repr(refused)]
    texts += [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file()]
    assert all(secret not in text for text in texts)
    assert all('"api-key"' not in text for text in texts)  # nor the 429 body's echo field
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None


# --- DOI search and ECitMatch -------------------------------------------------------------


def test_doi_search_accepts_only_a_single_match_carrying_the_doi(server: NCBIServer) -> None:
    client = quick(server)
    assert client.search_doi(f"https://doi.org/{RETRACTED_DOI.upper()}") == RETRACTED
    term = server.requests_to("esearch.fcgi")[0].params["term"]
    assert term == f'"{RETRACTED_DOI}"[doi]'  # DOIs are case-insensitive: sent lower-case

    assert client.search_doi("10.1000/nothing-has-this") is None
    server.dois["10.1000/two"] = ["1", "2"]
    assert client.search_doi("10.1000/two") is None
    server.dois["10.1000/mislabelled"] = [RETRACTED]  # PubMed's hit carries another DOI
    assert client.search_doi("10.1000/mislabelled") is None
    server.dois[synthetic_doi("5")] = ["5"]
    assert client.search_doi(synthetic_doi("5")) == "5"
    with pytest.raises(ValueError, match="not a DOI"):
        client.search_doi("not a doi")


def test_ecitmatch_sends_raw_pipes_and_maps_keys_back(server: NCBIServer) -> None:
    citations = {
        ("mann", 1991): CitationQuery("Proc Natl Acad Sci U S A", 1991, "88", "3248", "Mann BJ"),
        ("fake", 2000): CitationQuery("Fake Journal", 2000, "1", "1", "Nobody X"),
        ("zhu", 2020): CitationQuery("N Engl J Med", 2020, "382", "727", "Zhu N"),
    }
    result = quick(server).citmatch(citations)

    assert result == {("mann", 1991): "2014248", ("fake", 2000): None, ("zhu", 2020): "31978945"}
    (request,) = server.requests_to("ecitmatch.cgi")
    assert "%7C" not in request.target.upper()
    assert "bdata=proc+natl+acad+sci+u+s+a|1991|88|3248|mann+bj|k0|%0D" in request.target
    assert request.params["db"] == "pubmed"
    assert request.params["retmode"] == "xml"


# --- rate limiting ------------------------------------------------------------------------


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


def test_one_limiter_is_shared_by_all_threads(shared_server_3rps: NCBIServer) -> None:
    server = shared_server_3rps
    client = PubMedClient(base_url=server.url, email="dev@example.org", timeout=5.0)
    errors: list[BaseException] = []

    def work(first: int) -> None:
        try:
            for pmid in (first, first + 1):
                assert client.fetch([str(pmid)])[str(pmid)].status is PubMedStatus.FETCHED
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 10,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(server.requests) == 8
    assert 429 not in server.statuses()
    assert _most_in_one_second([r.time for r in server.requests]) <= 3


@pytest.fixture
def shared_server_3rps() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed"), rate_limit=3) as running:
        yield running


def test_2000_pmids_at_3_per_second_then_from_the_cache(
    shared_server_3rps: NCBIServer, tmp_path: Path
) -> None:
    server = shared_server_3rps
    wanted = pmids(2000)
    cache = PubMedCache(tmp_path)
    client = PubMedClient(base_url=server.url, email="dev@example.org", cache=cache)
    first = client.fetch(wanted)

    assert len(server.requests) == 10
    assert 429 not in server.statuses()
    assert first.rate_limited == 0
    assert first.with_status(PubMedStatus.FETCHED) == list(first.values())
    assert list(first) == wanted

    second = PubMedClient(base_url=server.url, email="dev@example.org", cache=cache).fetch(wanted)
    assert second.requests == 0
    assert len(server.requests) == 10
    assert {o.status for o in second.values()} == {PubMedStatus.CACHE}
    assert second.records == first.records


# --- progress -----------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_when_asked_and_on_a_terminal(
    server: NCBIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    quick(server).fetch(["1"])
    assert terminal.getvalue() == ""
    quick(server).fetch(["2"], progress=True)
    assert "PubMed" in terminal.getvalue()

    plain = io.StringIO()  # not a terminal: no bar even when asked
    monkeypatch.setattr(sys, "stderr", plain)
    quick(server).fetch(["3"], progress=True)
    assert plain.getvalue() == ""


def test_template_record_is_a_real_fixture_record(server: NCBIServer) -> None:
    # The synthesised records are the real record of TEMPLATE_PMID with the PMID swapped.
    result = quick(server).fetch([TEMPLATE_PMID, "123"])
    real, made = result[TEMPLATE_PMID].record, result["123"].record
    assert real is not None
    assert made is not None
    assert made.title == real.title
    assert made.pmid == "123"
    assert made.doi == synthetic_doi("123")


def test_the_limiter_spaces_requests_from_when_they_really_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from evidence.pubmed.retry import RateLimiter

    clock = [100.0]
    slept: list[float] = []
    monkeypatch.setattr("evidence.pubmed.retry.time.monotonic", lambda: clock[0])
    monkeypatch.setattr("evidence.pubmed.retry.time.sleep", slept.append)
    limiter = RateLimiter(0.35)
    limiter.wait()  # slot 100.0; the request leaves late, at 100.2
    clock[0] = 100.2
    limiter.sent()
    limiter.wait()  # not at 100.35 but 0.35 s after the late one: 100.55
    assert slept == [pytest.approx(0.35)]
    clock[0] = 100.55
    limiter.sent()  # on time: nothing moves
    limiter.wait()
    assert slept[-1] == pytest.approx(0.35)
