"""The PubMed client: the one place that talks to NCBI (and the only module importing requests).

:class:`PubMedClient` fetches PubMed records in batches, through a cache, politely:

* **Identity.** ``tool`` and ``email`` go with every request, and ``api_key`` when there is
  one. The key is a secret: it is masked in ``repr()``, in every exception and log message
  this module writes, and in urllib3's request log lines (see ``evidence.pubmed.transport``).
* **Rate.** One limiter per client, shared by every thread using it, spaces requests
  0.35 s apart (under NCBI's 3 per second) or 0.105 s with a key (under 10 per second);
  the limiter and the retry waits live in ``evidence.pubmed.retry``.
* **Batches.** EFetch asks for up to ``batch_size`` (200) PMIDs per request, by GET up to
  200 ids and by POST beyond that or when the query string is long. The PMIDs returned are
  matched against those asked for: NCBI silently leaves out PMIDs it does not have, and
  each of those is reported "not found in PubMed", never dropped.
* **Offline.** ``offline=True`` never opens a socket. Records come from the snapshot or the
  cache, and anything else is reported "not looked up".

Retries: one policy, one loop
-----------------------------
Every attempt, first or retry, goes through :meth:`PubMedClient._call`, which waits for the
rate limiter, sends, and classifies the outcome:

=========================================================  ==========================
outcome                                                    what happens
=========================================================  ==========================
connection refused / reset / dropped, timeout              retried
no complete answer by the attempt's ``deadline``           retried (``transport``)
HTTP 429, HTTP 5xx (HTML bodies and all)                   retried, ``Retry-After``
                                                           honoured when present
HTTP 200 whose body is NCBI's 429 JSON                     retried, like a 429
HTTP 200 whose body does not parse (truncated XML)         retried
HTTP 200 with an ``<ERROR>`` element (or JSON ``error``)   :class:`PubMedResponseError`
any other HTTP status (400, 404, 414 ...)                  :class:`PubMedResponseError`
=========================================================  ==========================

Waits grow exponentially from ``backoff`` seconds (1, 2, 4, 8 ... capped at 30) with
jitter (``evidence.pubmed.retry``) so that many clients do not retry in lock-step.
The retry budget is ``max_retries`` retries *and* ``max_total_wait`` seconds from the
first attempt: no attempt runs past it (its deadline is cut to what is left), a wait
that would end past it is not started, and
:class:`PubMedUnavailable` is raised with the last reason.

Why not urllib3's ``Retry`` inside requests' ``HTTPAdapter``? It was the first choice, and
urllib3 is still used: the adapters are mounted with an explicit ``Retry(total=0)`` and its
``parse_retry_after`` reads the header (seconds or an HTTP date). But retries made inside
the adapter would bypass this client's rate limiter (a retry is a request NCBI counts too)
and its total-time budget, and they cannot see the failures that arrive with status 200 (a
429 JSON body, an XML body cut short when the connection dropped). Two retry layers would
mean two budgets multiplied together; one loop that sees every attempt keeps the policy in
one place.

When NCBI cannot be reached at all (every attempt of a request failed before any HTTP
answer), the client remembers it for ``unreachable_cooldown`` seconds and fails fast. In
:meth:`PubMedClient.fetch`, once one batch has used up its retries, the remaining batches
are marked unavailable without more requests, and this is logged once.

Logging goes to ``logging.getLogger("evidence.pubmed")``: retries at INFO, giving up at
WARNING.
"""

from __future__ import annotations

import logging
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from evidence._gc import paused_gc
from evidence.errors import CacheError, PubMedError, PubMedResponseError, PubMedUnavailable
from evidence.model import PubMedRecord, PubMedStatus
from evidence.pubmed import query
from evidence.pubmed.body import find_error, is_rate_limit, summarise_error
from evidence.pubmed.cache import CacheEntry, PubMedCache
from evidence.pubmed.outcome import (
    NOT_FOUND_REASON,
    FetchOutcome,
    FetchResult,
    cached_outcome,
    fallback_outcome,
)
from evidence.pubmed.retry import RateLimiter, backoff_delay, is_retryable
from evidence.pubmed.transport import (
    Answer,
    NoAnswer,
    Watchdog,
    is_name_resolution_failure,
    mask_urllib3_logs,
    no_retries,
    pool_classes,
    retry_after_seconds,
)

