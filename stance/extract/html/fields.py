"""Per-comment fields: the own words, author, time, likes, nesting level and id of one comment element.

Each parser reads one comment element found by :mod:`.items`, looking only at the element's own
descendants (``skip`` holds its nested replies and quotes), so a reply's author or time is never read
as its parent's. They are kept together, apart from the search for the comments, because they share
the class patterns that tell a byline, a meta block and a body apart; ``classes`` is here, at the
bottom of the package's imports, because the other markup modules need it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from stance.extract.invariants import without_interface_lines
from stance.extract.markup import element_text

_BODY_CLASS = re.compile(r"(?:^|[-_])(?:content|body|texte?|message|copy|comment-?text)$", re.I)
_BODY_PROPS = {"text", "comment", "commenttext", "articlebody", "description"}
_META_CLASS = re.compile(
    r"(?:^|[-_])(?:author|meta|metadata|commentmetadata|vcard|avatar|reply|replies|actions?|toolbar|footer|"
    r"header|rating|ratings|votes?|voting|share|sharing|byline|date|datetime|time|timestamp|permalink|links|"
    r"report|flag|button|trigger|toggle|ellipsis|says|like|likes|controls?)(?:$|[-_])",
    re.I,
)
AUTHOR_CLASS = re.compile(r"(?:^|[-_])(?:fn|author|user|username|user-?name|nick(?:name)?|commenter|name)$", re.I)
TIME_CLASS = re.compile(r"(?:^|[-_])(?:date|datetime|time|timestamp|published)$", re.I)
_LIKES_TEXT = re.compile(r"^\s*([\d.,]+)\s*(k)?\s*(?:points?|likes?|votes?|upvotes?)\s*$", re.I)
_LIKES_CLASS = re.compile(r"(?:^|[-_])(?:likes?|votes?|score|points|upvotes?|karma)(?:$|[-_]|-?count)", re.I)
_LEVEL_TEXT = re.compile(r"^\s*level\s+(\d{1,15})\s*$", re.I)
DELETED_TEXT = re.compile(r"^\s*\[?(?:deleted|removed)\]?\s*$|^this comment (?:has been|was) (?:deleted|removed)", re.I)
# A comment's heading line naming its author and date: "Anna | 1 May 2024", "Ben · 02.05.2024 09:30".
_HEADING_LINE = re.compile(r"^\s*(?P<name>[^|·•–—\n]{1,60}?)\s*[|·•–—]\s*(?P<date>[^|·•–—\n]*\d[^|·•–—\n]*?)\s*$")
_HAS_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2}\b")  # 2024, or 12.03.24
# Attributes some comment systems carry a comment's likes in, where the count is not printed as text.
_LIKES_ATTRIBUTES = ("data-like-count", "data-likes", "data-likes-count", "data-vote-count", "data-votes", "data-score", "data-upvotes")
_SAYS = re.compile(r"\s*(?:says|sagt|schreibt|said|wrote)\s*:?\s*$", re.I)


def classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _is_meta(element: etree._Element) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("time", "cite", "footer", "header", "button", "form", "img", "svg", "h1", "h2", "h3", "h4", "h5", "h6"):
        return True
    if element.get("itemprop") in ("author", "dateCreated", "datePublished", "creator"):
        return True
    return any(_META_CLASS.search(token) or AUTHOR_CLASS.search(token) for token in classes(element))


def own_descendants(element: etree._Element, skip: frozenset[etree._Element]) -> Iterator[etree._Element]:
    """Descendants of a comment element outside its nested replies."""
    stack = list(reversed(list(element)))
    while stack:
        node = stack.pop()
        if node in skip or not isinstance(node.tag, str):
            continue
        yield node
        stack.extend(reversed(list(node)))


def comment_text(element: etree._Element, skip: frozenset[etree._Element]) -> str:
    """The comment's own words: its body element if it marks one, else its text without meta parts; without
    interface lines ("Reply", "[ antworten ]") left at its start or end. Only interface words: kept as they
    are, for the invariants to see (:mod:`stance.extract.invariants`)."""
    text = _comment_text(element, skip)
    return without_interface_lines(text) or text


def _comment_text(element: etree._Element, skip: frozenset[etree._Element]) -> str:
    meta = frozenset(node for node in own_descendants(element, skip) if _is_meta(node))
    bylines = [node for node in meta if node.tag in ("time", "cite") or any(AUTHOR_CLASS.search(t) for t in classes(node))]
    for node in own_descendants(element, skip | meta):
        # A "body" that holds the author or time is the whole comment's wrapper, not its text.
        if _is_body(node) and not any(node in byline.iterancestors() for byline in bylines):
            text = element_text(node, skip | meta)
            if text:
                return text
    return element_text(element, skip | meta)


def _is_body(element: etree._Element) -> bool:
    if (element.get("itemprop") or "").lower() in _BODY_PROPS:
        return True
    if "comment" in (element.get("data-test-id") or element.get("data-testid") or "").lower():
        return True
    return any(_BODY_CLASS.search(token) for token in classes(element))


def heading_line(element: etree._Element) -> tuple[str, str] | None:
    """(name, ISO date) from a line "Name | date" that is the element's whole text, where the date reads as one."""
    text = element_text(element)
    match = _HEADING_LINE.match(text) if len(text) <= 100 else None
    if match is None:
        return None
    date = _parse_date_text(match.group("date"))
    return (match.group("name").strip(), date) if date else None


