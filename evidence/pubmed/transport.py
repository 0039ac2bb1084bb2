"""Connections for the PubMed client: a wall-clock deadline per attempt, raw ECitMatch pipes.

**Deadline.** requests' ``timeout`` bounds each wait for a byte, not a whole answer: a
server that sends one byte every 2 s never trips a 30 s timeout, and held ``evidence
fetch`` for 519 s against a retry budget of 120 s (issue 12). A :class:`Watchdog` bounds
the whole attempt instead: the connections made through :func:`pool_classes` hand it
their socket, and when an attempt outlives its deadline a timer shuts that socket down,
so the blocked read returns at once and the attempt fails like a dropped connection.
A timer, not a check between reads, because a read of a trickled answer blocks until
its buffer fills; a socket shutdown interrupts it from another thread, which closing
the file object does not.

**Raw pipes.** NCBI's ECitMatch wants the ``|`` field separators raw (Biopython un-escapes
them too), but requests and urllib3 >= 2 both percent-encode ``|`` in a request target, as
RFC 3986 asks. The ECitMatch connections put the pipes back as the request line is
written. bdata fields never contain ``|`` themselves (``query.ecitmatch_line`` replaces
them), so every ``%7C`` there is a separator.

**Masking.** urllib3's DEBUG lines print full request URLs, API key included:
:func:`mask_urllib3_logs` masks it.

urllib3 only: requests is imported by the client alone (its adapter mounts these pools).
urllib3 itself is imported inside the functions that need it, when a session is made or
an answer read: a command that never goes online (``evidence check --offline``) does not
load it.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import urllib3.connectionpool
    from urllib3.util.retry import Retry

__all__ = [
    "Answer",
    "NoAnswer",
    "Watch",
    "Watchdog",
    "is_name_resolution_failure",
    "mask_urllib3_logs",
    "no_retries",
    "pool_classes",
    "retry_after_seconds",
]


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer of any status, as one attempt got it."""

    status: int
    reason: str
    body: bytes
    retry_after: str | None


@dataclass(frozen=True, slots=True)
class NoAnswer:
    """Why an attempt got no HTTP answer; ``final`` when retrying cannot help soon."""

    reason: str
    final: bool = False


class Watch:
    """One attempt being watched; ``expired`` turns true when its deadline passed."""

    __slots__ = ("expired", "on_written", "seconds", "socket")

    def __init__(self, seconds: float, on_written: Callable[[], None] | None = None) -> None:
        self.seconds = seconds
        self.expired = False
        self.socket: socket.socket | None = None
        self.on_written = on_written


class Watchdog:
    """Shuts down the socket of an attempt still running at its deadline.

    One per client; each thread has at most one attempt watched at a time (the client
    makes one request at a time per thread), so attempts are keyed by thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[int, Watch] = {}

    @contextmanager
    def watch(
        self, seconds: float, on_written: Callable[[], None] | None = None
    ) -> Iterator[Watch]:
        """Watch the attempt this thread makes inside the ``with`` block; ``on_written`` is
        called once its request has been written to the socket."""
        current = Watch(seconds, on_written)
        ident = threading.get_ident()
        timer = threading.Timer(max(seconds, 0.0), self._expire, (current,))
        timer.daemon = True
        with self._lock:
            self._watches[ident] = current
        timer.start()
        try:
            yield current
        finally:
            timer.cancel()
            with self._lock:
                self._watches.pop(ident, None)

    def attach(self, sock: socket.socket | None) -> None:
        """The socket this thread's watched attempt is using (from the connection)."""
        if sock is None:
            return
        with self._lock:
            current = self._watches.get(threading.get_ident())
            if current is None:
                return
            current.socket = sock
            expired = current.expired
        if expired:
            _shut(sock)

    def written(self) -> None:
        """This thread's watched request is on the wire (from the connection)."""
        with self._lock:
            current = self._watches.get(threading.get_ident())
            call = current.on_written if current is not None else None
            if current is not None:
                current.on_written = None
        if call is not None:
            call()

    def _expire(self, current: Watch) -> None:
        with self._lock:
            current.expired = True
            sock = current.socket
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def pool_classes(
    watchdog: Watchdog, *, raw_pipes: bool = False
) -> dict[str, type[urllib3.connectionpool.HTTPConnectionPool]]:
    """urllib3 pool classes by scheme whose connections report to ``watchdog`` (and, with
    ``raw_pipes``, write ``|`` raw in the request target)."""
    import urllib3.connection
    import urllib3.connectionpool

    def target(url: str) -> str:
        return url.replace("%7C", "|") if raw_pipes else url

    class Watched:
        """What both connection classes add: the watchdog sees the socket (also a kept-alive
        one) and each request written; ``|`` goes raw into the target when asked."""

        sock: Any

        def connect(self) -> None:
            super().connect()  # type: ignore[misc]
            watchdog.attach(self.sock)

        def putrequest(
            self,
            method: str,
            url: str,
            skip_host: bool = False,
            skip_accept_encoding: bool = False,
        ) -> None:
            super().putrequest(  # type: ignore[misc]
                method, target(url), skip_host, skip_accept_encoding
            )

        def request(self, *args: Any, **kwargs: Any) -> None:
            super().request(*args, **kwargs)  # type: ignore[misc]
            watchdog.written()

        def getresponse(self) -> Any:
            watchdog.attach(self.sock)  # a kept-alive connection was connected earlier
            return super().getresponse()  # type: ignore[misc]

    class Connection(Watched, urllib3.connection.HTTPConnection):
        pass

    class SecureConnection(Watched, urllib3.connection.HTTPSConnection):
        pass

    class Pool(urllib3.connectionpool.HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(urllib3.connectionpool.HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    return {"http": Pool, "https": SecurePool}


def no_retries() -> Retry:
    """urllib3's retries switched off, for the adapters: the client retries by itself
    (see :mod:`evidence.pubmed.client`)."""
    from urllib3.util.retry import Retry

    return Retry(total=0, read=False, redirect=False, raise_on_status=False)


def retry_after_seconds(value: str) -> float | None:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), read by
    urllib3's parser; ``None`` when it is neither."""
    from urllib3.exceptions import InvalidHeader

    try:
        return no_retries().parse_retry_after(value)
    except InvalidHeader:
        return None


class _MaskApiKey(logging.Filter):
    """Masks ``api_key=`` values in urllib3's DEBUG lines, which print full request URLs."""

    _pattern = re.compile(r"(api_key=)[^&\s'\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message:
            record.msg = self._pattern.sub(r"\1***", message)
            record.args = ()
        return True


def mask_urllib3_logs() -> None:
    """Mask API keys in urllib3's request log lines (the logger is process-wide; the
    filter is added once)."""
    target = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _MaskApiKey) for f in target.filters):
        target.addFilter(_MaskApiKey())


def is_name_resolution_failure(exc: BaseException) -> bool:
    """True when the host name could not be looked up: no network (or no DNS) at all.

    Retrying with backoff would keep a user without a network waiting for ~15 s before
    carrying on offline, so the client gives up on the first such failure.
    """
    import urllib3.exceptions

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, urllib3.exceptions.NameResolutionError):
            return True
        cause = (
            cause.__context__
            or cause.__cause__
            or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
        )
    return False