if TYPE_CHECKING:  # requests and tqdm are imported when first needed (start-up time)
    import requests
    from requests.adapters import HTTPAdapter

__all__ = ["FetchOutcome", "FetchResult", "PubMedClient"]

logger = logging.getLogger("evidence.pubmed")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_Fetched = tuple[list[PubMedRecord], datetime, CacheError | None]
_IN_FLIGHT = 4  # EFetch requests at once: ~3 a second, each answer taking about a second


# --- adapters ---------------------------------------------------------------------------


def _watched_adapter(watchdog: Watchdog, *, raw_pipes: bool = False, **kwargs: Any) -> HTTPAdapter:
    """An adapter whose connections report to the client's watchdog (``transport``); with
    ``raw_pipes`` they also write ECitMatch's ``|`` separators raw. Its class is made here,
    not at import, so that requests loads only when a session is made."""
    from requests.adapters import HTTPAdapter

    pools = pool_classes(watchdog, raw_pipes=raw_pipes)

    class WatchedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = dict(pools)

    return WatchedAdapter(**kwargs)


# --- one request ----------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """Requests made and 429 answers received during one public call."""

    requests: int = 0
    rate_limited: int = 0


def _describe_transport_error(exc: requests.RequestException) -> str:
    import requests

    if isinstance(exc, requests.Timeout):
        return "no answer before the timeout"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection dropped while the answer was being read"
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")\]]+)", r"\(-?\d+, '([^']+)'\)"):
        found = re.search(pattern, text)
        if found:
            return found.group(1).strip().lower()
    if "RemoteDisconnected" in text or "aborted" in text.lower():
        return "the connection was closed without an answer"
    return f"connection failed ({type(exc).__name__})"


