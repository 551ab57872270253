"""A comment section read by its link: an article page, a Reddit thread, a Hacker News item, or a page whose
comments come from its WordPress or Discourse API. Fetching is :mod:`stance.io.web`'s; this module knows
which address holds the comments for each kind of link and reads the answers with the readers of saved
files, so a link gives the same records as the file saved from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html

from stance.core.checks import parse_whole_number
from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.exports.discourse import parse_discourse
from stance.extract.exports.hackernews import parse_hackernews
from stance.extract.exports.reddit import more_ids, parse_more_children, parse_reddit
from stance.extract.exports.wordpress import rest_comments
from stance.io.web import WebClient, check_link

REDDIT_THREAD = re.compile(r"^/r/[^/]+/comments/(?P<id>[a-z0-9]+)(?:/|$)", re.I)
HACKER_NEWS = "news.ycombinator.com"
REDDIT = "reddit.com"
WORDPRESS_PAGES = 100  # pages of the REST route read at most (10,000 comments), whatever the site answers
REDDIT_BATCH = 100  # ids per /api/morechildren call, Reddit's own limit
WORDPRESS_PAGE = 100  # comments per page of the REST route, its largest
# Comment systems whose comments a saved page holds only as a script to run.
SCRIPT_SYSTEMS = {"disqus_thread": "Disqus", "coral_thread": "Coral", "fb-comments": "Facebook", "commento": "Commento",
                  "hyvor-talk-view": "Hyvor Talk", "giscus": "giscus", "utterances": "utterances"}


def read_link(url: str, client: WebClient, parse: Callable[[str, str], Thread]) -> Thread:
    """The comment section at ``url``, fetched by ``client`` (its settings cap what is fetched behind Reddit's
    "load more"); a page or file that is none of the sites above is read by ``parse(text, url)``, as a saved
    file of its content would be."""
    check_link(url)
    parts = urlsplit(url)
    path, query = parts.path, parse_qs(parts.query)
    if (thread_match := REDDIT_THREAD.match(path)) is not None:
        try:
            return _reddit(url, thread_match.group("id"), client, client.settings.reddit_more)
        except InputError:  # FetchError too
            if (parts.hostname or "").endswith(REDDIT):
                raise
            # elsewhere a path like Reddit's may be an ordinary page (a mirror's is read as Reddit's): read the page
    story = parse_whole_number(query.get("id", [""])[0]) if parts.hostname == HACKER_NEWS and path.rstrip("/") == "/item" else None
    if story is not None:
        return parse_hackernews(client.get(f"{client.settings.hn_api}{story}").text(), url)
    fetched = client.get(url)
    thread = parse(fetched.text(), url)
    if thread.comments or "html" not in fetched.content_type:
        return thread
    root = lxml.html.document_fromstring(fetched.body or b"<html></html>")
    from_api = _discourse_page(root, url, client) or _wordpress_api(root, thread, url, client)
    if from_api is not None:
        return from_api
    system = next((name for marker, name in SCRIPT_SYSTEMS.items() if root.xpath(f'//*[@id="{marker}" or contains(@class, "{marker}")]')), None)
    if system is not None:
        thread.loaded_by_script = system
    return thread


def _reddit(url: str, thread_id: str, client: WebClient, max_more: int) -> Thread:
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}"
    listing = client.get(f"{site}{parts.path.rstrip('/')}.json", params={"raw_json": "1", "limit": "500"}).text()
    thread = parse_reddit(listing, url)
    pending, asked = more_ids(listing, url), 0
    seen = {comment.id for comment in thread.comments}
    while pending and asked < max_more:
        batch = pending[: min(REDDIT_BATCH, max_more - asked)]
        pending, asked = pending[len(batch):], asked + len(batch)
        answer = client.get(f"{site}/api/morechildren.json",
                            params={"api_type": "json", "link_id": f"t3_{thread_id}", "children": ",".join(batch), "raw_json": "1"})
        comments, more = parse_more_children(answer.text(), url)
        thread.comments += [comment for comment in comments if comment.id not in seen]
        seen |= {comment.id for comment in comments}
        pending += more
    thread.not_loaded = max(0, thread.not_loaded - asked)  # about: a stub's count and its ids need not agree
    return thread


def _discourse_page(root: lxml.html.HtmlElement, url: str, client: WebClient) -> Thread | None:
    """A Discourse topic page (its generator says so): the topic's JSON, at the page's link + ``.json``."""
    generator = " ".join(root.xpath('//meta[@name="generator"]/@content'))
    if "discourse" not in generator.lower():
        return None
    parts = urlsplit(url)
    return parse_discourse(client.get(f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}.json").text(), url)


def _wordpress_api(root: lxml.html.HtmlElement, thread: Thread, url: str, client: WebClient) -> Thread | None:
    """A WordPress post whose page names its REST API (``<link rel="https://api.w.org/">``) and its post's id:
    every page of ``wp/v2/comments?post=ID``."""
    api = root.xpath('//link[@rel="https://api.w.org/"]/@href')
    post_link = root.xpath('//link[@rel="alternate"][contains(@href, "/wp/v2/posts/")]/@href')
    post_id = next((m.group(1) for link in post_link if (m := re.search(r"/wp/v2/posts/(\d+)", link))), None)
    if post_id is None:
        post_id = next((m.group(1) for body in root.xpath("//body/@class") if (m := re.search(r"\bpostid-(\d+)\b", body))), None)
    if not api or post_id is None:
        return None
    endpoint = urljoin(api[0], "wp/v2/comments")
    comments: dict[str, Comment] = {}
    for page in range(1, WORDPRESS_PAGES + 1):
        try:
            found = rest_comments(client.get(endpoint, params={"post": post_id, "per_page": str(WORDPRESS_PAGE), "page": str(page),
                                                               "order": "asc"}).text(), url)
        except InputError:  # FetchError too: past the last page WordPress answers 400; a locked API, 401
            if page == 1:
                return None  # the page as it is, without the API's comments
            break
        fresh = [comment for comment in found if comment.id not in comments]
        comments |= {comment.id: comment for comment in fresh}
        if len(found) < WORDPRESS_PAGE or not fresh:  # the last page, or a site that answers every page alike
            break
    thread.comments = list(comments.values())
    return thread
