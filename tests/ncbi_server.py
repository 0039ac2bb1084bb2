"""A real HTTP stand-in for NCBI E-utilities on 127.0.0.1, for tests and benchmarks.

It replays real E-utilities answers from ``shared/fixtures/pubmed`` and makes up the rest
from them, so the client is tested over real sockets without patching anything:

* ``efetch.fcgi`` (GET or POST): a ``PubmedArticleSet`` holding, for each requested PMID,
  the real fixture article if the PMID is one of the fixtures' records, else a record
  templated from the real record of PMID 219391 with the PMID substituted (and its DOI
  replaced by :func:`synthetic_doi`), so any number of distinct PMIDs can be served. PMIDs
  in :attr:`NCBIServer.missing` are left out silently, as NCBI does; when every PMID is
  missing the real empty-set answer is replayed.
* ``esearch.fcgi``: ``"<doi>"[doi]`` terms are looked up in :attr:`NCBIServer.dois`
  (filled with the fixtures' DOIs); no hit replays the real phrase-not-found answer.
* ``ecitmatch.cgi``: echoes each ``bdata`` line with the PMID from
  :attr:`NCBIServer.citations` (filled from the real ECitMatch fixture), else
  ``NOT_FOUND;INVALID_JOURNAL`` with the author blanked, as in the real answer.

Every request is recorded (:class:`RecordedRequest`: method, raw target, endpoint,
parameters, arrival time on the ``time.monotonic`` clock, status answered). Faults are
scripted with :meth:`NCBIServer.fail_next` (one per request, in order) or
:meth:`NCBIServer.fail_always`, from the :class:`Fault` constructors; and
``rate_limit=N`` answers 429 to every request beyond N in the trailing second.

>>> with NCBIServer(fixtures) as server:                         # doctest: +SKIP
...     server.fail_next(Fault.rate_limited(), Fault.server_error(503))
...     client = PubMedClient(base_url=server.url, email="t@example.org")
"""

from __future__ import annotations

import json
import os
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["BASE_PATH", "TEMPLATE_PMID", "Fault", "NCBIServer", "RecordedRequest", "synthetic_doi"]

BASE_PATH = "/entrez/eutils/"
TEMPLATE_FILE = "efetch_pubmed_case_report_no_abstract.xml"
TEMPLATE_PMID = "219391"
TEMPLATE_DOI = "10.1055/s-0028-1085314"

_ARTICLE = re.compile(r"<(PubmedArticle|PubmedBookArticle)>.*?</\1>", re.S)
_FIRST_PMID = re.compile(r"<PMID[^>]*>(\d+)</PMID>")
_OWN_DOI = re.compile(
    r'<ArticleIdList>(?:(?!</ArticleIdList>).)*?<ArticleId IdType="doi">([^<]+)<', re.S
)
_DOI_TERM = re.compile(r'^"(.+)"\[doi\]$', re.IGNORECASE)

_HTML_ERROR = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n<html><head>'
    "<title>{status} {reason}</title></head><body><h1>{reason}</h1>"
    "<p>The server is temporarily unable to service your request.</p></body></html>\n"
)


def synthetic_doi(pmid: str) -> str:
    """The DOI the server gives a templated (non-fixture) record."""
    return f"10.5555/evidence.{pmid}"


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour. Build them with the class methods.

    ``endpoint`` limits the fault to requests for that endpoint (``efetch.fcgi``...);
    requests for other endpoints pass it by and it waits for a matching one.
    """

    kind: str
    status: int = 200
    seconds: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    endpoint: str | None = None

    @classmethod
    def rate_limited(cls, *, status: int = 429, retry_after: str | None = None) -> Fault:
        """NCBI's real 429 JSON body, with HTTP ``status`` (429, or 200 as some clients see)."""
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls("rate-limit", status=status, headers=headers)

    @classmethod
    def server_error(cls, status: int = 503) -> Fault:
        """A 5xx with an HTML error page, as gateways send."""
        return cls("html-error", status=status)

    @classmethod
    def bad_request(cls) -> Fault:
        """HTTP 400 (must never be retried)."""
        return cls("html-error", status=400)

    @classmethod
    def stall(cls, seconds: float) -> Fault:
        """Read the request, answer nothing for ``seconds``, then close."""
        return cls("stall", seconds=seconds)

    @classmethod
    def truncated(cls, *, silent: bool = False) -> Fault:
        """The normal answer cut in half: with its full Content-Length (the client sees the
        connection drop), or ``silent`` with no length, so the XML just ends early."""
        return cls("truncate-silent" if silent else "truncate")

    @classmethod
    def reset(cls) -> Fault:
        """Read the request, then reset the connection (TCP RST) without answering."""
        return cls("reset")

    @classmethod
    def error_element(cls) -> Fault:
        """HTTP 200 whose body is NCBI's real ``<ERROR>`` answer."""
        return cls("error-element")

    def only(self, endpoint: str) -> Fault:
        """The same fault, applied only to ``endpoint``."""
        return Fault(self.kind, self.status, self.seconds, self.headers, endpoint)