def _heading(element: etree._Element, skip: frozenset[etree._Element]) -> tuple[str, str] | None:
    """The comment's heading line, where its author and date are printed as one (:func:`heading_line`)."""
    for node in (element, *own_descendants(element, skip)):
        if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt", "strong", "b") or any("title" in t.lower() or "head" in t.lower() for t in classes(node)):
            found = heading_line(node)
            if found:
                return found
    return None


def author(element: etree._Element, skip: frozenset[etree._Element]) -> str | None:
    if (element.get("data-author") or "").strip():
        return element.get("data-author").strip()
    candidates = list(own_descendants(element, skip))
    ranked = (
        [n for n in candidates if n.get("itemprop") == "author"],
        [n for n in candidates if "fn" in classes(n)],
        [n for n in candidates if n.tag == "cite"],
        [n for n in candidates if any(AUTHOR_CLASS.search(t) for t in classes(n))],
    )
    for group in ranked:
        for node in group:
            # the name inside a byline ("by <a class=username>Gareth</a> » Mon 10 am")
            name_node = next(
                (n for n in node.iterdescendants()
                 if (n.get("itemprop") == "name" or any(AUTHOR_CLASS.search(t) for t in classes(n))) and element_text(n)),
                node,
            )
            lines = element_text(name_node).split("\n")  # a name may be followed by a role ("Guest")
            name = _SAYS.sub("", lines[0]).strip()
            if name and len(name) <= 100:
                return name
    heading = _heading(element, skip)
    return heading[0] if heading else None


def time(element: etree._Element, skip: frozenset[etree._Element]) -> str | None:
    nodes = list(own_descendants(element, skip))
    for node in nodes:
        for attribute in ("datetime", "content"):
            value = node.get(attribute)
            if value and (node.tag == "time" or _is_date_property(node)) and _looks_like_date(value):
                return value.strip()
    for node in nodes:
        if node.tag == "time" or _is_date_property(node) or any(TIME_CLASS.search(t) for t in classes(node)):
            parsed = _parse_date_text(node.get("title") or element_text(node))
            if parsed:
                return parsed
    # Older themes print the date as a permalink inside a "comment-meta" block.
    for node in nodes:
        if any(re.search(r"(?:^|[-_])meta(?:data)?$|metadata$", t, re.I) for t in classes(node)):
            for link in node.iter("a", "span"):
                parsed = _parse_date_text(element_text(link))
                if parsed:
                    return parsed
    heading = _heading(element, skip)
    return heading[1] if heading else None


def _is_date_property(node: etree._Element) -> bool:
    """schema.org's creation or publication date, as microdata (``itemprop``) or RDFa (``property="schema:…"``)."""
    marked = f"{node.get('itemprop') or ''} {node.get('property') or ''}"
    return bool(re.search(r"(?:^|[\s:])(?:dateCreated|datePublished)\b", marked))


def _looks_like_date(value: str) -> bool:
    return bool(re.match(r"^\s*\d{4}-\d{2}-\d{2}", value))


def _parse_date_text(text: str) -> str | None:
    """A printed date ("May 30, 2019 at 5:38 PM") as ISO 8601; relative ones ("6 years ago") are skipped."""
    text = text.strip()
    if not text or len(text) > 60 or not re.search(r"\d", text) or re.search(r"\bago\b|\bvor\b", text, re.I):
        return None
    if not _HAS_YEAR.search(text):  # "Jun 20th at 2:41 am": the year would be invented (today's), so no time at all
        return None
    import dateparser  # slow to import; only pages without machine-readable times need it

    settings: dict[str, Any] = {"RETURN_AS_TIMEZONE_AWARE": False}
    if re.search(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b", text):  # "12.03.2024": day first, as everywhere dots are used
        settings["DATE_ORDER"] = "DMY"
    parsed = dateparser.parse(text.replace(" at ", " "), settings=settings)
    return parsed.isoformat() if parsed else None


def likes(element: etree._Element, skip: frozenset[etree._Element]) -> int | None:
    for node in (element, *own_descendants(element, skip)):
        for attribute in _LIKES_ATTRIBUTES:
            value = (node.get(attribute) or "").strip()
            if re.fullmatch(r"-?\d{1,15}", value):
                return int(value)
    for node in own_descendants(element, skip):
        text = (node.text or "").strip()
        match = _LIKES_TEXT.match(text)
        if match is None and any(_LIKES_CLASS.search(t) for t in classes(node)) and re.fullmatch(r"-?\d{1,15}", text):
            return int(text)
        if match:
            try:
                number = float(match.group(1).replace(",", ""))
            except ValueError:  # "1.2.3 likes" is no count
                continue
            if number < 1e15:  # not a 400-digit "count", which reads as infinity
                return int(number * 1000) if match.group(2) else int(number)
    return None


def level(element: etree._Element, skip: frozenset[etree._Element]) -> int | None:
    """A nesting depth the page prints or declares instead of nesting the markup."""
    for key in ("aria-level", "data-depth", "data-level"):
        value = element.get(key) or ""
        if value.isdecimal() and len(value) <= 15:  # not "²" (a digit int() refuses) or a 5,000-digit number
            return int(value)
    for node in own_descendants(element, skip):
        match = _LEVEL_TEXT.match(node.text or "")
        if match and len(node) == 0:
            return int(match.group(1))
    return None


def comment_id(element: etree._Element, position: int) -> str:
    """The element's id, a data-*id attribute, an anchor just before it, else its position."""
    for key in ("id", "data-comment-id", "data-id", "data-fullname"):
        if element.get(key):
            return element.get(key)
    previous = element.getprevious()
    if previous is not None and previous.tag == "a" and previous.get("id"):
        return previous.get("id")
    return str(position)
