"""The fetching module against real servers on 127.0.0.x: validators, caps, redirects, addresses, TLS, politeness."""

from __future__ import annotations

import ipaddress
import ssl
import threading
import time

import pytest

from audiobuild import __version__
from audiobuild.errors import InputError
from audiobuild.read.fetch import MAX_REDIRECTS, Fetcher, Validators
from tests.website import Site, serving


@pytest.fixture
def site():
    with serving() as site:
        yield site


def test_a_page_comes_with_its_type_charset_validators_and_address(site):
    site.page("/a.html", "<p>Hello</p>", content_type="text/html; charset=windows-1251")
    with Fetcher() as fetcher:
        response = fetcher.get(f"{site.url}/a.html")
    assert (response.status, response.body, response.content_type, response.charset) == (
        200, b"<p>Hello</p>", "text/html", "windows-1251",
    )  # fmt: skip
    assert response.validators.etag and response.validators.last_modified
    assert response.address == "127.0.0.1" and response.private
    agent = site.headers[0]["User-Agent"]
    assert agent.startswith(f"audiobuild/{__version__} ")


def test_a_conditional_get_costs_a_304_until_the_page_changes(site):
    site.page("/feed.xml", "<rss/>")
    with Fetcher() as fetcher:
        first = fetcher.get(f"{site.url}/feed.xml")
        again = fetcher.get(f"{site.url}/feed.xml", first.validators)
        assert again.not_modified and again.body == b"" and site.not_modified["/feed.xml"] == 1
        by_date = fetcher.get(f"{site.url}/feed.xml", Validators(last_modified=first.validators.last_modified))
        assert by_date.not_modified
        site.page("/feed.xml", "<rss><channel/></rss>")
        changed = fetcher.get(f"{site.url}/feed.xml", first.validators)
    assert changed.status == 200 and changed.body == b"<rss><channel/></rss>"
    assert changed.validators != first.validators


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "streamed"])
def test_a_body_past_the_cap_is_refused(site, chunked):
    site.page("/big.html", b"x" * 5000, chunked=chunked)
    with Fetcher(max_bytes=4096) as fetcher, pytest.raises(InputError) as error:
        fetcher.get(f"{site.url}/big.html")
    assert error.value.problem == "is larger than 4096 bytes; larger downloads are refused"


def test_redirects_are_followed_a_few_times_at_most(site):
    site.page("/end.html", "end")
    site.redirect("/a", "/b", 301)
    site.redirect("/b", f"{site.url}/end.html", 308)
    site.redirect("/loop", "/loop")
    chain = [f"/hop{number}" for number in range(MAX_REDIRECTS + 1)]
    for here, there in zip(chain, [*chain[1:], "/end.html"]):
        site.redirect(here, there)
    with Fetcher() as fetcher:
        response = fetcher.get(f"{site.url}/a")
        assert (response.body, response.url) == (b"end", f"{site.url}/end.html")
        assert fetcher.get(f"{site.url}/hop1").body == b"end"  # MAX_REDIRECTS hops
        for path in ("/loop", "/hop0"):
            with pytest.raises(InputError, match=r"redirects more than \d+ times \(a redirect loop\?\)"):
                fetcher.get(f"{site.url}{path}")


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https_are_fetched_even_through_a_redirect(site, target):
    site.redirect("/elsewhere", target)
    with Fetcher() as fetcher:
        with pytest.raises(InputError, match="is not an http or https address"):
            fetcher.get(target)
        with pytest.raises(InputError) as error:
            fetcher.get(f"{site.url}/elsewhere")
    assert error.value.source == f"{site.url}/elsewhere"
    if target.startswith("javascript"):  # not even a URL to httpx
        assert error.value.problem.startswith("redirects to an address that cannot be fetched")
    else:
        assert error.value.problem.endswith(f"(redirected to {target})")


@pytest.mark.parametrize(
    ("status", "problem"), [(404, "HTTP error 404 Not Found"), (500, "HTTP error 500 Internal Server Error")]
)
def test_error_statuses_are_one_line(site, status, problem):
    site.page("/x", "oops", status=status, validators=False)
    with Fetcher() as fetcher, pytest.raises(InputError) as error:
        fetcher.get(f"{site.url}/x")
    assert error.value.problem == problem


def test_a_silent_server_times_out(site):
    site.page("/slow", "late", delay=2)
    with Fetcher(timeout=0.3) as fetcher, pytest.raises(InputError, match="no answer within 0.3 s"):
        fetcher.get(f"{site.url}/slow")


