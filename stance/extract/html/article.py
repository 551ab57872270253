"""The article around the comments: its title, its body (by trafilatura), and the counts the page declares.

Besides the comments a thread has a title and body (the target a comment's stance is about), the
number of comments the page says it has, and the pingbacks skipped. Kept apart because it reads the
page as a whole, not the comments, and the body must be read last: it is extracted with the comment
elements cut out of the tree, so that no comment text leaks into it.
"""

from __future__ import annotations

import html
import itertools
from typing import Any

from lxml import etree

from stance.extract import markup
from stance.extract.documents import as_count
from stance.extract.html import fields
from stance.extract.html.scripts import types
from stance.extract.markup import element_text, tidy_text

TRAFILATURA_MAX_ELEMENTS = 20_000  # the largest of the benchmark pages has 5,600


def count_pings(root: etree._Element) -> int:
    """Pingbacks and trackbacks in the comment list (skipped: they are links from other sites)."""
    return sum(
        1 for element in root.iter()
        if isinstance(element.tag, str) and {"pingback", "trackback"} & {t.lower() for t in fields.classes(element)}
    )


def title(root: etree._Element, json_ld: list[dict[str, Any]]) -> str:
    for obj in json_ld:
        if types(obj) & {"Article", "NewsArticle", "BlogPosting", "Recipe", "DiscussionForumPosting"} and isinstance(obj.get("headline"), str):
            return tidy_text(html.unescape(obj["headline"]))
    for meta in root.iter("meta"):
        if meta.get("property") == "og:title" and meta.get("content"):
            return tidy_text(html.unescape(meta.get("content")))  # some sites escape twice
    for tag in ("h1", "title"):
        node = next(root.iter(tag), None)
        if node is not None and element_text(node):
            return element_text(node)
    return ""


def article_body(root: etree._Element, comment_elements: list[etree._Element]) -> str:
    """The article's text by trafilatura, once every comment is cut out of the page (in place).

    trafilatura's time grows with the square of the page (5 s at 24,000 elements, about an hour for a
    50 MB article), so beyond :data:`TRAFILATURA_MAX_ELEMENTS` the body is the text of the paragraphs
    of the page's ``<article>`` (or ``<main>``, else the whole page) instead.
    """
    import trafilatura

    for element in comment_elements:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    if sum(1 for _ in itertools.islice(root.iter(), TRAFILATURA_MAX_ELEMENTS + 1)) > TRAFILATURA_MAX_ELEMENTS:
        container = next(root.iter("article", "main"), None)
        paragraphs = (element_text(node) for node in (root if container is None else container).iter("p"))
        return tidy_text("\n\n".join(text for text in paragraphs if text))
    text = trafilatura.extract(root, include_comments=False, include_tables=False, favor_precision=True)
    return tidy_text(text or "")


def declared_count(root: etree._Element, json_ld: list[dict[str, Any]]) -> int | None:
    """The number of comments the page says it has (JSON-LD commentCount or a "12 Comments" heading)."""
    for obj in json_ld:
        count = as_count(obj.get("commentCount"))
        if count is not None:
            return count
    for node in root.iter("h1", "h2", "h3", "h4", "h5", "span", "div", "p", "a"):
        if len(node) > 2:
            continue
        count = markup.declared_count(element_text(node))
        if count is not None:
            return count
    return None
