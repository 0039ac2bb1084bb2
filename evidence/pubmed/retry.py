"""Pacing requests to NCBI: one rate limiter per client, and the waits between retries.

* **Rate.** One :class:`RateLimiter` per client, shared by every thread using it, spaces
  requests 0.35 s apart (under NCBI's 3 per second) or 0.105 s with a key (under 10 per
  second). The margin is deliberate: NCBI counts *arrivals*, and network jitter can bring
  two requests closer together on arrival than they were when sent.
* **Waits** grow exponentially from the client's ``backoff`` (1, 2, 4, 8 ... seconds,
  capped at 30) with jitter (a random 50-100 % of the step) so that many clients do not
  retry in lock-step (:func:`backoff_delay`).
* **What is retried** by status: 429 and every 5xx (:func:`is_retryable`); the client's
  retry loop decides the rest (bodies that carry an error with status 200).

Pure timing and arithmetic, no I/O: the client (:mod:`evidence.pubmed.client`) sends.
"""

from __future__ import annotations

import random
import threading
import time

__all__ = ["MAX_BACKOFF", "RETRY_STATUSES", "RateLimiter", "backoff_delay", "is_retryable"]

#: The longest wait between two attempts, in seconds (before jitter).
MAX_BACKOFF = 30.0
#: HTTP statuses worth another attempt (any other 5xx is too).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def is_retryable(status: int) -> bool:
    """Whether an answer with this HTTP status is worth another attempt."""
    return status in RETRY_STATUSES or status >= 500


def backoff_delay(retry: int, backoff: float, rng: random.Random) -> float:
    """The wait before retry number ``retry`` (1 for the first): jittered exponential steps."""
    step = min(MAX_BACKOFF, backoff * 2 ** (retry - 1))
    return rng.uniform(step / 2, step)


class RateLimiter:
    """At most one request per ``interval`` seconds, across every thread that shares it.

    Each caller reserves the next free slot under the lock and sleeps outside it, so
    threads queue in order without holding the lock while they wait.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._next = float("-inf")

    def wait(self) -> None:
        """Sleep until this caller's slot comes (at once when the last one is long past)."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)

    def sent(self) -> None:
        """The caller's request has just gone out: the next slot is an interval from now
        at the earliest. A request that left late (its thread waited for the processor or
        the interpreter lock after its slot) must not bunch up with the next one, or the
        server, which counts arrivals, sees more than the rate in one second."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + self.interval)