def test_an_unknown_host_and_a_closed_port_are_one_line():
    with Fetcher() as fetcher:
        with pytest.raises(InputError, match="cannot connect: no such host 'no-such-host.invalid'"):
            fetcher.get("http://no-such-host.invalid/")
        with serving() as closed:
            url = closed.url
        with pytest.raises(InputError, match="cannot connect: .*refused"):
            fetcher.get(url)


# ---------------------------------------------------------------------------
# Addresses


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_when_private_addresses_are(site, name):
    site.page("/a.html", "secret")
    port = site.url.rsplit(":", 1)[1]
    with Fetcher(allow_private=False) as fetcher, pytest.raises(InputError) as error:
        fetcher.get(f"http://{name}:{port}/a.html")
    assert "a loopback address (this machine): not fetched from here" in error.value.problem
    assert site.requests["/a.html"] == 0


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.1.20", "172.16.0.1", "169.254.169.254", "fe80::1", "0.0.0.0"])
def test_private_and_link_local_addresses_are_refused_before_any_connection(address):
    host = f"[{address}]" if ":" in address else address
    with Fetcher(allow_private=False) as fetcher, pytest.raises(InputError, match="not fetched from here"):
        fetcher.get(f"http://{host}/")


@pytest.mark.parametrize(
    ("address", "leads_to"),
    [
        ("::127.0.0.1", "127.0.0.1"),  # IPv4-compatible (RFC 4291, deprecated)
        ("64:ff9b::7f00:1", "127.0.0.1"),  # the well-known NAT64 prefix (RFC 6052)
        ("64:ff9b::a00:1", "10.0.0.1"),
        ("64:ff9b:1::a00:1", ""),  # local-use NAT64 (RFC 8215): the network decides where it leads
        ("2002:a00:1::1", "10.0.0.1"),  # 6to4 (RFC 3056)
        ("2002:7f00:1::", "127.0.0.1"),
        ("fec0::1", ""),  # site-local (RFC 3879, deprecated)
    ],
)
def test_ipv6_forms_of_private_addresses_are_refused_by_the_address_they_embed(address, leads_to):
    with Fetcher(allow_private=False) as fetcher, pytest.raises(InputError) as error:
        fetcher.get(f"http://[{address}]:9/")
    embedded = f" ({leads_to})" if leads_to else ""
    assert error.value.problem.startswith(f"is on {ipaddress.ip_address(address)}{embedded}, ")
    assert error.value.problem.endswith("not fetched from here")


def test_ipv6_forms_of_public_addresses_stay_public():
    from audiobuild.read.fetch import _public

    for address in ("64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111"):
        assert _public(ipaddress.ip_address(address)), address


def test_a_redirect_to_a_private_address_is_refused_after_an_allowed_one():
    """An allowed address (127.0.0.2, as a user may allow one LAN host) redirects to 127.0.0.1, which is not."""
    with serving(host="127.0.0.2") as allowed, serving() as private:
        private.page("/admin", "secret")
        allowed.redirect("/article", f"{private.url}/admin")
        with Fetcher(allow_private=False, allowed=("127.0.0.2",)) as fetcher, pytest.raises(InputError) as error:
            fetcher.get(f"{allowed.url}/article")
    assert error.value.source == f"{allowed.url}/article"
    assert error.value.problem.startswith("is on 127.0.0.1, a loopback address")
    assert error.value.problem.endswith(f"(redirected to {private.url}/admin)")
    assert private.requests["/admin"] == 0


# ---------------------------------------------------------------------------
# TLS: the connection goes to the checked address, the certificate is checked against the name


@pytest.fixture
def tls_site():
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("localhost", "127.0.0.1")
    with serving() as site:
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(server_context)
        yield site, server_context, authority


def test_https_is_verified_against_the_host_name_while_connecting_to_its_address(tls_site):
    import http.server

    from tests.website import _Handler

    site, server_context, authority = tls_site
    site.page("/secure.html", "over TLS")
    handler = type("Handler", (_Handler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        client_context = ssl.create_default_context()
        authority.configure_trust(client_context)
        with Fetcher(verify=client_context) as fetcher:
            assert fetcher.get(f"https://localhost:{port}/secure.html").body == b"over TLS"
        with Fetcher() as fetcher, pytest.raises(InputError, match="cannot connect: .*CERTIFICATE_VERIFY_FAILED"):
            fetcher.get(f"https://localhost:{port}/secure.html")  # the system's CAs do not know ours
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------
# Politeness


def test_one_request_at_a_time_per_host():
    site = Site()
    with serving(site):
        for number in range(4):
            site.page(f"/{number}.html", f"page {number}", delay=0.15)
        with Fetcher() as fetcher:
            threads = [threading.Thread(target=fetcher.get, args=(f"{site.url}/{number}.html",)) for number in range(4)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert site.most_at_once == 1
    assert time.monotonic() - started >= 4 * 0.15
