"""Failed logins counted per user name and client in a sliding window."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginThrottle:
    """Failed logins per (user name, client) and per client in a sliding window.

    `max_failures` failures for one user name from one client, or `10 × max_failures` from one
    client over any names, lock that key until the oldest failure leaves the window. A success
    clears the user's key. It lives in the API process: with N API replicas an attacker gets N
    times the budget, still far from a password guessing rate (and scrypt costs each guess).
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, username: str, client: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("user", f"{username.lower()}|{client}"), ("client", client)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after(self, username: str, client: str) -> float:
        """Seconds until this user name may try again from this client; 0 when it may now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, limit in zip(self._keys(username, client), (1, 10), strict=True):
                times = self._recent(key, now)
                if len(times) >= self.max_failures * limit:
                    wait = max(wait, times[0] + self.window_s - now)
        return wait

    def failed(self, username: str, client: str) -> None:
        now = self.clock()
        with self._lock:
            room = self.max_keys - 2  # each failure may add two keys
            if len(self._failures) > room:  # bounded memory under a spray of names
                for key in [k for k, t in self._failures.items() if t[-1] <= now - self.window_s]:
                    del self._failures[key]
                while len(self._failures) > room:
                    del self._failures[next(iter(self._failures))]
            for key in self._keys(username, client):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, client)[0], None)
