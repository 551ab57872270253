"""Finding the comments in a page's markup: the elements a comment system marks as comments.

A comment is found by its class ("comment", "comment-item"), its id numbering ("comment-123") or
schema.org microdata; failing those, by forum post classes inside a discussion container, and
failing those too, by a run of alike siblings with bylines. These searches are kept apart from the
reading of each comment (:mod:`.fields`) because they decide which elements are comments at all,
and the fallbacks only make sense against each other.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lxml import etree

from stance.extract.html import fields
from stance.extract.markup import element_text

# A class token naming a whole comment ("comment", "c-comment", "comment-item", "commentItem").
_ITEM_CLASS = re.compile(r"^(?:[a-z]+[-_])?comment(?:[-_]?(?:item|entry|node|container|wrapper|block|card))?$", re.I)
# An id numbering comments ("comment-123", "bb_message_42", "c2925100285921034305", "reply-7").
_ITEM_ID = re.compile(r"^(?:[a-z]+[-_])?(?:comment|message|msg|reply|c)[-_]?\d+$", re.I)
# A class token marking a forum post ("message", "forum-message", "post"): used only where the page
# has no comment markers, and only for several alike elements inside a discussion-like container.
_POST_CLASS = re.compile(r"^(?:[a-z]+-)?(?:message|post)(?:--[\w-]+)?$", re.I)
_DISCUSSION_HINT = re.compile(r"comment|discussion|forum|thread|topic|messages|replies|posts|kommentar|reaction", re.I)
_NOT_COMMENT_CLASS = re.compile(r"^(?:pingback|trackback|comment-form|comment-respond|respond)$", re.I)


@dataclass
class Item:
    """A comment element found in the markup."""

    element: etree._Element
    signature: tuple[str, str]


def _item_signature(element: etree._Element) -> tuple[str, str] | None:
    """How a comment element is marked, or None if it is not one: (tag, marker)."""
    if not isinstance(element.tag, str):
        return None
    classes = fields.classes(element)
    if any(_NOT_COMMENT_CLASS.match(token) for token in classes):
        return None
    if (element.get("itemtype") or "").rstrip("/").lower().endswith("schema.org/comment"):
        return element.tag, "itemtype"
    for token in classes:
        if _ITEM_CLASS.match(token):
            return element.tag, "class:" + token.lower()
    element_id = element.get("id") or ""
    if _ITEM_ID.match(element_id):
        return element.tag, "id:" + re.sub(r"\d+$", "N", element_id.lower())
    return None


def comment_items(root: etree._Element) -> list[Item]:
    """Comment elements in document order; a comment's inner wrappers are not counted again.

    An element inside a comment element of another kind is that comment's body wrapper, not a
    reply (replies are marked like their parents), so it is dropped.
    """
    found: dict[etree._Element, tuple[str, str]] = {}
    for element in root.iter():
        signature = _item_signature(element)
        if signature is not None:
            found[element] = signature
    if not found:
        found = _forum_posts(root)
    for container in [element for element in found if _is_container(element, found)]:
        del found[container]
    items = []
    for element, signature in found.items():
        ancestor = nearest(element, found)
        if ancestor is not None and found[ancestor] != signature:
            continue
        if not element_text(element):
            continue
        items.append(Item(element, signature))
    return items


def _forum_posts(root: etree._Element) -> dict[etree._Element, tuple[str, str]]:
    """Elements marked as posts or messages, where at least two alike sit in a discussion container."""
    groups: dict[tuple[str, str], list[etree._Element]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        token = next((t for t in fields.classes(element) if _POST_CLASS.match(t)), None)
        if token is not None:
            groups.setdefault((element.tag, "post:" + token.split("--")[0].lower()), []).append(element)
    found = {}
    for signature, elements in groups.items():
        in_discussion = [e for e in elements if any(_DISCUSSION_HINT.search(_marker_text(a)) for a in e.iterancestors())]
        if len(in_discussion) >= 2:
            found.update(dict.fromkeys(in_discussion, signature))
    return found


def repeated_run(root: etree._Element) -> list[etree._Element]:
    """Comments marked by no known class: the largest run of alike siblings (same tag and class), each
    with a byline (an author or a time), in a container whose id or class, or a near ancestor's,
    speaks of comments, a discussion or a forum."""
    best: list[etree._Element] = []
    for parent in root.iter():
        if not isinstance(parent.tag, str) or len(parent) < 2:
            continue
        groups: dict[tuple[str, str], list[etree._Element]] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "form", "nav", "header", "footer"):
                groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for members in groups.values():
            if len(members) > max(len(best), 1) and all(_has_byline(m) for m in members) and _in_discussion(parent):
                best = members
    return best


def repeated_items(members: list[etree._Element]) -> list[Item]:
    """The comments of a repeated run. Where the members are only bylines or title lines and each comment's
    body follows as siblings (paragraphs; a ``dd`` after its ``dt``; a text row after a header row; a body and
    an action line after a title line), each member and what follows it is wrapped into one element (in the
    parsed tree, so the record's ``source`` names that wrapper): a comment is one record, not one per block."""
    if sum(len(element_text(m).split()) <= 8 for m in members) > len(members) // 2:
        among = set(members)
        kinds = _follower_kinds(members, among)
        members = [_wrap_with_following(member, among, kinds) for member in members]
    signature = (members[0].tag, "repeated")
    return [Item(member, signature) for member in members if element_text(member)]


def _followers(member: etree._Element, members: set[etree._Element]) -> list[etree._Element]:
    """The element siblings after ``member`` up to the next member."""
    found = []
    for sibling in member.itersiblings():
        if sibling in members:
            break
        if isinstance(sibling.tag, str) and sibling.tag not in ("script", "style"):
            found.append(sibling)
    return found


def _follower_kinds(members: list[etree._Element], among: set[etree._Element]) -> set[tuple[str, str]]:
    """The (tag, class) of the blocks that follow at least half of the members but the last: the parts of a
    comment laid out beside its byline, told from whatever else follows the last comment (a form, a pager)."""
    seen: Counter[tuple[str, str]] = Counter()
    for member in members[:-1]:
        seen.update({(sibling.tag, sibling.get("class") or "") for sibling in _followers(member, among)})
    return {kind for kind, count in seen.items() if 2 * count >= len(members) - 1}


def _wrap_with_following(member: etree._Element, members: set[etree._Element], kinds: set[tuple[str, str]]) -> etree._Element:
    """``member`` and the blocks after it that are part of its comment (plain paragraphs, or blocks of the
    ``kinds`` that follow most members), up to the next member or anything else, in one new element."""
    wrapper = etree.Element("div", {"class": "comment"})
    member.addprevious(wrapper)
    following = []
    for sibling in _followers(member, members):
        plain = sibling.tag in ("p", "blockquote", "pre", "ul", "ol", "div") and not sibling.get("class")
        if not plain and (sibling.tag, sibling.get("class") or "") not in kinds:
            break
        following.append(sibling)
    for node in (member, *following):
        wrapper.append(node)  # moves it, tail and all
    return wrapper


def _has_byline(element: etree._Element) -> bool:
    """An author or a time marked up as one, or a heading line "Name | date"."""
    return any(
        node.tag == "time" or node.get("itemprop") == "author" or any(fields.AUTHOR_CLASS.search(t) or fields.TIME_CLASS.search(t) for t in fields.classes(node))
        for node in element.iter() if isinstance(node.tag, str)
    ) or fields.heading_line(element) is not None


def _in_discussion(element: etree._Element) -> bool:
    """Whether the element or one of its three nearest ancestors (not the page's body) is marked as a discussion."""
    near = [element, *itertools.islice(element.iterancestors(), 3)]
    return any(_DISCUSSION_HINT.search(_marker_text(node)) for node in near if node.tag not in ("body", "html"))


def _marker_text(element: etree._Element) -> str:
    return f"{element.get('id') or ''} {element.get('class') or ''}"


def _is_container(element: etree._Element, found: dict[etree._Element, tuple[str, str]]) -> bool:
    """Whether a comment-marked element holds several comments of another kind (a comment list)."""
    held = 0
    for descendant in element.iterdescendants():
        signature = found.get(descendant)
        if signature is None or signature == found[element]:
            continue
        owner = next((a for a in descendant.iterancestors() if found.get(a) == found[element]), None)
        held += owner is element
        if held >= 2:
            return True
    return False


def nearest(element: etree._Element, among: dict[etree._Element, Any]) -> etree._Element | None:
    """The closest ancestor of ``element`` that is a key of ``among``."""
    for ancestor in element.iterancestors():
        if ancestor in among:
            return ancestor
    return None
