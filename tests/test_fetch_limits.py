"""Limits a hostile or broken answer must not break: markup nested thousands deep, and a
server that trickles its answer (issue 12)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree.ElementTree import fromstring

import pytest

from evidence.model import PubMedStatus
from evidence.pubmed import PubMedClient, parse_efetch
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


# --- a server that trickles its answer ---------------------------------------------------


class _Trickler:
    """A loopback server answering every request one byte at a time, 50 ms apart: in its
    headers (``where="headers"``) or in its body. It would take over 8 minutes to finish,
    and counts what it managed to send before the client hung up."""

    TOTAL = 10_000

    def __init__(self, where: str) -> None:
        self.where = where
        self.sent: list[int] = []
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.answer(self)

            do_POST = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        out = handler.wfile
        if self.where == "headers":
            head, filler = b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"
        else:
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                b"Content-Length: " + str(self.TOTAL).encode() + b"\r\n\r\n"
            )
            filler = b" "
        sent = 0
        try:
            out.write(head)
            out.flush()
            while sent < self.TOTAL and not self.stop.wait(0.05):
                out.write(filler)
                out.flush()
                sent += 1
        except OSError:
            pass  # the client hung up: what this test wants to see
        self.sent.append(sent)

    def __enter__(self) -> _Trickler:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_trickling_server_is_given_up_on_at_the_deadline(where: str) -> None:
    # Each byte comes well within the 1 s read timeout, so only a deadline on the whole
    # attempt ends it; two attempts of at most 0.6 s, within a 3 s budget.
    with _Trickler(where) as server:
        client = PubMedClient(
            base_url=server.url,
            email="test@example.org",
            timeout=1.0,
            deadline=0.6,
            max_retries=1,
            backoff=0.0,
            max_total_wait=3.0,
        )
        with client:
            outcome = client.fetch(["12345"])["12345"]
        deadline = threading.Event()
        while len(server.sent) < 2 and not deadline.wait(0.05):
            pass  # the server notices the hang-up at its next write
    assert outcome.status is PubMedStatus.UNAVAILABLE
    assert "no complete answer within 0.6 s" in outcome.reason
    # Both attempts were cut off long before the server would have finished.
    assert len(server.sent) == 2
    assert all(sent < _Trickler.TOTAL // 10 for sent in server.sent), server.sent


def test_the_deadline_never_runs_past_the_retry_budget() -> None:
    with _Trickler("body") as server:
        client = PubMedClient(
            base_url=server.url,
            email="test@example.org",
            timeout=1.0,
            deadline=30.0,
            max_retries=4,
            backoff=0.0,
            max_total_wait=0.5,
        )
        with client:
            outcome = client.fetch(["12345"])["12345"]
    assert outcome.status is PubMedStatus.UNAVAILABLE
    # The attempt was limited to what was left of the 0.5 s budget, not to 30 s.
    assert "no complete answer within 0.5 s" in outcome.reason