@dataclass
class RecordedRequest:
    """One request as the server saw it (``status`` is what it answered, 0 for none)."""

    method: str
    target: str
    endpoint: str
    params: dict[str, str]
    time: float
    status: int = 0
    fault: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """The PMIDs of an EFetch request."""
        return [i for i in self.params.get("id", "").split(",") if i]


class NCBIServer:
    """The stand-in server; use it as a context manager (it listens while inside).

    :param fixtures: the ``shared/fixtures/pubmed`` folder.
    :param rate_limit: answer 429 to any request beyond this many in the trailing second.
    """

    def __init__(self, fixtures: Path, *, rate_limit: int | None = None) -> None:
        self.fixtures = fixtures
        self.rate_limit = rate_limit
        self.missing: set[str] = set()
        self.dois: dict[str, list[str]] = {}
        self.citations: dict[tuple[str, str, str, str], str] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._always: Fault | None = None
        self._stopping = threading.Event()
        self._articles: dict[str, str] = {}
        self._load_fixtures()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- fixtures -------------------------------------------------------------------

    def _read(self, name: str) -> str:
        return (self.fixtures / name).read_text(encoding="utf-8")

    def _load_fixtures(self) -> None:
        for path in sorted(self.fixtures.glob("efetch_*.xml")):
            for match in _ARTICLE.finditer(path.read_text(encoding="utf-8")):
                article = match.group(0)
                found = _FIRST_PMID.search(article)
                if found is None:
                    continue
                self._articles[found.group(1)] = article
                doi = _OWN_DOI.search(article)
                if doi is not None:
                    self.dois.setdefault(doi.group(1).lower(), []).append(found.group(1))
        template_text = self._read(TEMPLATE_FILE)
        self._header = template_text[: template_text.index("<PubmedArticleSet>")]
        self._template = self._articles[TEMPLATE_PMID]
        self._empty_set = self._read("efetch_pubmed_empty_set.xml")
        self._no_hits = self._read("esearch_pubmed_phrase_not_found.xml")
        self._error_body = self._read("esummary_error_missing_id.xml")
        self._rate_limit_body = json.loads(self._read("error_rate_limit_429_body.json"))
        for line in self._read("ecitmatch_found_and_invalid_journal.txt").splitlines():
            journal, year, volume, page, _author, _key, pmid = line.split("|")
            if pmid.isdigit():
                self.citations[(journal, year, volume, page)] = pmid

    def article_xml(self, pmid: str) -> str:
        """The ``PubmedArticle`` the server gives for ``pmid`` (real or templated)."""
        real = self._articles.get(pmid)
        if real is not None:
            return real
        return (
            self._template.replace(
                f'<PMID Version="1">{TEMPLATE_PMID}</PMID>', f'<PMID Version="1">{pmid}</PMID>'
            )
            .replace(
                f'<ArticleId IdType="pubmed">{TEMPLATE_PMID}</ArticleId>',
                f'<ArticleId IdType="pubmed">{pmid}</ArticleId>',
            )
            .replace(TEMPLATE_DOI, synthetic_doi(pmid))
        )

    # --- control --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The E-utilities base URL to give the client."""
        assert self._httpd is not None, "the server is not running"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{BASE_PATH}"

    def fail_next(self, *faults: Fault) -> None:
        """Apply these faults to the next requests, one each, in order."""
        with self._lock:
            self._faults.extend(faults)

    def fail_always(self, fault: Fault | None) -> None:
        """Apply ``fault`` to every request from now on (``None`` stops it)."""
        with self._lock:
            self._always = fault

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """The recorded requests for one endpoint, in arrival order."""
        with self._lock:
            return sorted(
                (r for r in self.requests if r.endpoint == endpoint), key=lambda r: r.time
            )

    def statuses(self) -> list[int]:
        """The status answered to each request, in arrival order."""
        with self._lock:
            return [r.status for r in sorted(self.requests, key=lambda r: r.time)]

    def __enter__(self) -> NCBIServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on 127.0.0.1 on a free port, in a background thread."""
        handler = type("Handler", (_Handler,), {"ncbi": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening; stalled answers are released at once."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- answering ------------------------------------------------------------------

    def _arrive(self, request: RecordedRequest) -> Fault | None:
        """Record ``request`` and pick the fault for it (a rate-limit 429 included)."""
        with self._lock:
            self.requests.append(request)
            if self.rate_limit is not None:
                recent = sum(1 for r in self.requests if 0 <= request.time - r.time < 1.0)
                if recent > self.rate_limit:
                    return Fault("rate-limit", status=429)
            for index, fault in enumerate(self._faults):
                if fault.endpoint in (None, request.endpoint):
                    del self._faults[index]
                    return fault
            return self._always

    def _rate_limit_json(self, request: RecordedRequest, client_ip: str) -> bytes:
        body = dict(self._rate_limit_body)
        # Real NCBI echoes the caller's API key (or IP address) in this field.
        body["api-key"] = request.params.get("api_key", client_ip)
        return json.dumps(body, separators=(",", ":")).encode()

    def _answer(self, request: RecordedRequest) -> tuple[int, str, bytes]:
        endpoint = request.endpoint
        if endpoint == "efetch.fcgi":
            pmids = [p for p in request.ids if p not in self.missing]
            if not pmids:
                return 200, "text/xml; charset=UTF-8", self._empty_set.encode()
            body = "\n".join(self.article_xml(p) for p in pmids)
            text = f"{self._header}<PubmedArticleSet>\n{body}\n</PubmedArticleSet>"
            return 200, "text/xml; charset=UTF-8", text.encode()
        if endpoint == "esearch.fcgi":
            return 200, "text/xml; charset=UTF-8", self._esearch(request.params).encode()
        if endpoint == "ecitmatch.cgi":
            return 200, "text/plain; charset=UTF-8", self._ecitmatch(request.params).encode()
        return 400, "text/plain", f"unknown endpoint {endpoint}\n".encode()

    def _esearch(self, params: dict[str, str]) -> str:
        # One DOI term, or several joined by OR (the client's batched DOI search).
        terms = [_DOI_TERM.match(part.strip()) for part in params.get("term", "").split(" OR ")]
        term = terms[0] if len(terms) == 1 else None
        ids = list(
            dict.fromkeys(i for t in terms if t for i in self.dois.get(t.group(1).lower(), []))
        )
        if not ids:
            return self._no_hits
        retmax = int(params.get("retmax", "20"))
        shown = "".join(f"<Id>{i}</Id>\n" for i in ids[:retmax])
        head = self._no_hits[: self._no_hits.index("<eSearchResult>")]
        return (
            f"{head}<eSearchResult><Count>{len(ids)}</Count><RetMax>{min(retmax, len(ids))}"
            f"</RetMax><RetStart>0</RetStart><IdList>\n{shown}</IdList><TranslationSet/>"
            f'<QueryTranslation>"{term.group(1) if term else ""}"[Publisher ID]'
            "</QueryTranslation></eSearchResult>\n"
        )

    def _ecitmatch(self, params: dict[str, str]) -> str:
        lines = []
        for line in re.split(r"[\r\n]+", params.get("bdata", "")):
            if not line.strip():
                continue
            fields = (line.split("|") + [""] * 6)[:6]
            journal, year, volume, page, author, key = fields
            pmid = self.citations.get((journal, year, volume, page))
            if pmid is None:
                lines.append(f"{journal}|{year}|{volume}|{page}||{key}|NOT_FOUND;INVALID_JOURNAL")
            else:
                lines.append(f"{journal}|{year}|{volume}|{page}|{author}|{key}|{pmid}")
        return "\n".join(lines) + "\n"


class _Handler(BaseHTTPRequestHandler):
    ncbi: NCBIServer
    protocol_version = "HTTP/1.1"  # keep-alive, as NCBI's front end

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read :attr:`NCBIServer.requests` instead."""

    def do_GET(self) -> None:
        self._handle(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._handle(self.rfile.read(length).decode("utf-8"))

    def _handle(self, query: str) -> None:
        arrived = time.monotonic()
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        endpoint = urlsplit(self.path).path.rsplit("/", 1)[-1]
        request = RecordedRequest(
            self.command, self.path, endpoint, params, arrived, headers=dict(self.headers.items())
        )
        server = self.ncbi
        fault = server._arrive(request)
        request.fault = fault.kind if fault else None
        kind = fault.kind if fault else None
        extra = fault.headers if fault else ()
        if kind == "stall" and fault is not None:
            server._stopping.wait(fault.seconds)
            self.close_connection = True
            return
        if kind == "reset":
            self._reset()
            return
        if kind == "rate-limit" and fault is not None:
            body = server._rate_limit_json(request, self.client_address[0])
            self._send(request, fault.status, "application/json", body, extra)
            return
        if kind == "html-error" and fault is not None:
            reason = self.responses.get(fault.status, ("Error",))[0]
            page = _HTML_ERROR.format(status=fault.status, reason=reason).encode()
            self._send(request, fault.status, "text/html", page, extra)
            return
        if kind == "error-element":
            self._send(request, 200, "text/xml", server._error_body.encode(), extra)
            return
        status, content_type, body = server._answer(request)
        if kind in ("truncate", "truncate-silent"):
            request.status = status
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if kind == "truncate":
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self._send(request, status, content_type, body, extra)

    def _send(
        self,
        request: RecordedRequest,
        status: int,
        content_type: str,
        body: bytes,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        request.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-RateLimit-Limit", str(self.ncbi.rate_limit or 3))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        with suppress(OSError):
            self.wfile.write(body)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes closing send RST instead of FIN. The file
        # descriptor is detached and closed directly: socket.close() would wait for the
        # handler's file objects, which the base class still flushes afterwards.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        os.close(self.connection.detach())