class PubMedClient:
    """Fetch PubMed records from NCBI E-utilities, batched, cached and rate-limited.

    Settings come from the arguments, else from the environment when the client is made
    (``NCBI_API_KEY``, ``NCBI_EMAIL``, ``NCBI_EUTILS_URL``); nothing is read later or
    kept in module globals.

    :param email: the developer's contact address NCBI asks for (``NCBI_EMAIL``).
    :param api_key: an NCBI API key (``NCBI_API_KEY``); allows 10 requests/s instead of 3.
    :param tool: the application name sent as ``tool`` (no spaces).
    :param base_url: E-utilities root (``NCBI_EUTILS_URL``), e.g. a test server.
    :param session: a ``requests.Session`` to send through (the client mounts an adapter
        on it for the ECitMatch URL only); by default the client makes its own.
    :param cache: a :class:`PubMedCache`; ``None`` caches nothing.
    :param snapshot: records to use before the cache and the network (a frozen set of
        records for reproducible builds); they are reported as ``snapshot``.
    :param offline: never touch the network.
    :param timeout: seconds to wait for a connection and between bytes of an answer.
    :param max_retries: retries after the first attempt of one request.
    :param max_total_wait: seconds one request may take with its retries and waits.
    :param backoff: the first retry wait in seconds; each later one doubles.
    :param batch_size: PMIDs per EFetch request.
    :param max_rate: requests per second; default 3, or 10 with a key. Only raise it
        above NCBI's limits if NCBI has granted your key more.
    :param unreachable_cooldown: seconds to fail fast after NCBI could not be reached.
    :param deadline: seconds one attempt may take from connecting to the answer's last
        byte (default twice ``timeout``), and never past ``max_total_wait`` from the
        request's first attempt: ``timeout`` alone bounds each wait for a byte, so a server
        trickling its answer could hold a request for ever (issue 12).

    >>> client = PubMedClient(email="me@example.org", offline=True)
    >>> client.fetch(["27685632"])["27685632"].status
    <PubMedStatus.NOT_LOOKED_UP: 'not-looked-up'>
    """

    def __init__(
        self,
        *,
        email: str | None = None,
        api_key: str | None = None,
        tool: str = "evidence",
        base_url: str | None = None,
        session: requests.Session | None = None,
        cache: PubMedCache | None = None,
        snapshot: Mapping[str, PubMedRecord] | None = None,
        offline: bool = False,
        timeout: float = 30.0,
        max_retries: int = 4,
        max_total_wait: float = 120.0,
        backoff: float = 1.0,
        batch_size: int = 200,
        max_rate: float | None = None,
        unreachable_cooldown: float = 60.0,
        deadline: float | None = None,
    ) -> None:
        self.email = email or os.environ.get("NCBI_EMAIL", "").strip() or None
        self._api_key = api_key or os.environ.get("NCBI_API_KEY", "").strip() or None
        if not tool or any(c.isspace() for c in tool):
            raise ValueError(f"tool must be a name without spaces, not {tool!r}")
        self.tool = tool
        url = base_url or os.environ.get("NCBI_EUTILS_URL", "").strip() or query.DEFAULT_BASE_URL
        self.base_url = url if url.endswith("/") else url + "/"
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        if max_retries < 0 or timeout <= 0 or max_total_wait < 0 or backoff < 0:
            raise ValueError("timeout must be positive; retries and waits cannot be negative")
        self.cache = cache
        self.snapshot = snapshot
        self.offline = offline
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_total_wait = max_total_wait
        self.backoff = backoff
        self.batch_size = batch_size
        self.unreachable_cooldown = unreachable_cooldown
        rate = max_rate if max_rate is not None else (10.0 if self._api_key else 3.0)
        if rate <= 0:
            raise ValueError(f"max_rate must be positive, not {rate}")
        # 5 % under the allowed rate: see "Rate" in the module docstring.
        self._limiter = RateLimiter(1.05 / rate)
        self._random = random.Random()
        self._session = session
        self._own_session = session is None
        self._session_lock = threading.Lock()
        self._prepared = False
        self._unreachable: tuple[float, str] | None = None
        self._state_lock = threading.Lock()
        self.deadline = deadline if deadline is not None else 2 * timeout
        if self.deadline <= 0:
            raise ValueError(f"deadline must be positive, not {self.deadline}")
        self._watchdog = Watchdog()
        if self._api_key:
            mask_urllib3_logs()
        if not self.email and not offline:
            logger.warning(
                "no contact email for NCBI: pass email= or set NCBI_EMAIL (NCBI asks every "
                "E-utilities client for one and may block clients without it)"
            )

    # --- plumbing ---------------------------------------------------------------------

    @property
    def has_api_key(self) -> bool:
        """Whether an API key is set (the key itself is never shown)."""
        return self._api_key is not None

    def __repr__(self) -> str:
        key = "'***'" if self._api_key else "None"
        return (
            f"PubMedClient(base_url={self.base_url!r}, tool={self.tool!r}, "
            f"email={self.email!r}, api_key={key}, offline={self.offline})"
        )

    def __enter__(self) -> PubMedClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session if the client made it (an injected one is left open)."""
        with self._session_lock:
            if self._own_session and self._session is not None:
                self._session.close()
                self._session = None
                self._prepared = False

    def _mask(self, text: str) -> str:
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return text

    def _identity(self) -> dict[str, str]:
        params = {"tool": self.tool}
        if self.email:
            params["email"] = self.email
        if self._api_key:
            params["api_key"] = self._api_key
        return params

    def _get_session(self) -> requests.Session:
        import requests

        with self._session_lock:
            if self._session is None:
                self._session = requests.Session()
            if not self._prepared:
                retry = no_retries()  # transport-level retries are off: see the docstring
                # Mounted for the E-utilities URL only, so an injected session keeps its
                # own adapters for everything else.
                watched = _watched_adapter(self._watchdog, max_retries=retry)
                if self._own_session:
                    plain = requests.adapters.HTTPAdapter(max_retries=retry)
                    self._session.mount("https://", plain)
                    self._session.mount("http://", plain)
                self._session.mount(self.base_url, watched)
                pipes = _watched_adapter(self._watchdog, raw_pipes=True, max_retries=retry)
                self._session.mount(self.base_url + query.ECITMATCH, pipes)
                self._prepared = True
            return self._session

    def _send(
        self,
        endpoint: str,
        params: Mapping[str, str],
        method: str,
        limit: float,
        on_sent: Callable[[], None] | None = None,
    ) -> Answer | NoAnswer:
        """One attempt of at most ``limit`` seconds: an answer with any status, or why no
        answer came. ``on_sent`` is called once the request is on the wire."""
        session = self._get_session()
        with self._watchdog.watch(limit, on_sent) as watch:
            answer = self._attempt(session, endpoint, params, method)
        if watch.expired:
            # Whatever came is cut short: a shut-down socket can even end headers early
            # and look like an empty answer.
            return NoAnswer(
                f"no complete answer within {limit:.1f} s (the server sent it too slowly)"
            )
        return answer

    def _attempt(
        self, session: requests.Session, endpoint: str, params: Mapping[str, str], method: str
    ) -> Answer | NoAnswer:
        import requests

        url = self.base_url + endpoint
        headers = {"User-Agent": f"{self.tool} (evidence PubMed client)"}
        try:
            if endpoint == query.ECITMATCH:
                text = query.encode_query(params, raw=("bdata",))
                response = session.get(f"{url}?{text}", headers=headers, timeout=self.timeout)
            elif method == "POST":
                response = session.post(url, data=params, headers=headers, timeout=self.timeout)
            else:
                response = session.get(url, params=params, headers=headers, timeout=self.timeout)
            body = response.content  # reading the body can fail too (dropped connection)
        except requests.RequestException as exc:
            return NoAnswer(
                self._mask(_describe_transport_error(exc)), is_name_resolution_failure(exc)
            )
        return Answer(
            response.status_code, response.reason or "", body, response.headers.get("Retry-After")
        )

    def _retry_after(self, value: str | None) -> float | None:
        return None if value is None else retry_after_seconds(value)

    def _check_reachable(self, endpoint: str) -> None:
        with self._state_lock:
            if self._unreachable is None:
                return
            until, reason = self._unreachable
            if time.monotonic() >= until:
                self._unreachable = None
                return
        raise PubMedUnavailable(
            f"{endpoint}: NCBI could not be reached a moment ago ({reason}); not tried again "
            f"for up to {self.unreachable_cooldown:.0f} s"
        )

    def _call(
        self,
        endpoint: str,
        params: Mapping[str, str],
        *,
        parse: Callable[[bytes], T],
        tally: _Tally,
        method: str = "GET",
        on_send: Callable[[], None] | None = None,
        on_answer: Callable[[], None] | None = None,
    ) -> T:
        """Send one request with the retry policy of the module docstring; parse the body.

        ``on_send`` is called when an attempt's request has been written,
        ``on_answer`` when an answer has arrived and is about to be parsed."""
        if self.offline:
            raise PubMedUnavailable(f"{endpoint}: not looked up (the client is offline)")
        self._check_reachable(endpoint)
        full = {**params, **self._identity()}

        def written() -> None:
            self._limiter.sent()  # first: on_send lets the next request reserve its slot
            if on_send is not None:
                on_send()

        started = time.monotonic()
        attempts = 0
        reached = False  # did any attempt get an HTTP answer?
        while True:
            attempts += 1
            self._limiter.wait()
            tally.requests += 1
            left = self.max_total_wait - (time.monotonic() - started)
            limit = max(min(self.deadline, left), 0.1)
            answer = self._send(endpoint, full, method, limit, written)
            retry_after: float | None = None
            final = False
            if isinstance(answer, NoAnswer):
                reason, final = answer.reason, answer.final
            else:
                reached = True
                retry_after = self._retry_after(answer.retry_after)
                if is_retryable(answer.status):
                    if answer.status == 429:
                        tally.rate_limited += 1
                    reason = f"HTTP {answer.status} {answer.reason}: {summarise_error(answer.body)}"
                elif answer.status != 200:
                    raise PubMedResponseError(
                        self._mask(
                            f"{endpoint}: HTTP {answer.status} {answer.reason}: "
                            f"{summarise_error(answer.body)} "
                            "(not retried: NCBI refused the request)"
                        )
                    )
                elif is_rate_limit(answer.body):
                    tally.rate_limited += 1
                    reason = f"HTTP 200 carrying a 429 body: {summarise_error(answer.body)}"
                else:
                    message = find_error(answer.body)
                    if message is not None:
                        raise PubMedResponseError(
                            self._mask(f"{endpoint}: NCBI answered with an error: {message}")
                        )
                    if on_answer is not None:
                        on_answer()
                    try:
                        result = parse(answer.body)
                    except PubMedResponseError as exc:
                        reason = f"unreadable answer, probably cut short ({exc.message})"
                    else:
                        with self._state_lock:
                            self._unreachable = None
                        return result
            reason = self._mask(reason)
            elapsed = time.monotonic() - started
            wait = (
                retry_after
                if retry_after is not None
                else backoff_delay(attempts, self.backoff, self._random)
            )
            if final or attempts > self.max_retries or elapsed + wait > self.max_total_wait:
                break
            logger.info(
                "%s: %s; retry %d of %d in %.2f s",
                endpoint,
                reason,
                attempts,
                self.max_retries,
                wait,
            )
            time.sleep(wait)
        elapsed = time.monotonic() - started
        message = (
            f"{endpoint}: gave up after {attempts} attempt{'s' if attempts > 1 else ''} "
            f"in {elapsed:.1f} s: {reason}"
        )
        if not reached:
            with self._state_lock:
                self._unreachable = (time.monotonic() + self.unreachable_cooldown, reason)
            tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
            message = f"{endpoint}: NCBI could not be reached: {reason} ({tries})"
        raise PubMedUnavailable(message)

    # --- the API ----------------------------------------------------------------------

    def fetch(self, pmids: Iterable[str], *, progress: bool = False) -> FetchResult:
        """Records for ``pmids``: snapshot, then fresh cache, then NCBI in batches.

        Every requested PMID gets an outcome; nothing is dropped. NCBI's failures become
        ``unavailable`` outcomes with the reason (a stale cached copy is used instead when
        there is one); PMIDs NCBI does not return are ``not-found``. A progress bar is
        drawn on stderr when ``progress`` is true and stderr is a terminal.
        """
        tally = _Tally()
        outcomes: dict[str, FetchOutcome] = {}
        pending: list[str] = []
        fallback: dict[str, CacheEntry] = {}
        warned_cache = False
        # Reading thousands of cached records makes hundreds of thousands of small objects
        # and no cycles: with the cyclic GC paused that is a third faster (the GC would
        # walk the growing heap again and again). It is restored before any network I/O.
        with paused_gc():
            self._look_up(pmids, outcomes, pending, fallback)

        if self.offline:
            for pmid in pending:
                outcomes[pmid] = self._fallback(
                    pmid,
                    fallback,
                    PubMedStatus.NOT_LOOKED_UP,
                    "the client is offline"
                    if pmid in fallback
                    else "not looked up: the client is offline and the PMID is not cached",
                )
            return FetchResult(outcomes)

        batches = list(query.batched(pending, self.batch_size))
        if not batches:  # all answered from the snapshot and the cache: no network code
            return FetchResult(outcomes, requests=0, rate_limited=0)
        from tqdm import tqdm  # here: a run from the cache alone never loads it

        show = progress and sys.stderr is not None and sys.stderr.isatty()
        down: str | None = None  # set once NCBI has failed a whole retry budget
        # Pipelined: up to _IN_FLIGHT batches are requested at once, each as soon as the
        # limiter allows, while answers are parsed (in the workers) and cached (here). One
        # thread doing all in turn paid each answer's network time (a second or more from
        # NCBI) plus its parsing, and fell far behind the rate NCBI allows. Requests still
        # start in batch order (each waits for the previous one to be sent), and none goes
        # after the first until NCBI has answered it: when NCBI cannot be reached, only
        # the first batch's attempts are made, as before.
        sent = [threading.Event() for _ in batches]
        first_answer = threading.Event()
        stop = threading.Event()
        with (
            tqdm(total=len(pending), unit="PMID", desc="PubMed", disable=not show) as bar,
            ThreadPoolExecutor(_IN_FLIGHT, thread_name_prefix="evidence-efetch") as pool,
        ):
            jobs = [
                pool.submit(self._efetch_job, batch, index, sent, first_answer, stop)
                for index, batch in enumerate(batches)
            ]
            for index, batch in enumerate(batches):
                answer, spent = jobs[index].result()
                tally.requests += spent.requests
                tally.rate_limited += spent.rate_limited
                if down is None:
                    if isinstance(answer, PubMedUnavailable):
                        down = answer.message
                        left = sum(len(b) for b in batches[index:])
                        logger.warning("%s; %d PMIDs not fetched, marked unavailable", down, left)
                    elif isinstance(answer, PubMedError):  # a PubMedResponseError
                        # An error about this request only; later batches may be fine.
                        logger.warning(
                            "%s (%d PMIDs marked unavailable)", answer.message, len(batch)
                        )
                        for pmid in batch:
                            outcomes[pmid] = self._fallback(
                                pmid, fallback, PubMedStatus.UNAVAILABLE, answer.message
                            )
                    elif answer is not None:
                        warned_cache = self._take(batch, answer, outcomes, warned_cache)
                if down is not None:
                    for pmid in batch:
                        outcomes[pmid] = self._fallback(
                            pmid, fallback, PubMedStatus.UNAVAILABLE, down
                        )
                bar.update(len(batch))
        return FetchResult(outcomes, requests=tally.requests, rate_limited=tally.rate_limited)

    def _efetch_job(
        self,
        batch: tuple[str, ...],
        index: int,
        sent: Sequence[threading.Event],
        first_answer: threading.Event,
        stop: threading.Event,
    ) -> tuple[_Fetched | PubMedError | None, _Tally]:
        """One batch in a worker of :meth:`fetch`: its records (cached, with the time and
        any cache error), the error, or ``None`` when it was not sent (NCBI unreachable);
        and the requests it took."""
        tally = _Tally()
        if index:
            sent[index - 1].wait()  # requests start in batch order
            first_answer.wait()  # and only once NCBI has answered the first
        if stop.is_set():
            sent[index].set()
            return None, tally
        try:
            # The parsers load only when a request goes out (not for a run from the cache).
            from evidence.pubmed.efetch import parse_efetch

            endpoint, params = query.efetch_params(batch)
            method = "POST" if query.should_post(params, len(batch)) else "GET"
            records = self._call(
                endpoint,
                params,
                parse=parse_efetch,
                tally=tally,
                method=method,
                on_send=sent[index].set,
                on_answer=first_answer.set,
            )
        except PubMedUnavailable as exc:
            stop.set()  # before the waiting batches are let go, in ``finally``
            return exc, tally
        except PubMedResponseError as exc:
            return exc, tally
        finally:
            sent[index].set()
            first_answer.set()
        now = datetime.now(UTC)
        return (records, now, self._store(batch, records, now)), tally

    def _look_up(
        self,
        pmids: Iterable[str],
        outcomes: dict[str, FetchOutcome],
        pending: list[str],
        fallback: dict[str, CacheEntry],
    ) -> None:
        """First pass of :meth:`fetch`: every PMID answered from the snapshot or the cache
        goes to ``outcomes``; the rest to ``pending`` (stale entries to ``fallback``)."""
        wanted: list[str] = []
        for raw in pmids:
            text = str(raw).strip()
            pmid = query.normalise_pmid(text)
            if pmid is None:
                if text not in outcomes:
                    outcomes[text] = FetchOutcome(
                        text, PubMedStatus.NOT_FOUND, reason=f"{text!r} is not a PMID (digits only)"
                    )
                continue
            if pmid in outcomes:
                continue
            outcomes[pmid] = FetchOutcome(pmid, PubMedStatus.NOT_LOOKED_UP)  # placeholder
            wanted.append(pmid)
        snapshot = self.snapshot if self.snapshot is not None else {}
        # The cache is read in one go: a shared reader builds shared vocabulary once.
        entries = (
            self.cache.get_many(p for p in wanted if p not in snapshot)
            if self.cache is not None
            else {}
        )
        for pmid in wanted:
            known = self._known(pmid, entries.get(pmid))
            if isinstance(known, FetchOutcome):
                outcomes[pmid] = known
                continue
            if known is not None:
                fallback[pmid] = known
            pending.append(pmid)

    def _store(
        self, batch: tuple[str, ...], records: list[PubMedRecord], now: datetime
    ) -> CacheError | None:
        """Cache one batch's answer as one pack (in the worker that fetched it: file writes
        wait on the disk, not on the caller); the error, if any, for the caller to report."""
        if self.cache is None:
            return None
        by_pmid = {r.pmid: r for r in records}
        try:
            self.cache.put_many({pmid: by_pmid.get(pmid) for pmid in batch}, fetched_at=now)
        except CacheError as exc:
            return exc
        return None

    def _take(
        self,
        batch: tuple[str, ...],
        answer: _Fetched,
        outcomes: dict[str, FetchOutcome],
        warned_cache: bool,
    ) -> bool:
        """Record one batch's answer; returns whether a cache warning was given."""
        records, now, failed = answer
        by_pmid = {r.pmid: r for r in records}
        for pmid in batch:
            record = by_pmid.get(pmid)
            if record is None:
                outcomes[pmid] = FetchOutcome(
                    pmid, PubMedStatus.NOT_FOUND, reason=NOT_FOUND_REASON, fetched_at=now
                )
            else:
                outcomes[pmid] = FetchOutcome(pmid, PubMedStatus.FETCHED, record, fetched_at=now)
        if failed is not None and not warned_cache:
            # A cache that cannot be written costs speed next time, not this result.
            logger.warning("%s (records are not cached in this run)", failed)
            warned_cache = True
        extra = set(by_pmid) - set(batch)
        if extra:
            logger.debug("efetch returned PMIDs not asked for: %s", ", ".join(sorted(extra)))
        return warned_cache

    def _known(self, pmid: str, entry: CacheEntry | None) -> FetchOutcome | CacheEntry | None:
        """A ready outcome from the snapshot or a fresh cache ``entry`` (what the cache
        holds for ``pmid``); a stale entry; or None."""
        if self.snapshot is not None and pmid in self.snapshot:
            return FetchOutcome(pmid, PubMedStatus.SNAPSHOT, self.snapshot[pmid])
        if entry is None or entry.stale:
            return entry
        return cached_outcome(entry)

    _fallback = staticmethod(fallback_outcome)

    def search_doi(self, doi: str) -> str | None:
        """The PMID of the article with ``doi``, or ``None`` when PubMed gives no sure match.

        A match is accepted only when ESearch finds exactly one PMID *and* that PMID's
        record (fetched, or from the cache) carries the same DOI; PubMed rewrites DOI
        queries and can return unrelated records. Raises :class:`ValueError` for text that
        is not a DOI, :class:`PubMedUnavailable` when NCBI cannot answer (or the client is
        offline) and :class:`PubMedResponseError` when it answers with an error.
        """
        wanted = query.normalise_doi(doi)
        if wanted is None:
            raise ValueError(f"{doi!r} is not a DOI (expected 10.<prefix>/<suffix>)")
        from evidence.pubmed.answers import parse_esearch

        endpoint, params = query.esearch_doi_params(wanted)
        found = self._call(endpoint, params, parse=parse_esearch, tally=_Tally())
        if found.count != 1 or len(found.ids) != 1:
            logger.info("DOI %s: %d PubMed matches, so no PMID is taken", wanted, found.count)
            return None
        pmid = found.ids[0]
        outcome = self.fetch([pmid])[pmid]
        if outcome.record is None:
            if outcome.status is PubMedStatus.NOT_FOUND:
                return None
            raise PubMedUnavailable(
                f"DOI {wanted}: PubMed names PMID {pmid}, but its record could not be fetched "
                f"to confirm it ({outcome.reason})"
            )
        carried = outcome.record.doi or ""
        if carried.casefold() != wanted.casefold():
            logger.info(
                "DOI %s: PubMed's match PMID %s carries DOI %s, so it is not taken",
                wanted,
                pmid,
                carried or "(none)",
            )
            return None
        return pmid

    def esearch_dois(self, dois: Sequence[str], *, retmax: int) -> list[str]:
        """The PMIDs one ESearch finds for any of ``dois`` (normalised DOIs; POST when
        long). Used by ``evidence.pubmed.search_dois``, which checks each hit."""
        from evidence.pubmed.answers import parse_esearch

        endpoint, params = query.esearch_dois_params(dois, retmax=retmax)
        method = "POST" if query.should_post(params, 0) else "GET"
        found = self._call(endpoint, params, parse=parse_esearch, tally=_Tally(), method=method)
        return list(found.ids)

    def citmatch(self, citations: Mapping[K, query.CitationQuery]) -> dict[K, str | None]:
        """PMIDs for citations by journal, year, volume, first page and author (ECitMatch).

        Returns every key of ``citations``: the PMID NCBI matched, or ``None`` (no match,
        an ambiguous match, or an unknown journal). Keys can be any hashable values; they
        never go on the wire (short internal keys do). Raises :class:`PubMedUnavailable`
        or :class:`PubMedResponseError` like :meth:`search_doi`.
        """
        keys = list(citations)
        internal = {f"k{i}": key for i, key in enumerate(keys)}
        lines = [query.ecitmatch_line(citations[key], f"k{i}") for i, key in enumerate(keys)]
        result: dict[K, str | None] = dict.fromkeys(keys)
        tally = _Tally()
        for chunk in query.chunk_lines(lines):
            endpoint, params = query.ecitmatch_params(chunk)
            matches = self._call(endpoint, params, parse=_parse_citmatch_body, tally=tally)
            for key, pmid in matches.items():
                if key in internal:
                    result[internal[key]] = pmid
        return result


def _parse_citmatch_body(body: bytes) -> dict[str, str | None]:
    # ECitMatch answers in plain text whatever retmode says.
    from evidence.pubmed.answers import parse_ecitmatch

    return parse_ecitmatch(body.decode("utf-8", "replace"))
