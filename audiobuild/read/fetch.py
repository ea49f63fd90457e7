"""Every download audiobuild makes: one polite, bounded, checked HTTP GET (httpx).

Articles given as URLs, the feeds `follow` reads and their items' pages, and the
pages sent to `serve --inbox` all come through `Fetcher.get`, which:

- fetches only http and https, and follows at most MAX_REDIRECTS redirects,
  checking each new address as it checked the first;
- names audiobuild and its version in the User-Agent;
- gives up on a connection after CONNECT_TIMEOUT_S, a silence of READ_TIMEOUT_S
  or a whole download longer than DEADLINE_S, and on a body past `max_bytes`
  (counted as decoded, so a compressed bomb is cut off too);
- sends If-None-Match and If-Modified-Since from the `Validators` its caller
  kept from the last answer, so an unchanged feed or page costs one 304;
- makes at most one request at a time to each host name, across threads;
- with `allow_private=False`, refuses loopback, link-local, private and other
  non-public addresses: the host name is resolved here, every address it gives
  is checked, and the connection is made to an address that passed (the URL is
  rewritten to it; TLS still checks the certificate against the host name, sent
  as SNI), so a DNS answer cannot change between the check and the connection.
  The same holds after every redirect.

Every failure is an InputError naming the URL, in one line.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from audiobuild import __version__
from audiobuild.errors import InputError

USER_AGENT = f"audiobuild/{__version__} (+https://pypi.org/project/audiobuild/)"
MAX_REDIRECTS = 5
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 30.0
DEADLINE_S = 120.0  # for a whole download: a server that trickles a byte every few seconds is cut off here
MAX_BYTES = 20 * 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the copy it sent (ETag, Last-Modified), for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The conditional request headers for these validators."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def as_json(self) -> dict:
        """As stored in the output folder's private state."""
        return {"etag": self.etag, "last_modified": self.last_modified}

    @classmethod
    def from_json(cls, data: dict | None) -> Validators:
        """Validators stored with `as_json` (none when `data` is None)."""
        return cls(**(data or {}))


@dataclass(frozen=True)
class Response:
    """A 200 with its whole body, or a 304 (`not_modified`, empty body) to a conditional GET."""

    url: str  # after redirects
    status: int
    body: bytes
    content_type: str  # the media type alone, lower case ("text/html"); "" when the server sent none
    charset: str | None
    validators: Validators
    address: str  # the IP address the answer came from

    @property
    def not_modified(self) -> bool:
        """True for a 304: the copy the validators name is still current."""
        return self.status == 304

    @property
    def private(self) -> bool:
        """True when the answer came from this machine or a private network (not a public address)."""
        return not _public(ipaddress.ip_address(self.address))


# One lock per host name, shared by every Fetcher of the process: at most one request at a time to each host.
_host_locks: dict[str, threading.Lock] = {}
_host_locks_guard = threading.Lock()


def _host_lock(host: str) -> threading.Lock:
    with _host_locks_guard:
        return _host_locks.setdefault(host, threading.Lock())


