"""WordPress WXR exports: RSS ``<item>`` posts with their ``<wp:comment>`` elements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import load_xml
from stance.extract.markup import html_to_text, title_from_link

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
EXPECTED = "expected a WordPress WXR export (an <rss> file using the wordpress.org/export namespace)"
PING_TYPES = frozenset({"pingback", "trackback"})
# comment_approved values that mean the comment is not shown on the site.
STATUSES = {"spam": "spam", "trash": "deleted", "post-trashed": "deleted"}
_WP_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_WP_NAMESPACE = re.compile(r"\{https?://wordpress\.org/export/[\d.]+/\}")  # not .../export/1.2/excerpt/


@dataclass
class _Post:
    title: str
    body: str
    comments: list[Comment]


def parse_wxr(text: str, source: str) -> Thread:
    """Read the comments of a WXR export; pingbacks and trackbacks are left out.

    With one commented post, its title and text become the article. With several, the comments are
    pooled and each one's target is its post's title (from its link where untitled); clashing comment ids get a ``<post>/`` prefix.
    """
    root = load_xml(text, source, EXPECTED)
    wp = _wp_namespace(root)
    if root.tag != "rss" or wp is None:
        raise InputError(f"{source}: the XML root is <{root.tag}> without WordPress export elements; {EXPECTED}")
    posts: list[_Post] = []
    taken: set[str] = set()
    pings = sum(_field(element, wp, "comment_type") in PING_TYPES for element in root.iter(f"{wp}comment"))
    for n, item in enumerate(root.iter("item"), start=1):
        key = _field(item, wp, "post_id") or f"item{n}"
        found = [_comment(element, wp, key, source) for element in item.findall(f"{wp}comment")]
        comments = [comment for comment in found if comment is not None]
        if comments:
            _link_replies(comments, key, taken)
            title = (item.findtext("title") or "").strip() or title_from_link((item.findtext("link") or "").strip())
            posts.append(_Post(title, html_to_text(item.findtext(CONTENT) or ""), comments))
    if len(posts) == 1:
        return Thread(title=posts[0].title, body=posts[0].body, comments=posts[0].comments, source=source, pings_skipped=pings)
    for post in posts:
        for comment in post.comments:
            comment.target = post.title or None
    return Thread(comments=[comment for post in posts for comment in post.comments], source=source, pings_skipped=pings)


def _wp_namespace(root: Element) -> str | None:
    """``{https://wordpress.org/export/1.2/}`` or whichever export version the file uses."""
    for element in root.iter():
        namespace = _WP_NAMESPACE.match(element.tag)
        if namespace:
            return namespace.group()
    return None


def _field(element: Element, wp: str, name: str) -> str:
    return (element.findtext(f"{wp}{name}") or "").strip()


def _comment(element: Element, wp: str, key: str, source: str) -> Comment | None:
    """A ``<wp:comment>`` as a comment; None for pings and for unflagged comments without text."""
    if _field(element, wp, "comment_type") in PING_TYPES:
        return None
    comment_id = _field(element, wp, "comment_id")
    if not comment_id:
        raise InputError(f"{source}: a comment on post {key} has no <wp:comment_id>; {EXPECTED}")
    status = STATUSES.get(_field(element, wp, "comment_approved"))
    text = html_to_text(element.findtext(f"{wp}comment_content") or "")
    if not text and status is None:
        return None
    parent = _field(element, wp, "comment_parent")
    return Comment(
        id=comment_id,
        text=text,
        author=_field(element, wp, "comment_author") or None,
        time=_time(_field(element, wp, "comment_date_gmt"), "Z") or _time(_field(element, wp, "comment_date"), ""),
        parent=parent if parent not in ("", "0") else None,
        source=f"{source}#post[{key}]/comment[{comment_id}]",
        status=status,
    )


def _time(value: str, zone: str) -> str | None:
    """``2014-01-14 17:31:03`` as ISO 8601 with the given zone suffix; WordPress's zero date as None."""
    if not _WP_DATE.fullmatch(value) or value.startswith("0000"):
        return None
    return value.replace(" ", "T") + zone


def _link_replies(comments: list[Comment], key: str, taken: set[str]) -> None:
    """Prefix ids another post already uses, and point replies at comments of the same post only."""
    local = {comment.id for comment in comments}
    renamed = {comment.id: f"{key}/{comment.id}" for comment in comments if comment.id in taken}
    for comment in comments:
        comment.parent = renamed.get(comment.parent, comment.parent) if comment.parent in local else None
        comment.id = renamed.get(comment.id, comment.id)
    taken.update(comment.id for comment in comments)


REST_EXPECTED = "expected WordPress's /wp-json/wp/v2/comments answer (a list of comment objects)"


def rest_comments(text: str, source: str) -> list[Comment]:
    """The comments of one page of WordPress's REST route ``/wp/v2/comments?post=ID`` (parent 0: top level)."""
    from stance.extract.documents import json_id, load_json

    data = load_json(text, source, REST_EXPECTED)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InputError(f"{source}: not a list of comments; {REST_EXPECTED}")
    comments = []
    for item in data:
        comment_id = json_id(item.get("id"))
        content = item.get("content")
        rendered = content.get("rendered") if isinstance(content, dict) else None
        if comment_id is None or not isinstance(rendered, str):
            raise InputError(f"{source}: a comment without an id or content.rendered; {REST_EXPECTED}")
        parent = json_id(item.get("parent"))
        when = item.get("date_gmt")
        comments.append(Comment(
            id=comment_id, text=html_to_text(rendered), author=(item.get("author_name") or None) if isinstance(item.get("author_name"), str) else None,
            time=f"{when}Z" if isinstance(when, str) and _REST_DATE.fullmatch(when) else None,
            parent=parent if parent not in (None, "0") else None, source=f"{source}#comment-{comment_id}",
        ))
    return comments


_REST_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
