"""`audiobuild serve` and `audiobuild private`: what is printed and set up around the server.

The address to give a phone (the LAN's, found without sending a packet), its
QR code, HTTPS from a certificate, the inbox's link, and the private feed: the
folder served only under a secret path, `/p/<token>/`, whose token is made once
and kept in the folder's private state, and which every URL of the feed carries
(`.private-path`, read by `Config.for_output`).
"""

from __future__ import annotations

import io
import ipaddress
import socket
import ssl
import sys
from pathlib import Path
from urllib.parse import urlsplit

import segno

from audiobuild.atomic import write_bytes
from audiobuild.config import PRIVATE_PATH_FILE, Config
from audiobuild.errors import AudiobuildError
from audiobuild.publish import state
from audiobuild.publish.catalogue import CATALOGUE_FILE
from audiobuild.publish.episodes import publish_at, refresh_feed
from audiobuild.publish.feed import FEED_FILE
from audiobuild.serve.inbox import Inbox, link
from audiobuild.serve.server import PRIVATE_TOKEN, make_server, serve_forever

# An address in a private range: connecting a UDP socket to it sends nothing,
# but makes the kernel pick the interface (and so the address) a LAN peer would reach.
_ROUTE_PROBE = ("10.254.254.254", 9)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def run(
    output: Path,
    config: Config,
    host: str = "0.0.0.0",
    port: int = 8000,
    inbox: bool = False,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    private: bool = False,
) -> None:
    """`audiobuild serve`: point the feed at the address served, print it and a QR code, serve until stopped.

    With `inbox` (or `[inbox] enabled`), /inbox takes articles and builds them
    (see `inbox`); the folder may then start empty. With `certfile` (and
    `keyfile` unless the certificate file holds the key) it serves HTTPS.
    With `private` (or `[serve] private`), everything is served only under
    /p/<token>/, and the feed's URLs carry it (see `private_link`).
    """
    taking = inbox or config.inbox.enabled
    private = private or config.serve.private
    if taking:
        output.mkdir(parents=True, exist_ok=True)
    queue = Inbox(output, config) if taking else None
    server = make_server(output, host, port, queue, config.podcast, tls=_tls(certfile, keyfile), private=private)
    try:
        if not taking and not (output / CATALOGUE_FILE).is_file():  # before a private path is written into it
            raise AudiobuildError(output, "has no catalogue: build an article into it first")
        _set_private(output, private)
        if queue is not None:
            queue.start()
        host, port = server.server_address[:2]
        if host in ("0.0.0.0", ""):
            host = lan_address() or "127.0.0.1"
        scheme = "https" if certfile else "http"
        base = f"{scheme}://{host}:{port}/"
        feed_url = publish_at(output, config.for_output(output), base, empty=taking)
        print(f"Serving {output} at {base} (Ctrl-C stops)")
        if private:
            print(f"Private feed: only this link reaches it (keep it private; `audiobuild private --new-token`"
                  f" replaces it): {feed_url}")  # fmt: skip
        else:
            print(f"Subscribe in your podcast app to: {feed_url}")
        elsewhere = bool(config.podcast.base_url) and not _same_place(config.podcast.base_url, base)
        if elsewhere:
            print(f"(podcast.toml sets base_url: the feed's links point to {config.podcast.base_url}, not here)")
        # Behind a proxy or a tunnel (base_url elsewhere), a server on this machine only is the point.
        local = ipaddress.ip_address(host).is_loopback and not elsewhere
        if local:
            print("(only this machine can reach it: serve with --host 0.0.0.0 for a phone on your network)")
        else:
            print(qr_lines(feed_url))
        if queue is not None:
            _announce_inbox(queue, feed_url.removesuffix(FEED_FILE), local)
        sys.stdout.flush()
    except BaseException:  # Ctrl-C too: the socket is closed, and the command ends as it does for one
        server.server_close()
        raise
    serve_forever(server)


def _set_private(output: Path, private: bool) -> None:
    """Make every URL of the folder's feed carry the private feed's path (the token is made once), or none."""
    marker = output / PRIVATE_PATH_FILE
    if private:
        secret, _ = state.secret(output, PRIVATE_TOKEN)
        write_bytes(marker, f"p/{secret}/".encode())
    else:
        marker.unlink(missing_ok=True)


def private_link(output: Path, config: Config, renew: bool = False) -> str:
    """`audiobuild private`: the private feed's link, and its QR code; `renew` replaces the token.

    A server running `--private` answers the new link at once and the old one
    with 404; the feed and page are written again with the new link, as every
    URL in them carries it. AudiobuildError when the folder is not served privately.
    """
    if not (output / PRIVATE_PATH_FILE).is_file():
        raise AudiobuildError(output, "is not served as a private feed (`audiobuild serve --private` makes it one)")
    if renew:
        state.secret(output, PRIVATE_TOKEN, renew=True)
        _set_private(output, True)
        if (output / CATALOGUE_FILE).is_file():
            refresh_feed(output, config.for_output(output))
    feed_url = config.for_output(output).podcast.url(FEED_FILE)
    heading = "New private feed link (the old one no longer works)" if renew else "Private feed link"
    return f"{heading}; keep it private: {feed_url}\n{qr_lines(feed_url)}"


def _same_place(base_url: str, served: str) -> bool:
    """Whether two base URLs name the same folder: scheme, host and port (the default one if none), path.

    >>> _same_place("http://192.168.1.20:8000", "http://192.168.1.20:8000/"), _same_place("https://a.org/", "https://A.org:443/")
    (True, True)
    """
    places = []
    for url in (base_url, served):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        try:
            port = parts.port or _DEFAULT_PORTS.get(scheme)
        except ValueError:  # a port that is not a number
            return False
        places.append((scheme, parts.hostname, port, parts.path.rstrip("/")))
    return places[0] == places[1]


def _announce_inbox(queue: Inbox, base: str, local: bool) -> None:
    """Show the inbox link once, when its token is new; afterwards say how to see it again."""
    if not queue.made:
        print("Inbox on: add articles through its link (`audiobuild inbox` shows it, `--new-token` replaces it)")
        return
    address = link(base, queue.secret)
    print(f"Inbox on. Send articles from your phone with this link (shown once; keep it private): {address}")
    if not local:
        print(qr_lines(address))


def _tls(certfile: Path | None, keyfile: Path | None) -> ssl.SSLContext | None:
    """A server TLS context for the certificate (and key), or None for plain HTTP; AudiobuildError when unusable."""
    if certfile is None:
        if keyfile is not None:
            raise AudiobuildError(keyfile, "--keyfile needs --certfile")
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or error
        raise AudiobuildError(keyfile or certfile, f"cannot be used for HTTPS: {reason}") from None
    return context


def lan_address() -> str | None:
    """This machine's IPv4 address on its local network, or None when it has none.

    No packet is sent: connecting a UDP socket only asks the kernel which
    interface would carry traffic to a private address.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_ROUTE_PROBE)
        except OSError:  # no route: not on any network
            return None
        return probe.getsockname()[0]


def qr_lines(url: str) -> str:
    """`url` as a QR code drawn with block characters, for a phone to scan off the terminal.

    Light modules are drawn, dark ones left blank, which reads correctly on the
    usual light-on-dark terminal; the quiet zone around it is included.
    """
    text = io.StringIO()
    segno.make_qr(url).terminal(out=text, compact=True)
    return text.getvalue()
