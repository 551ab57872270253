"""The web client against a real HTTP server on the loopback address: the user agent, robots.txt, retries
that honour Retry-After, timeouts, redirects, the size cap, what is not a page, the per-host pause, and the
cache that makes a second read offline."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from stance.io.web import FetchError, WebClient, WebSettings


class Waits:
    """The client's sleeps, recorded instead of slept; its clock, moved by them."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def waits() -> Waits:
    return Waits()


def client(tmp_path: Path, waits: Waits, **settings) -> WebClient:
    return WebClient(WebSettings(cache_dir=tmp_path / "cache", **settings), sleep=waits.sleep, clock=waits.clock)


@pytest.fixture
def server(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    return httpserver


def test_a_page_is_fetched_with_a_user_agent_naming_the_tool_and_kept(server, tmp_path: Path, waits: Waits) -> None:
    seen = []

    def page(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent"))
        return Response("<html><body><p>Hello</p></body></html>", content_type="text/html; charset=utf-8")

    server.expect_request("/news/story.html").respond_with_handler(page)
    web = client(tmp_path, waits)
    first = web.get(server.url_for("/news/story.html"))
    assert first.content_type == "text/html" and b"Hello" in first.body
    assert seen[0].startswith("stance/")
    server.clear()  # the server forgets the page: the second read is the cache's
    assert client(tmp_path, waits).get(server.url_for("/news/story.html")).body == first.body
    with pytest.raises(FetchError, match=r"HTTP 500"):
        client(tmp_path, waits, refresh=True, retries=0).get(server.url_for("/news/story.html"))


def test_robots_txt_is_obeyed_unless_told_not_to(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/private/page.html").respond_with_data("<p>secret</p>", content_type="text/html")
    with pytest.raises(FetchError, match="robots.txt does not allow") as caught:
        client(tmp_path, waits).get(server.url_for("/private/page.html"))
    assert caught.value.settings == ("ignore_robots",)
    assert b"secret" in client(tmp_path, waits, obey_robots=False).get(server.url_for("/private/page.html")).body


def test_a_missing_robots_txt_allows_everything(httpserver, tmp_path: Path, waits: Waits) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a.html").respond_with_data("<p>a</p>", content_type="text/html")
    assert client(tmp_path, waits).get(httpserver.url_for("/a.html")).body == b"<p>a</p>"


def test_429_and_5xx_are_retried_honouring_retry_after(server, tmp_path: Path, waits: Waits) -> None:
    answers = [Response("slow down", status=429, headers={"Retry-After": "7"}), Response("oops", status=503),
               Response('{"ok": 1}', content_type="application/json")]
    server.expect_request("/busy.json").respond_with_handler(lambda request: answers.pop(0))
    assert client(tmp_path, waits).get(server.url_for("/busy.json")).body == b'{"ok": 1}'
    assert 7.0 in waits.slept and 2.0 in waits.slept  # Retry-After, then the backoff of the second try


def test_rate_limited_past_the_retries_is_one_line(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/busy.json").respond_with_data("slow down", status=429)
    with pytest.raises(FetchError, match=r"busy.json: HTTP 429 \(rate-limited\) after 3 tries"):
        client(tmp_path, waits, retries=2).get(server.url_for("/busy.json"))
    server.expect_request("/later.json").respond_with_data("", status=503, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError, match="asks to wait 3600 s"):
        client(tmp_path, waits).get(server.url_for("/later.json"))


@pytest.mark.parametrize("status, words", [(403, "forbidden"), (404, "not found"), (410, "gone")])
def test_refusals_are_named(server, tmp_path: Path, waits: Waits, status: int, words: str) -> None:
    server.expect_request("/gone.html").respond_with_data("", status=status)
    with pytest.raises(FetchError, match=rf"gone.html: HTTP {status} \({words}\)$"):
        client(tmp_path, waits).get(server.url_for("/gone.html"))


def test_a_slow_answer_times_out(server, tmp_path: Path, waits: Waits) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response("<p>late</p>", content_type="text/html")

    server.expect_request("/slow.html").respond_with_handler(slow)
    with pytest.raises(FetchError, match=r"no answer within 0.5 s, 2 tries") as caught:
        client(tmp_path, waits, timeout=0.5, retries=1).get(server.url_for("/slow.html"))
    assert caught.value.settings == ("timeout",)


def test_redirects_are_followed_within_the_limit(server, tmp_path: Path, waits: Waits) -> None:
    for n in range(3):
        server.expect_request(f"/hop{n}").respond_with_data("", status=302, headers={"Location": f"/hop{n + 1}"})
    server.expect_request("/hop3").respond_with_data("<p>there</p>", content_type="text/html")
    fetched = client(tmp_path, waits).get(server.url_for("/hop0"))
    assert fetched.final_url.endswith("/hop3") and fetched.body == b"<p>there</p>"
    with pytest.raises(FetchError, match="more than 2 redirects"):
        client(tmp_path, waits, max_redirects=2, refresh=True).get(server.url_for("/hop0"))


def test_a_redirect_out_of_http_is_refused(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/away").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="not http or https"):
        client(tmp_path, waits).get(server.url_for("/away"))


def test_bodies_over_the_cap_are_refused_declared_or_not(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/big.html").respond_with_data("x" * 5000, content_type="text/html")

    def streamed(request: Request) -> Response:
        return Response((b"y" * 1000 for _ in range(5)), content_type="text/html", direct_passthrough=True)

    server.expect_request("/stream.html").respond_with_handler(streamed)
    for path in ("/big.html", "/stream.html"):
        with pytest.raises(FetchError, match="over the cap"):
            client(tmp_path, waits, max_bytes=2000).get(server.url_for(path))


def test_what_is_not_a_page_or_json_is_refused(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/photo").respond_with_data(b"\x89PNG", content_type="image/png")
    with pytest.raises(FetchError, match=r"photo: not a page or JSON \(its type is image/png\)"):
        client(tmp_path, waits).get(server.url_for("/photo"))


def test_one_host_is_asked_at_most_once_a_second(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/a.html").respond_with_data("<p>a</p>", content_type="text/html")
    server.expect_request("/b.html").respond_with_data("<p>b</p>", content_type="text/html")
    web = client(tmp_path, waits, host_interval=1.0)
    web.get(server.url_for("/a.html"))
    web.get(server.url_for("/b.html"))
    assert waits.slept == [1.0, 1.0]  # robots.txt, then a.html, then b.html: each a second after the last


def test_a_refused_connection_and_an_unknown_host_are_one_line(tmp_path: Path, waits: Waits) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=rf"127.0.0.1:{port}/x.html: the connection was refused"):
        client(tmp_path, waits).get(f"http://127.0.0.1:{port}/x.html")
    with pytest.raises(FetchError, match="no-such-host.invalid/x.html: its host name does not resolve"):
        client(tmp_path, waits).get("http://no-such-host.invalid/x.html")


@pytest.mark.parametrize("link", ["ftp://example.org/x", "file:///etc/passwd", "http://", "javascript:alert(1)"])
def test_only_http_and_https_links(tmp_path: Path, waits: Waits, link: str) -> None:
    with pytest.raises(FetchError, match="not an http or https link"):
        client(tmp_path, waits).get(link)


def test_a_robots_txt_that_fails_allows_nothing(httpserver, tmp_path: Path, waits: Waits) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=503)
    httpserver.expect_request("/a.html").respond_with_data("<p>a</p>", content_type="text/html")
    with pytest.raises(FetchError, match=r"a.html: its site's robots.txt could not be read \(HTTP 503\)"):
        client(tmp_path, waits).get(httpserver.url_for("/a.html"))


def test_a_named_charset_is_used_and_an_unnamed_one_read_as_a_file_is(server, tmp_path: Path, waits: Waits) -> None:
    server.expect_request("/latin").respond_with_data("café".encode("latin-1"), content_type="text/html; charset=iso-8859-1")
    server.expect_request("/plain").respond_with_data("café".encode("cp1252"), content_type="text/html")
    assert client(tmp_path, waits).get(server.url_for("/latin")).text() == "café"
    assert client(tmp_path, waits).get(server.url_for("/plain")).text() == "café"
    assert client(tmp_path, waits).get(server.url_for("/latin")).text() == "café"  # from the cache, charset kept
