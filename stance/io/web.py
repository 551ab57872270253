"""Fetching a page or an API response by its link, politely and safely, and keeping it.

One client (httpx) for every link a command is given: a user agent that names the tool, robots.txt obeyed
unless told otherwise, at most one request a second to a host, retries with backoff on 429 and 5xx
(honouring Retry-After), a timeout, a cap on the body's size, redirects followed within a limit, http and
https only. Nothing a page holds is run. Every response is kept in a cache folder, so a rerun, a resume or a
report reads the same bytes offline; ``refresh`` fetches again.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stance.core.checks import parse_whole_number
from stance.errors import ConfigError, InputError
from stance.io.files import atomic_file, cache_root

USER_AGENT = "stance/{version} (comment stance classifier; +https://pypi.org/project/stance/)"
ROBOTS_AGENT = "stance"
RETRIED = frozenset({429, 500, 502, 503, 504})
STATUS_WORDS = {401: "needs a login", 403: "forbidden", 404: "not found", 410: "gone", 451: "unavailable for legal reasons"}
READABLE = ("text/html", "application/xhtml+xml", "application/json", "text/json", "text/plain", "application/xml", "text/xml")


class FetchError(InputError):
    """A link could not be fetched (or may not be): one line naming the link and why."""

    exit_code = 6


@dataclass(frozen=True)
class WebSettings:
    """How links are fetched; validated when made, the one home of these defaults."""

    cache_dir: Path = field(default_factory=lambda: cache_root() / "web")
    refresh: bool = False  # fetch again though the response is cached
    obey_robots: bool = True
    timeout: float = 20.0  # seconds to connect and between bytes
    max_bytes: int = 50 * 2**20
    max_redirects: int = 5
    retries: int = 3  # further tries after a 429 or 5xx, or a timeout
    host_interval: float = 1.0  # seconds between two requests to one host
    max_wait: float = 60.0  # the longest Retry-After honoured; longer is a failure
    hn_api: str = "https://hn.algolia.com/api/v1/items/"  # where a Hacker News item's tree is read
    reddit_more: int = 500  # comments fetched at most behind a Reddit thread's "load more" stubs

    def __post_init__(self) -> None:
        for name in ("timeout", "host_interval", "max_wait"):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"{name} {getattr(self, name)!r}: must be a number of seconds, 0 or more", settings=name)
        for name in ("max_bytes", "max_redirects", "retries", "reddit_more"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise ConfigError(f"{name} {getattr(self, name)!r}: must be a whole number, 0 or more", settings=name)


@dataclass(frozen=True)
class Fetched:
    """A response as kept: the link asked for, where it ended after redirects, its type, the charset its answer
    named (if any) and its body."""

    url: str
    final_url: str
    content_type: str
    body: bytes
    charset: str | None = None

    def text(self) -> str:
        """The body as text: in the charset the answer named, else as a saved file is read (UTF-8, then Windows-1252)."""
        from stance.io.inputs import decode_text

        if self.charset:
            try:
                return self.body.decode(self.charset, errors="replace")
            except LookupError:  # a charset Python does not know
                pass
        return decode_text(self.body, self.url)


@dataclass
class WebClient:
    """Fetches links under :class:`WebSettings`, from the cache where it has them. ``sleep`` and ``clock`` are
    the waits' (tests pass their own)."""

    settings: WebSettings
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)  # host → when the last request to it began
    _robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict)
    _client: Any = None

    def get(self, url: str, *, params: dict[str, str] | None = None) -> Fetched:
        """The response to ``url`` (with ``params`` in its query), from the cache unless ``refresh``."""
        import httpx

        check_link(url)
        try:
            full = str(httpx.URL(url, params=params)) if params else url
        except (httpx.InvalidURL, ValueError) as err:
            raise FetchError(f"{url}: not a usable link ({err})") from None
        kept = self._cached(full)
        if kept is not None and not self.settings.refresh:
            return kept
        if self.settings.obey_robots and not self._allowed(full):
            raise FetchError(f"{url}: its site's robots.txt does not allow stance to read it", settings="ignore_robots")
        fetched = self._fetch(full)
        self._keep(full, fetched)
        return fetched

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _http(self) -> Any:
        import httpx

        from stance import __version__

        if self._client is None:
            self._client = httpx.Client(
                headers={"User-Agent": USER_AGENT.format(version=__version__), "Accept": ", ".join(READABLE)},
                timeout=self.settings.timeout, follow_redirects=True, max_redirects=self.settings.max_redirects,
            )
        return self._client

    def _fetch(self, url: str, *, for_robots: str | None = None) -> Fetched:
        """``url``'s response; ``for_robots``: the link a robots.txt is read for (named in errors; a status of 400
        or more reads as no robots.txt, tried once)."""
        import httpx

        named = for_robots or url
        retries = 0 if for_robots else self.settings.retries
        for attempt in range(retries + 1):
            self._wait_for_host(url)
            try:
                with self._http().stream("GET", url) as response:
                    if response.status_code in RETRIED and attempt < retries:
                        wait = _retry_after(response.headers.get("Retry-After"), 2.0**attempt)
                        if wait > self.settings.max_wait:
                            raise FetchError(f"{url}: HTTP {response.status_code}, and the site asks to wait {wait:.0f} s (more than "
                                             f"{self.settings.max_wait:.0f}); try again later")
                        self.sleep(wait)
                        continue
                    if response.status_code >= 400:
                        if for_robots and response.status_code < 500:  # no robots.txt: everything allowed
                            return Fetched(url, str(response.url), "", b"")
                        if for_robots:  # a site that cannot say what it allows allows nothing (RFC 9309)
                            raise FetchError(f"{named}: its site's robots.txt could not be read (HTTP {response.status_code}), "
                                             "which means nothing may be read", settings="ignore_robots")
                        said = "rate-limited" if response.status_code == 429 else STATUS_WORDS.get(response.status_code, "refused")
                        tries = f" after {attempt + 1} tries" if response.status_code in RETRIED else ""
                        raise FetchError(f"{url}: HTTP {response.status_code} ({said}){tries}")
                    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                    if not for_robots and content_type and not content_type.startswith(READABLE):
                        raise FetchError(f"{url}: not a page or JSON (its type is {content_type})")
                    return Fetched(url, str(response.url), content_type, self._body(url, response), response.charset_encoding)
            except FetchError:  # ours, raised above: already in words (and a ValueError, caught below otherwise)
                raise
            except httpx.TooManyRedirects:
                raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects") from None
            except httpx.UnsupportedProtocol as err:
                raise FetchError(f"{url}: redirected to a link that is not http or https ({err})") from None
            except httpx.TimeoutException:
                if attempt < retries:
                    self.sleep(2.0**attempt)
                    continue
                raise FetchError(f"{named}: no answer within {self.settings.timeout:g} s, {attempt + 1} tries", settings="timeout") from None
            except httpx.ConnectError as err:
                raise FetchError(f"{named}: {_connect_reason(err)}") from None
            except httpx.HTTPError as err:
                raise FetchError(f"{named}: {type(err).__name__} ({err})") from None
            except (httpx.InvalidURL, ValueError) as err:
                raise FetchError(f"{named}: not a usable link ({err})") from None
        raise AssertionError("unreachable: the last try returns or raises")

    def _body(self, url: str, response: Any) -> bytes:
        declared = parse_whole_number(response.headers.get("Content-Length") or "")
        cap = self.settings.max_bytes
        if declared is not None and declared > cap:
            raise FetchError(f"{url}: {declared / 2**20:.1f} MiB, over the cap of {cap / 2**20:.1f} MiB")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"{url}: over the cap of {cap / 2**20:.1f} MiB")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        if host in self._last:
            wait = self._last[host] + self.settings.host_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            robots = self._cached(site + "/robots.txt")
            if robots is None or self.settings.refresh:
                robots = self._fetch(site + "/robots.txt", for_robots=url)
                self._keep(site + "/robots.txt", robots)
            parser = urllib.robotparser.RobotFileParser()
            parser.parse(robots.text().splitlines())
            self._robots[site] = parser
        return self._robots[site].can_fetch(ROBOTS_AGENT, url)

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.settings.cache_dir / f"{key}.json", self.settings.cache_dir / f"{key}.body"

    def _cached(self, url: str) -> Fetched | None:
        meta, body = self._paths(url)
        try:
            found = json.loads(meta.read_text(encoding="utf-8"))
            return Fetched(url, found["final_url"], found["content_type"], body.read_bytes(), found.get("charset"))
        except (OSError, ValueError, KeyError):
            return None

    def _keep(self, url: str, fetched: Fetched) -> None:
        meta, body = self._paths(url)
        with atomic_file(body, "wb") as handle:
            handle.write(fetched.body)
        with atomic_file(meta) as handle:  # written last: a body without it is not taken as kept
            handle.write(json.dumps({"url": url, "final_url": fetched.final_url, "content_type": fetched.content_type,
                                     "charset": fetched.charset}))


def is_link(name: str) -> bool:
    """Whether an input names a link rather than a file."""
    return name.lower().startswith(("http://", "https://"))


def check_link(url: str) -> None:
    """Only http and https links with a host are fetched."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is no number raises here)
    except ValueError as err:
        raise FetchError(f"{url}: not a usable link ({err})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{url}: not an http or https link")


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait by a Retry-After header (seconds, or an HTTP date), else ``default``."""
    if not value:
        return default
    if (seconds := parse_whole_number(value)) is not None:
        return float(seconds)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, moment.timestamp() - time.time())


def _connect_reason(err: BaseException) -> str:
    """A failed connection in words: the host not found, or refused."""
    text = str(err).lower()
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text or "name resolution" in text:
        return "its host name does not resolve (no such host, or no network)"
    if "refused" in text:
        return "the connection was refused"
    return f"cannot connect ({err})"