class Fetcher:
    """Downloads with audiobuild's rules (see the module's docstring); close() it, or use it in a `with`.

    `allow_private` is the default for `get`; `allowed` are networks
    ("192.168.1.10", "10.0.0.0/8") fetched from even when private ones are
    refused; `max_bytes` caps each body; `verify` is an ssl.SSLContext to
    trust instead of the system's CAs (tests).
    """

    def __init__(
        self,
        allow_private: bool = True,
        allowed: tuple[str, ...] = (),
        max_bytes: int = MAX_BYTES,
        timeout: float = READ_TIMEOUT_S,
        verify: ssl.SSLContext | bool = True,
    ):
        self.allow_private = allow_private
        self.allowed = tuple(ipaddress.ip_network(network, strict=False) for network in allowed)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._verify = verify
        # One client per host name: its pooled connections were all made for that name's
        # certificate, so no keep-alive connection is reused for another name on the same address.
        self._clients: dict[str, httpx.Client] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def get(
        self, url: str, validators: Validators | None = None, accept: str = "*/*", allow_private: bool | None = None
    ) -> Response:
        """GET `url`, following redirects; a 200 with its body or, when `validators` still hold, a 304.

        Raises InputError (source: `url`) for a refused scheme or address, a
        redirect loop, an HTTP error status, a body past `max_bytes`, a timeout
        or a connection that fails.
        """
        allow_private = self.allow_private if allow_private is None else allow_private
        conditional = (validators or Validators()).headers()
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._hop(url, current, {"Accept": accept, **conditional}, allow_private)
            if isinstance(response, Response):
                return response
            current = response  # the next address
        raise InputError(url, f"redirects more than {MAX_REDIRECTS} times (a redirect loop?)")

    def _hop(self, origin: str, url: str, headers: dict[str, str], allow_private: bool) -> Response | str:
        """One request: the Response, or the absolute URL a redirect points to."""
        if urlsplit(url).scheme.lower() not in _DEFAULT_PORTS:
            raise _fail(origin, url, "is not an http or https address; only those are fetched")
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as error:
            raise _fail(origin, url, f"is not a valid address: {error}") from None
        if not target.host:
            raise _fail(origin, url, "has no host name")
        host = target.raw_host.decode("ascii")
        port = target.port or _DEFAULT_PORTS[target.scheme]
        addresses = _resolve(origin, url, host, port)
        if not allow_private:
            self._refuse_private(origin, url, addresses)
        request_headers = {**headers, "Host": target.netloc.decode("ascii"), "User-Agent": USER_AGENT}
        client = self._client(host)
        deadline = time.monotonic() + DEADLINE_S
        with _host_lock(host):
            for number, address in enumerate(addresses):
                # The checked address itself is what is connected to: the name is not resolved again.
                request = client.build_request(
                    "GET", target.copy_with(host=str(address)), headers=request_headers,
                    extensions={"sni_hostname": host},
                )  # fmt: skip
                try:
                    answer = client.send(request, stream=True)
                except httpx.ConnectError as error:
                    if number + 1 < len(addresses):
                        continue  # the next address of the name (an IPv6 one with nothing listening, say)
                    raise _fail(origin, url, f"cannot connect: {_reason(error)}") from None
                except httpx.TimeoutException:
                    raise _fail(origin, url, f"no answer within {self.timeout:g} s") from None
                except httpx.HTTPError as error:
                    raise _fail(origin, url, f"cannot download: {_reason(error)}") from None
                except httpx.InvalidURL as error:  # httpx reads a redirect's Location as it comes
                    raise _fail(origin, url, f"redirects to an address that cannot be fetched ({error})") from None
                try:
                    return self._read(origin, url, target, answer, str(address), deadline)
                finally:
                    answer.close()
                    client.cookies.clear()  # nothing of one download goes with the next
        raise AssertionError("unreachable: the loop returns or raises")

    def _read(self, origin: str, url: str, target: httpx.URL, answer: httpx.Response, address: str, deadline: float):
        if answer.status_code in _REDIRECTS and "Location" in answer.headers:
            location = answer.headers["Location"]
            if urlsplit(location).scheme.lower() not in ("", *_DEFAULT_PORTS):
                return location  # "file:///etc/passwd", "javascript:...": refused, as written, by the next hop
            try:
                return str(target.join(location))
            except httpx.InvalidURL as error:
                raise _fail(origin, url, f"redirects to {location!r}, which is not a valid address: {error}") from None
        if answer.status_code == 304:
            return Response(url, 304, b"", "", None, _validators(answer), address)
        if answer.status_code != 200:
            raise _fail(origin, url, f"HTTP error {answer.status_code} {answer.reason_phrase}")
        limit = self.max_bytes
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _fail(origin, url, f"is larger than {_size(limit)}; larger downloads are refused")
        chunks, size = [], 0
        try:
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _fail(origin, url, f"is larger than {_size(limit)}; larger downloads are refused")
                if time.monotonic() > deadline:
                    raise _fail(origin, url, f"took longer than {DEADLINE_S:g} s to download")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise _fail(origin, url, f"no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as error:  # a connection cut mid-body, a bad gzip stream
            raise _fail(origin, url, f"cannot download: {_reason(error)}") from None
        media, charset = _content_type(answer.headers.get("Content-Type", ""))
        return Response(url, 200, b"".join(chunks), media, charset, _validators(answer), address)

    def check(self, url: str) -> None:
        """Refuse `url` now, as `get` would before connecting, when its host is on a private address.

        For a caller that must answer at once (the inbox's POST) rather than when the
        download comes. Raises InputError (source: `url`) for a refused address; a
        host that does not resolve, or an address that is not http(s), is left to `get`.
        """
        parts = urlsplit(url)
        if self.allow_private or parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
            return
        try:
            port = parts.port or _DEFAULT_PORTS[parts.scheme.lower()]
        except ValueError:  # a port that is not a number: `get` says so
            return
        try:
            addresses = _resolve(url, url, parts.hostname, port)
        except InputError:  # not resolvable now: `get` tries again, and says why
            return
        self._refuse_private(url, url, addresses)

    def _refuse_private(self, origin: str, url: str, addresses: list) -> None:
        refused = [
            address for address in addresses
            if not _public(address) and not any(address in network for network in self.allowed)
        ]  # fmt: skip
        if refused:
            raise _fail(origin, url, f"is on {_named(refused[0])}, {_kind(refused[0])}: not fetched from here")

    def _client(self, host: str) -> httpx.Client:
        if host not in self._clients:
            timeout = httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT_S, self.timeout))
            # Redirects are followed by `get`, which checks every address; proxies from the
            # environment would connect to addresses this module never checked.
            self._clients[host] = httpx.Client(
                timeout=timeout, follow_redirects=False, verify=self._verify, trust_env=False
            )
        return self._clients[host]


