"""What keeps other web pages from using the app through the user's browser.

A browser lets any page it shows send a "simple" POST (text/plain, form data) to any address, the app's on
127.0.0.1 included, without asking first (no CORS preflight): so a write must be JSON, which a cross-site page can
only send after a preflight this app never grants, and must come from one of the app's own origins. A page on a
domain that re-resolves to 127.0.0.1 (DNS rebinding) is same-origin with itself, not with us: its requests carry its
own name in `Host`, so every request whose `Host` is not an address the app serves is refused before it is routed.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_TYPE = "application/json"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class BadRequest(Exception):
    """A request the app refuses: its status and a one-line reason (the handler answers it as JSON)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def is_loopback(host: str) -> bool:
    """Whether listening on `host` keeps the app on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_names(host: str) -> tuple[str, ...]:
    """The host names a browser may use to reach an app listening on `host`: loopback always, the address given,
    and for a wildcard address this machine's own name and addresses."""
    names = [*LOOPBACK_NAMES, host]
    if host in WILDCARD_HOSTS:
        names += [socket.gethostname(), socket.getfqdn()]
        with suppress(OSError):  # a machine whose own name does not resolve is reached by address or loopback
            names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    return tuple(dict.fromkeys(name.strip("[]").lower() for name in names if name not in WILDCARD_HOSTS))


def host_header(name: str, port: int) -> str:
    """`name:port` as a browser writes it in `Host` and `Origin` (IPv6 addresses in brackets)."""
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


class SameOriginGuard:
    """ASGI middleware: 421 for a `Host` the app does not serve; 403 for a state-changing request from another
    origin (`Origin`, or `Referer` when a browser sent no `Origin`); 415 for one whose body is not declared JSON.
    A request with neither `Origin` nor `Referer` comes from a program, not from a page a browser shows, and passes
    the origin check (it still needs the right `Host` and JSON)."""

    def __init__(self, app: App, names: Iterable[str], port: int) -> None:
        self.app = app
        self.hosts = frozenset(host_header(name, port) for name in names)
        self.origins = frozenset(f"http://{host}" for host in self.hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.refusal(scope)
            if refusal is not None:
                await _refuse(send, *refusal)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            return (
                421,
                f"Host {host or '(none)'!r} is not an address this app serves ({', '.join(sorted(self.hosts))})",
            )
        if scope["method"] not in STATE_CHANGING:
            return None
        origin = headers.get("origin") or _origin_of(headers.get("referer"))
        if origin is not None and origin.lower() not in self.origins:
            return 403, f"a write from {origin!r}: only the app's own page may change labels"
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON_TYPE:
            return 415, f"a write must be {JSON_TYPE} (got {content_type or 'no content type'!r})"
        return None


def _origin_of(referer: str | None) -> str | None:
    if not referer:
        return None
    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else referer


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
