"""Guards for fetching cited URLs: no private addresses (checked on every hop and on the connected socket), and a
wall-clock deadline per URL that holds whatever the server does (a watchdog shuts the sockets down)."""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from urllib.parse import urlsplit

from .errors import KutipError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_local = threading.local()          # the Deadline of the fetch running in this thread


class AddressRefused(KutipError):
    """A URL leads to an address on this machine or its private network."""


def public(ip: IPAddress) -> bool:
    """Tell whether an address is on the public internet (not loopback, private, link-local, reserved, ...)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None:
            return public(inner)
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def address(text: str) -> IPAddress:
    """Return the address of a socket's peer name ('fe80::1%eth0' keeps its scope out)."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def check_url(url: str) -> None:
    """Raise AddressRefused if url's host resolves to any non-public address (0x7f000001, 2130706433, localhost...).

    A host that does not resolve passes: the request then fails as a connection error of its own.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 80
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return
    for info in infos:
        ip = address(str(info[4][0]))
        if not public(ip):
            raise AddressRefused(f"alamat privat/lokal ditolak / private or local address refused: {host} -> {ip} "
                                 f"(use --allow-private-addresses to allow)")


def check_peer(sock) -> None:
    """Raise AddressRefused if a connected socket's peer is not public (a name that re-resolved meanwhile)."""
    ip = address(str(sock.getpeername()[0]))
    if not public(ip):
        raise AddressRefused(f"alamat privat/lokal ditolak / private or local address refused: connected to {ip}")


class Deadline:
    """A wall-clock limit on one URL: past it, every socket this fetch opened is shut down."""

    def __init__(self, seconds: float, allow_private: bool) -> None:
        """Start the watchdog for `seconds` from now."""
        self.seconds, self.allow_private = seconds, allow_private
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        """Make this the deadline of the current thread's fetch and start the watchdog."""
        self._previous = getattr(_local, "deadline", None)
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop the watchdog and shut this URL's sockets: a kept-alive one must not carry into the next URL,
        whose watchdog would not know it."""
        self._timer.cancel()
        _local.deadline = self._previous
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)

    def left(self) -> float:
        """Return the seconds left (0 once expired)."""
        return 0.0 if self.expired else max(0.0, self.end - time.monotonic())

    def watch(self, sock) -> None:
        """Shut sock down when the deadline passes (at once if it has passed)."""
        with self._lock:
            self._sockets.append(sock)
            late = self.expired
        if late:
            _shutdown(sock)

    def _expire(self) -> None:
        """Mark the deadline passed and unblock every read of this fetch."""
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock) -> None:
    """Shut a socket down both ways (a blocked recv returns at once); never raise."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def on_connect(sock, proxied: bool) -> None:
    """Called by a guarded connection once connected: check the peer, put the socket under the deadline."""
    deadline: Deadline | None = getattr(_local, "deadline", None)
    if deadline is None:
        return
    if not deadline.allow_private and not proxied:
        check_peer(sock)
    deadline.watch(sock)


def guarded_session():
    """Return a requests session whose connections check their peer and obey the current Deadline."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Guarded(HTTPConnection):
        """Mixin: after connecting, hand the socket to on_connect (before any request byte is sent)."""

        def connect(self) -> None:
            """Connect, then check the peer and watch the socket."""
            super().connect()
            try:
                on_connect(self.sock, getattr(self, "proxy", None) is not None)
            except AddressRefused:
                self.close()
                raise

    class GuardedHTTP(Guarded, HTTPConnection):
        """A plain HTTP connection with the guard."""

    class GuardedHTTPS(Guarded, HTTPSConnection):
        """A TLS connection with the guard."""

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTP

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPS

    class GuardedAdapter(HTTPAdapter):
        """An adapter whose pools make guarded connections."""

        def init_poolmanager(self, *args, **kwargs) -> None:
            """Make the pool manager, then swap in the guarded pools."""
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    session = requests.Session()
    session.mount("http://", GuardedAdapter())
    session.mount("https://", GuardedAdapter())
    return session