def _resolve(origin: str, url: str, host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses `host` resolves to, in the resolver's order, without repeats."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _fail(origin, url, f"cannot connect: no such host {host!r} ({error})") from None
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])  # without an IPv6 zone ("%eth0")
        if address not in addresses:
            addresses.append(address)
    return addresses


# IPv6 forms that carry an IPv4 address, which is where they lead: RFC 6052's well-known NAT64
# prefix and RFC 4291's deprecated IPv4-compatible addresses, in their last 32 bits.
_LAST_32_BITS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))
# RFC 8215's local-use NAT64 prefix: the network's own translator decides where it leads (10.0.0.1, say).
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address embeds and leads to (mapped, 6to4, NAT64, IPv4-compatible), if any.

    >>> [str(_embedded(ipaddress.ip_address(text))) for text in ("::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::a00:1")]
    ['10.0.0.1', '127.0.0.1', '10.0.0.1']
    """
    if address.version == 4:
        return None
    if address.ipv4_mapped or address.sixtofour:  # RFC 4291 2.5.5.2; RFC 3056 (2002::/16)
        return address.ipv4_mapped or address.sixtofour
    if any(address in network for network in _LAST_32_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address on the public internet; an IPv6 form that embeds an IPv4 address is judged by that one.

    Local-use NAT64 and the deprecated site-local fec0::/10 (RFC 3879) are never public, whatever
    Python's registry says of them.
    """
    if address.version == 6 and (address in _LOCAL_NAT64 or address.is_site_local):
        return False
    address = _embedded(address) or address
    return address.is_global and not address.is_multicast


def _named(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The address as written, with the IPv4 address it embeds: "64:ff9b::7f00:1 (127.0.0.1)"."""
    embedded = _embedded(address)
    return f"{address} ({embedded})" if embedded and str(embedded) != str(address) else str(address)


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What kind of non-public address this is, in words."""
    address = _embedded(address) or address
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private network address"
    return "not a public address"


def _fail(origin: str, url: str, problem: str) -> InputError:
    """The error for `problem` with `url`, reached from `origin` (the address asked for) by redirects."""
    return InputError(origin, problem if url == origin else f"{problem} (redirected to {url})")


def _reason(error: Exception) -> str:
    """An exception's own words, without the errno prefix ("[Errno 111] Connection refused")."""
    text = str(error) or type(error).__name__
    return text.split("] ", 1)[1] if text.startswith("[Errno") and "] " in text else text


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:g} MB" if count >= 1024 * 1024 else f"{count} bytes"


def _validators(answer: httpx.Response) -> Validators:
    return Validators(answer.headers.get("ETag"), answer.headers.get("Last-Modified"))


def _content_type(header: str) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type header.

    >>> _content_type('text/HTML; Charset="windows-1251"')
    ('text/html', 'windows-1251')
    """
    media, *parameters = header.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return media.strip().lower(), charset
