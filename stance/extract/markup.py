"""HTML fragments to clean text: comment bodies in pages and exports are HTML."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# Elements after which the text breaks onto a new line.
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table td th tr ul".split()
)
# Elements whose text is never part of what a reader wrote.
SKIP_TAGS = frozenset("script style noscript template svg button form input select textarea iframe object".split())
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# A line that states how many comments follow: "12 Comments", "3 thoughts on …", "32 Kommentare".
_COUNT_TEXT = re.compile(
    r"^\s*(\d[\d,.]*)\s+(?:comments?|responses?|replies|reactions|thoughts?\b.*|kommentare?|leserkommentare?|"
    r"commentaires?|comentarios?|reacties)\s*:?\s*$",
    re.I,
)
_SLUG_SEPARATORS = re.compile(r"[-_+]+|%20")
_INDEX_PAGE = re.compile(r"^(?:index|default)\.\w+$|^\d+(?:\.\w+)?$", re.I)


def element_text(element: etree._Element, skip: frozenset[etree._Element] = frozenset()) -> str:
    """The visible text of an element: block elements on their own lines, spaces collapsed.

    Elements in ``skip`` (e.g. nested replies or "Reply" links) are left out with their children.
    """
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if node in skip or tag.lower() in SKIP_TAGS or not isinstance(node.tag, str):
            return
        if tag.lower() == "br":
            parts.append("\n")
            return
        block = tag.lower() in BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    return tidy_text("".join(parts))


def tidy_text(text: str) -> str:
    """Collapse runs of spaces, trim every line and keep at most one blank line between paragraphs."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (e.g. a comment body from an export); plain text passes through."""
    if "<" not in fragment and "&" not in fragment:
        return tidy_text(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return tidy_text(fragment)
    return element_text(root)


def title_from_link(link: str) -> str:
    """Words from an article link's slug (``/2023/05/council-bans-cars.html`` → ``council bans cars``),
    for exports whose article has no title; the link itself where its path has no slug, empty without one."""
    from urllib.parse import urlsplit

    try:
        path = urlsplit(link).path if "://" in link else link
    except ValueError:  # not a link after all ("http://[…" is no address): its text is the path
        path = link
    for segment in reversed([part for part in path.split("/") if part]):
        if _INDEX_PAGE.match(segment):
            continue
        words = _SLUG_SEPARATORS.sub(" ", segment.rsplit(".", 1)[0] if "." in segment else segment).strip()
        if words:
            return words
    return link


def declared_count(text: str) -> int | None:
    """The count in a line such as ``12 Comments`` or ``1,204 replies``; None for any other text."""
    match = _COUNT_TEXT.match(text)
    digits = re.sub(r"[,.]", "", match.group(1)) if match else ""
    return int(digits) if digits and len(digits) <= 15 else None  # a 5,000-digit "count" is no count
