"""Failed logins counted in sliding windows, per account and address and per address (OWASP),
and the client address they are counted under (X-Forwarded-For from trusted proxies only)."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class LoginThrottle:
    """Failed logins per (user name, address) and per address in a sliding window.

    - `max_failures` failures for one user name from one address lock that pair: the next
      attempt is refused before the password is checked, right or wrong (`account_wait`);
    - `ADDRESS_FACTOR × max_failures` failures from one address over any names make that address
      slower, never blocked: a wrong password from it is answered 429 instead of 401, while a
      right password still logs in (`address_wait`), so a spray over many names from a shared
      address (an office NAT) never locks out another account's owner.

    A success clears the user's pair. Names are counted case-insensitively. It lives in the API
    process: with N API replicas an attacker gets N times the budget, still far from a password
    guessing rate (and scrypt costs each guess).
    """

    ADDRESS_FACTOR = 10

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

    def _wait(self, key: tuple[str, str], limit: int) -> float:
        now = self.clock()
        with self._lock:
            times = self._recent(key, now)
            return times[0] + self.window_s - now if len(times) >= limit else 0.0

    def account_wait(self, username: str, client: str) -> float:
        """Seconds until this user name may try again from this address; 0 when it may now."""
        return self._wait(self._keys(username, client)[0], self.max_failures)

    def address_wait(self, client: str) -> float:
        """Seconds until a wrong password from this address is a plain 401 again."""
        return self._wait(self._keys("", client)[1], self.max_failures * self.ADDRESS_FACTOR)

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


def trusted_networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """The proxies whose X-Forwarded-For is believed: addresses or CIDR networks."""
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The address a request comes from: the TCP peer, unless the peer is a trusted proxy; then
    the right-most X-Forwarded-For entry that is not a trusted proxy (entries to its left were
    written by the client and may be anything)."""
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not _trusted(hop, proxies):
            return hop or peer
    return peer
