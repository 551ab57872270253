"""Saved HTML pages: find the comment section by structure and return one record per comment.

Comments are looked for, in order, in the page's markup (elements a comment system marks as a comment
by class, id numbering or schema.org microdata, nested for replies), in schema.org ``Comment`` objects
in JSON-LD, and in comment-like JSON embedded in ``<script>`` tags (e.g. ``__NEXT_DATA__``). The
article's body is extracted by trafilatura from the page with the comments cut out, so no comment
text can leak into it. Nothing is fetched or executed: comments a page loads with JavaScript are not
in the file, and such a page yields no comments.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import lxml.html
from lxml import etree

from stance.errors import InputError
from stance.extract.documents import as_count, json_id, parse_json
from stance.extract.markup import (
    declared_count,
    element_text,
    html_to_text,
    tidy_text,
)
from stance.extract.thread import Comment, Thread

# A class token naming a whole comment ("comment", "c-comment", "comment-item", "commentItem").
_ITEM_CLASS = re.compile(r"^(?:[a-z]+[-_])?comment(?:[-_]?(?:item|entry|node|container|wrapper|block|card))?$", re.I)
# An id numbering comments ("comment-123", "bb_message_42", "c2925100285921034305", "reply-7").
_ITEM_ID = re.compile(r"^(?:[a-z]+[-_])?(?:comment|message|msg|reply|c)[-_]?\d+$", re.I)
# A class token marking a forum post ("message", "forum-message", "post"): used only where the page
# has no comment markers, and only for several alike elements inside a discussion-like container.
_POST_CLASS = re.compile(r"^(?:[a-z]+-)?(?:message|post)(?:--[\w-]+)?$", re.I)
_DISCUSSION_HINT = re.compile(r"comment|discussion|forum|thread|topic|messages|replies|posts|kommentar|reaction", re.I)
_NOT_COMMENT_CLASS = re.compile(r"^(?:pingback|trackback|comment-form|comment-respond|respond)$", re.I)
_BODY_CLASS = re.compile(r"(?:^|[-_])(?:content|body|texte?|message|copy|comment-?text)$", re.I)
_BODY_PROPS = {"text", "comment", "commenttext", "articlebody", "description"}
_META_CLASS = re.compile(
    r"(?:^|[-_])(?:author|meta|metadata|commentmetadata|vcard|avatar|reply|replies|actions?|toolbar|footer|"
    r"header|rating|ratings|votes?|voting|share|sharing|byline|date|datetime|time|timestamp|permalink|links|"
    r"report|flag|button|trigger|toggle|ellipsis|says|like|likes|controls?)(?:$|[-_])",
    re.I,
)
_AUTHOR_CLASS = re.compile(r"(?:^|[-_])(?:fn|author|user|username|user-?name|nick(?:name)?|commenter|name)$", re.I)
_TIME_CLASS = re.compile(r"(?:^|[-_])(?:date|datetime|time|timestamp|published)$", re.I)
_LIKES_TEXT = re.compile(r"^\s*([\d.,]+)\s*(k)?\s*(?:points?|likes?|votes?|upvotes?)\s*$", re.I)
_LIKES_CLASS = re.compile(r"(?:^|[-_])(?:likes?|votes?|score|points|upvotes?|karma)(?:$|[-_]|-?count)", re.I)
_LEVEL_TEXT = re.compile(r"^\s*level\s+(\d{1,15})\s*$", re.I)
_DELETED_TEXT = re.compile(r"^\s*\[?(?:deleted|removed)\]?\s*$|^this comment (?:has been|was) (?:deleted|removed)", re.I)
_SAYS = re.compile(r"\s*(?:says|sagt|schreibt|said|wrote)\s*:?\s*$", re.I)
# A quote of an earlier post inside a reply: XenForo "bbCodeBlock--quote", vBulletin "bbcode_quote",
# phpBB 2 "quotecontent", Discourse "aside.quote" (besides every <blockquote>).
_QUOTE_CLASS = re.compile(r"^(?:quote|bbcode_quote|quotecontent|quote_container)$|--quote$", re.I)
# Who is quoted: the quote's title line ("RiverRat said:", "Originally Posted by mo_k", "bob:").
_QUOTE_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|quotetitle|postedby|attribution)$", re.I)  # also "bbCodeBlock-title"
_QUOTE_EXTRA_CLASS = re.compile(r"expandLink|expand-link", re.I)  # "Click to expand..."
_QUOTE_BY = re.compile(
    r"^(?:originally posted by|quote from|quoting|zitat von)\s+(?P<a>[^\n]+?)\s*:?$"
    r"|^(?P<b>[^\n]+?)\s+(?:said|wrote|schrieb|sagte|a écrit|escribió|scrisse|skrev)\b.*$|^(?P<c>[^\n]{1,60}?):$",
    re.I,
)
_QUOTE_REF = re.compile(r"(?:post[:\s_-]*|#p|[?&]p=|#post-?|#comment-?)(\d+)\b", re.I)
_TEXT_KEYS = ("body", "text", "content", "message", "comment", "commentText", "body_html", "bodyHtml", "html")
_AUTHOR_KEYS = ("author", "user", "username", "userName", "authorName", "author_name", "by", "name", "displayName")


TRAFILATURA_MAX_ELEMENTS = 20_000  # the largest of the benchmark pages has 5,600


@dataclass
class _Item:
    """A comment element found in the markup."""

    element: etree._Element
    signature: tuple[str, str]


def parse_html(text: str, source: str) -> Thread:
    """Read a saved web page into a thread: the article's title and body, and every comment."""
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as err:
        raise InputError(f"{source}: cannot parse the page as HTML ({err}); expected a saved web page") from None
    json_ld = list(_json_ld_objects(root))
    declared_count = _declared_count(root, json_ld)
    items = _comment_items(root)
    if not items or declared_count and len(items) <= declared_count // 2:  # none found, or one where the page says 44
        repeated = _repeated_run(root)
        if len(repeated) > 2 * len(items):
            items = _repeated_items(repeated)
    if items:
        comments = _without_repeats(_comments_from_markup(root, items, source))
    else:
        comments = _comments_from_json_ld(json_ld, source) or _comments_from_scripts(root, source)
    title = _title(root, json_ld)
    body = _article_body(root, [item.element for item in items])
    return Thread(
        title=title,
        body=body,
        comments=comments,
        source=source,
        declared_count=declared_count,
        pings_skipped=_count_pings(root),
    )


def _count_pings(root: etree._Element) -> int:
    """Pingbacks and trackbacks in the comment list (skipped: they are links from other sites)."""
    return sum(
        1 for element in root.iter()
        if isinstance(element.tag, str) and {"pingback", "trackback"} & {t.lower() for t in _classes(element)}
    )


def _parser() -> lxml.html.HTMLParser:
    # No network, no entities from outside, comments and processing instructions dropped.
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)


# ---------------------------------------------------------------------------------------------
# Comments in the markup


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _item_signature(element: etree._Element) -> tuple[str, str] | None:
    """How a comment element is marked, or None if it is not one: (tag, marker)."""
    if not isinstance(element.tag, str):
        return None
    classes = _classes(element)
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


def _comment_items(root: etree._Element) -> list[_Item]:
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
        ancestor = _nearest(element, found)
        if ancestor is not None and found[ancestor] != signature:
            continue
        if not element_text(element):
            continue
        items.append(_Item(element, signature))
    return items


def _forum_posts(root: etree._Element) -> dict[etree._Element, tuple[str, str]]:
    """Elements marked as posts or messages, where at least two alike sit in a discussion container."""
    groups: dict[tuple[str, str], list[etree._Element]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        token = next((t for t in _classes(element) if _POST_CLASS.match(t)), None)
        if token is not None:
            groups.setdefault((element.tag, "post:" + token.split("--")[0].lower()), []).append(element)
    found = {}
    for signature, elements in groups.items():
        in_discussion = [e for e in elements if any(_DISCUSSION_HINT.search(_marker_text(a)) for a in e.iterancestors())]
        if len(in_discussion) >= 2:
            found.update(dict.fromkeys(in_discussion, signature))
    return found


def _repeated_run(root: etree._Element) -> list[etree._Element]:
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


def _repeated_items(members: list[etree._Element]) -> list[_Item]:
    """The comments of a repeated run. Where the bylines stand alone and each comment's paragraphs
    follow as siblings, each byline and its paragraphs are wrapped into one element (in the parsed
    tree, so the record's ``source`` names that wrapper), so that a comment is one record, not one per
    paragraph."""
    if sum(len(element_text(m).split()) <= 8 for m in members) > len(members) // 2:
        among = set(members)
        members = [_wrap_with_following(member, among) for member in members]
    signature = (members[0].tag, "repeated")
    return [_Item(member, signature) for member in members if element_text(member)]


def _has_byline(element: etree._Element) -> bool:
    return any(
        node.tag == "time" or node.get("itemprop") == "author" or any(_AUTHOR_CLASS.search(t) or _TIME_CLASS.search(t) for t in _classes(node))
        for node in element.iter() if isinstance(node.tag, str)
    )


def _in_discussion(element: etree._Element) -> bool:
    """Whether the element or one of its three nearest ancestors (not the page's body) is marked as a discussion."""
    near = [element, *itertools.islice(element.iterancestors(), 3)]
    return any(_DISCUSSION_HINT.search(_marker_text(node)) for node in near if node.tag not in ("body", "html"))


def _wrap_with_following(member: etree._Element, members: set[etree._Element]) -> etree._Element:
    """``member`` and the paragraphs after it, up to the next member or anything else, in one new element."""
    wrapper = etree.Element("div", {"class": "comment"})
    member.addprevious(wrapper)
    following = []
    for sibling in member.itersiblings():
        if sibling in members or sibling.tag not in ("p", "blockquote", "pre", "ul", "ol", "div") or sibling.get("class"):
            break
        following.append(sibling)
    for node in (member, *following):
        wrapper.append(node)  # moves it, tail and all
    return wrapper


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


def _nearest(element: etree._Element, among: dict[etree._Element, Any]) -> etree._Element | None:
    """The closest ancestor of ``element`` that is a key of ``among``."""
    for ancestor in element.iterancestors():
        if ancestor in among:
            return ancestor
    return None


def _comments_from_markup(root: etree._Element, items: list[_Item], source: str) -> list[Comment]:
    elements = {item.element: item for item in items}
    ids = {item.element: _comment_id(item.element, n) for n, item in enumerate(items, start=1)}
    comments = []
    levels: list[tuple[int, str]] = []  # (level, id) of the comments above, for pages that print "level N"
    positions: dict[etree._Element, dict[etree._Element, str]] = {}
    item_children: dict[etree._Element, list[etree._Element]] = {}
    for item in items:
        item_children.setdefault(item.element.getparent(), []).append(item.element)
    quotes: dict[str, tuple[str, str | None, str | None]] = {}  # comment id → quote text, author, page's reference
    for item in items:
        element = item.element
        nested = frozenset(node for node in element.iterdescendants() if node in elements)
        skip = _reply_containers(element, nested)
        quote_nodes = _quote_nodes(element, skip)
        own_words = _comment_text(element, skip | frozenset(quote_nodes)) if quote_nodes else ""
        # A blockquote holding the whole body beside a "Reply" link is the body, not a quote.
        if own_words and (len(own_words.split()) >= 3 or _attributed(quote_nodes)):
            quotes[ids[element]] = _quote(quote_nodes)
            skip = skip | frozenset(quote_nodes)
            text = own_words
        else:
            text = _comment_text(element, skip)
        parent_element = _nearest(element, elements)
        if parent_element is None:
            parent_element = _parent_beside(element, item_children)
        parent = ids[parent_element] if parent_element is not None else None
        level = _level(element, skip)
        if level is not None:
            while levels and levels[-1][0] >= level:
                levels.pop()
            parent = parent or (levels[-1][1] if levels else None)
            levels.append((level, ids[element]))
        comments.append(
            Comment(
                id=ids[element],
                text=text,
                author=_author(element, skip),
                time=_time(element, skip),
                parent=parent,
                likes=_likes(element, skip),
                source=f"{source}#{_css_path(element, positions)}",
                status="deleted" if _DELETED_TEXT.search(text) else None,
            )
        )
    return _with_quotes(comments, quotes)


def _without_repeats(comments: list[Comment]) -> list[Comment]:
    """Each comment once, where a page renders some twice (a "top comments" box beside the full list,
    mobile and desktop markup, a noscript copy): the same id, or the same author, time and text (both
    known: two anonymous "+1"s are two comments), is one comment. The last copy is kept, in its place
    (a "top comments" box comes before the full list), with the longer text and the parent and likes
    of another copy where it lacks them (a box may shorten the text); replies to another copy answer
    the one kept."""
    kept: dict[object, int] = {}
    merged: list[Comment] = []
    renamed: dict[str, str] = {}
    for comment in reversed(comments):
        text = " ".join(comment.text.split())
        keys = [("id", comment.id)] + ([(comment.author, comment.time, text)] if text and comment.author and comment.time else [])
        position = next((kept[key] for key in keys if key in kept), None)
        kept_copy = merged[position] if position is not None else None
        if kept_copy and comment.id != kept_copy.id and comment.id in (kept_copy.parent, kept_copy.quoted_id):
            kept_copy = None  # a reply that repeats what it answers is still a reply
        if kept_copy is None or position is None:
            kept.update(dict.fromkeys(keys, len(merged)))
            merged.append(comment)
            continue
        renamed[comment.id] = kept_copy.id
        merged[position] = replace(
            kept_copy, text=max(kept_copy.text, comment.text, key=len), parent=kept_copy.parent or comment.parent,
            likes=kept_copy.likes if kept_copy.likes is not None else comment.likes,
        )
    if not renamed:
        return comments
    return [
        replace(c, parent=renamed.get(c.parent or "", c.parent), quoted_id=renamed.get(c.quoted_id or "", c.quoted_id))
        for c in reversed(merged)
    ]


def _quote_nodes(element: etree._Element, skip: frozenset[etree._Element]) -> list[etree._Element]:
    """The quotes of earlier posts in a comment (outermost ones, in document order), with the title
    lines that name whom they quote where those sit beside the quote (phpBB 2)."""
    found: list[etree._Element] = []
    for node in _own_descendants(element, skip):
        if any(ancestor in found for ancestor in node.iterancestors()):
            continue
        if node.tag == "blockquote" or node.tag in ("aside", "div", "section") and any(_QUOTE_CLASS.search(t) for t in _classes(node)):
            title = node.getprevious()
            if title is not None and any(re.fullmatch(r"quotetitle", t, re.I) for t in _classes(title)):
                found.append(title)
            found.append(node)
    return found


def _attributed(nodes: list[etree._Element]) -> bool:
    """Whether a quote names whom it quotes (a data attribute, a title line or a <cite>)."""
    return any(
        node.get(k) for node in nodes for k in ("data-quote", "data-username", "data-author", "data-source")
    ) or any(
        n.tag == "cite" or any(_QUOTE_TITLE_CLASS.search(t) for t in _classes(n)) for node in nodes for n in node.iter()
    )


def _quote(nodes: list[etree._Element]) -> tuple[str, str | None, str | None]:
    """The quoted text, the quoted author and the page's reference to the quoted post (a number):
    read from the quote element and its title, never from links inside the quoted words."""
    titles = [
        node for quote in nodes for node in quote.iter()
        if node.tag == "cite" or any(_QUOTE_TITLE_CLASS.search(t) or _QUOTE_EXTRA_CLASS.search(t) for t in _classes(node))
    ]
    text = "\n\n".join(filter(None, (element_text(node, frozenset(titles)) for node in nodes if node not in titles)))
    author = next((quote.get(k).strip() for quote in nodes for k in ("data-quote", "data-username", "data-author") if quote.get(k)), None)
    for title in titles:
        match = _QUOTE_BY.match(element_text(title).split("\n")[0].strip())
        if author is None and match:
            author = next(group for group in match.groups() if group).strip()
    references = [
        value for node in (*nodes, *(n for title in titles for n in title.iter()))
        for value in (node.get("data-source"), node.get("data-post-id"), node.get("href"), node.get("data-post"))
        if value
    ]
    reference = next((m.group(1) for v in references if (m := _QUOTE_REF.search(v) or re.fullmatch(r"(\d+)", v))), None)
    return text, author, reference


def _with_quotes(comments: list[Comment], quotes: dict[str, tuple[str, str | None, str | None]]) -> list[Comment]:
    """Each quoting comment with its quote; the quoted comment, where the thread has it (by the page's
    reference, else by its text), becomes ``quoted_id`` and, for a comment with no parent, its parent."""
    if not quotes:
        return comments
    result = []
    for position, comment in enumerate(comments):
        if comment.id not in quotes:
            result.append(comment)
            continue
        text, author, reference = quotes[comment.id]
        earlier = comments[:position]  # a quote answers what came before it
        quoted_id = next((c.id for c in earlier if reference and re.search(rf"(?<!\d){reference}$", c.id)), None)
        needle = " ".join(text.split())[:80].lower()
        if quoted_id is None and len(needle) >= 20:  # a few words ("No") would match anything
            quoted_id = next((c.id for c in reversed(earlier) if needle in " ".join(c.text.split()).lower()), None)
        result.append(replace(comment, quoted=text, quoted_author=author, quoted_id=quoted_id, parent=comment.parent or quoted_id))
    return result


def _parent_beside(element: etree._Element, item_children: dict[etree._Element, list[etree._Element]]) -> etree._Element | None:
    """The comment a reply answers where replies sit in a list beside it, not inside it.

    In ``<li><div class=msg>A</div><ul><li><div class=msg>B</div></li></ul></li>`` B answers A: going
    up from B, the first element holding another comment as a child holds A, and the way from there
    down to B passes through a list. Comments that are siblings of each other are a flat list.
    """
    node, through_list = element, False
    for ancestor in element.iterancestors():
        # Only ``element`` itself can be among the comments held directly (no ancestor of it is a
        # comment): testing that by identity keeps a flat list of thousands of comments linear.
        children = item_children.get(ancestor, ())
        if len(children) > (node is element):
            if node is element or not through_list:
                return None
            position = ancestor.index(node)
            earlier = [child for child in children if ancestor.index(child) < position]
            return earlier[-1] if earlier else None
        through_list = through_list or ancestor.tag in ("ul", "ol") or any(
            re.search(r"children|replies|thread", t, re.I) for t in _classes(ancestor)
        )
        node = ancestor
    return None


def _reply_containers(element: etree._Element, nested: frozenset[etree._Element]) -> frozenset[etree._Element]:
    """The nested replies of a comment and the lists holding nothing else: not part of its own text."""
    between: set[etree._Element] = set()
    for reply in nested:
        for ancestor in reply.iterancestors():
            if ancestor is element or ancestor in between:
                break
            between.add(ancestor)
    holders = {
        node
        for node in between
        if (node.tag in ("ol", "ul") or any(re.search(r"children|replies|thread", t, re.I) for t in _classes(node)))
        and not element_text(node, nested)
    }
    return nested | holders


def _is_meta(element: etree._Element) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("time", "cite", "footer", "header", "button", "form", "img", "svg", "h1", "h2", "h3", "h4", "h5", "h6"):
        return True
    if element.get("itemprop") in ("author", "dateCreated", "datePublished", "creator"):
        return True
    return any(_META_CLASS.search(token) or _AUTHOR_CLASS.search(token) for token in _classes(element))


def _own_descendants(element: etree._Element, skip: frozenset[etree._Element]) -> Iterator[etree._Element]:
    """Descendants of a comment element outside its nested replies."""
    stack = list(reversed(list(element)))
    while stack:
        node = stack.pop()
        if node in skip or not isinstance(node.tag, str):
            continue
        yield node
        stack.extend(reversed(list(node)))


def _comment_text(element: etree._Element, skip: frozenset[etree._Element]) -> str:
    """The comment's own words: its body element if it marks one, else its text without meta parts."""
    meta = frozenset(node for node in _own_descendants(element, skip) if _is_meta(node))
    bylines = [node for node in meta if node.tag in ("time", "cite") or any(_AUTHOR_CLASS.search(t) for t in _classes(node))]
    for node in _own_descendants(element, skip | meta):
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
    return any(_BODY_CLASS.search(token) for token in _classes(element))


def _author(element: etree._Element, skip: frozenset[etree._Element]) -> str | None:
    if (element.get("data-author") or "").strip():
        return element.get("data-author").strip()
    candidates = list(_own_descendants(element, skip))
    ranked = (
        [n for n in candidates if n.get("itemprop") == "author"],
        [n for n in candidates if "fn" in _classes(n)],
        [n for n in candidates if n.tag == "cite"],
        [n for n in candidates if any(_AUTHOR_CLASS.search(t) for t in _classes(n))],
    )
    for group in ranked:
        for node in group:
            # the name inside a byline ("by <a class=username>Gareth</a> » Mon 10 am")
            name_node = next(
                (n for n in node.iterdescendants()
                 if (n.get("itemprop") == "name" or any(_AUTHOR_CLASS.search(t) for t in _classes(n))) and element_text(n)),
                node,
            )
            lines = element_text(name_node).split("\n")  # a name may be followed by a role ("Guest")
            name = _SAYS.sub("", lines[0]).strip()
            if name and len(name) <= 100:
                return name
    return None


def _time(element: etree._Element, skip: frozenset[etree._Element]) -> str | None:
    nodes = list(_own_descendants(element, skip))
    for node in nodes:
        for attribute in ("datetime", "content"):
            value = node.get(attribute)
            if value and (node.tag == "time" or node.get("itemprop") in ("dateCreated", "datePublished")) and _looks_like_date(value):
                return value.strip()
    for node in nodes:
        if node.tag == "time" or any(_TIME_CLASS.search(t) for t in _classes(node)):
            parsed = _parse_date_text(node.get("title") or element_text(node))
            if parsed:
                return parsed
    # Older themes print the date as a permalink inside a "comment-meta" block.
    for node in nodes:
        if any(re.search(r"(?:^|[-_])meta(?:data)?$|metadata$", t, re.I) for t in _classes(node)):
            for link in node.iter("a", "span"):
                parsed = _parse_date_text(element_text(link))
                if parsed:
                    return parsed
    return None


def _looks_like_date(value: str) -> bool:
    return bool(re.match(r"^\s*\d{4}-\d{2}-\d{2}", value))


def _parse_date_text(text: str) -> str | None:
    """A printed date ("May 30, 2019 at 5:38 PM") as ISO 8601; relative ones ("6 years ago") are skipped."""
    text = text.strip()
    if not text or len(text) > 60 or not re.search(r"\d", text) or re.search(r"\bago\b|\bvor\b", text, re.I):
        return None
    import dateparser  # slow to import; only pages without machine-readable times need it

    settings: dict[str, Any] = {"RETURN_AS_TIMEZONE_AWARE": False}
    if re.search(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b", text):  # "12.03.2024": day first, as everywhere dots are used
        settings["DATE_ORDER"] = "DMY"
    parsed = dateparser.parse(text.replace(" at ", " "), settings=settings)
    return parsed.isoformat() if parsed else None


def _likes(element: etree._Element, skip: frozenset[etree._Element]) -> int | None:
    for node in _own_descendants(element, skip):
        text = (node.text or "").strip()
        match = _LIKES_TEXT.match(text)
        if match is None and any(_LIKES_CLASS.search(t) for t in _classes(node)) and re.fullmatch(r"-?\d{1,15}", text):
            return int(text)
        if match:
            try:
                number = float(match.group(1).replace(",", ""))
            except ValueError:  # "1.2.3 likes" is no count
                continue
            if number < 1e15:  # not a 400-digit "count", which reads as infinity
                return int(number * 1000) if match.group(2) else int(number)
    return None


def _level(element: etree._Element, skip: frozenset[etree._Element]) -> int | None:
    """A nesting depth the page prints or declares instead of nesting the markup."""
    for key in ("aria-level", "data-depth", "data-level"):
        value = element.get(key) or ""
        if value.isdecimal() and len(value) <= 15:  # not "²" (a digit int() refuses) or a 5,000-digit number
            return int(value)
    for node in _own_descendants(element, skip):
        match = _LEVEL_TEXT.match(node.text or "")
        if match and len(node) == 0:
            return int(match.group(1))
    return None


def _comment_id(element: etree._Element, position: int) -> str:
    """The element's id, a data-*id attribute, an anchor just before it, else its position."""
    for key in ("id", "data-comment-id", "data-id", "data-fullname"):
        if element.get(key):
            return element.get(key)
    previous = element.getprevious()
    if previous is not None and previous.tag == "a" and previous.get("id"):
        return previous.get("id")
    return str(position)


def _css_path(element: etree._Element, positions: dict[etree._Element, dict[etree._Element, str]]) -> str:
    """A CSS selector for the element, anchored at the nearest ancestor with an id.

    ``positions`` caches each parent's ``tag:nth-of-type(k)`` names, so long flat lists stay linear.
    """
    parts = []
    node: etree._Element | None = element
    while node is not None and isinstance(node.tag, str):
        if node.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", node.get("id")):
            parts.append(f"{node.tag}#{node.get('id')}")
            break
        parent = node.getparent()
        if parent is None:
            parts.append(node.tag)
            break
        if parent not in positions:
            positions[parent] = _child_selectors(parent)
        parts.append(positions[parent][node])
        node = parent
    return " > ".join(reversed(parts))


def _child_selectors(parent: etree._Element) -> dict[etree._Element, str]:
    children = [child for child in parent if isinstance(child.tag, str)]
    totals: dict[str, int] = {}
    for child in children:
        totals[child.tag] = totals.get(child.tag, 0) + 1
    seen: dict[str, int] = {}
    names = {}
    for child in children:
        seen[child.tag] = seen.get(child.tag, 0) + 1
        names[child] = child.tag if totals[child.tag] == 1 else f"{child.tag}:nth-of-type({seen[child.tag]})"
    return names


# ---------------------------------------------------------------------------------------------
# Comments in JSON-LD and in JSON inside <script>


def _json_ld_objects(root: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks (graphs flattened one level)."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = parse_json(script.text)
        except (json.JSONDecodeError, RecursionError):  # nested too deeply to be page data
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict):
                yield obj
                yield from (o for o in obj.get("@graph", []) if isinstance(o, dict))


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    return {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()


def _comments_from_json_ld(objects: list[dict[str, Any]], source: str) -> list[Comment]:
    comments: list[Comment] = []

    def visit(obj: Any, parent: str | None) -> None:
        if isinstance(obj, list):
            for entry in obj:
                visit(entry, parent)
            return
        if not isinstance(obj, dict):
            return
        own_id = parent
        if "Comment" in _types(obj) and isinstance(obj.get("text"), str):
            own_id = json_id(obj.get("@id")) or json_id(obj.get("identifier")) or f"ld-{len(comments) + 1}"
            comments.append(
                Comment(
                    id=own_id,
                    text=html_to_text(obj["text"]),
                    author=_json_name(obj.get("author")),
                    time=_json_text(obj.get("dateCreated") or obj.get("datePublished")),
                    parent=parent,
                    likes=as_count(obj.get("upvoteCount")),
                    source=f"{source}#ld+json[{len(comments)}]",
                )
            )
        visit(obj.get("comment"), own_id)
        for key in ("mainEntity", "@graph", "hasPart"):
            visit(obj.get(key), parent)

    for obj in objects:
        visit(obj, None)
    return comments


def _comments_from_scripts(root: etree._Element, source: str) -> list[Comment]:
    """The largest list of comment-like objects in JSON embedded in the page's scripts."""
    best: list[Comment] = []
    for index, script in enumerate(root.iter("script")):
        kind = (script.get("type") or "").lower()
        if kind not in ("application/json", "") or not script.text or len(script.text) < 40:
            continue
        raw = script.text.strip()
        if not raw.startswith(("{", "[")):
            continue
        try:
            data = parse_json(raw)
        except (json.JSONDecodeError, RecursionError):  # nested too deeply to be page data
            continue
        label = script.get("id") or f"script:nth-of-type({index + 1})"
        for found in _comment_lists(data):
            comments = _comments_from_json_list(found, None, f"{source}#{label}")
            if len(comments) > len(best):
                best = comments
    return best


def _is_comment_object(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and any(isinstance(obj.get(key), str) and obj[key].strip() for key in _TEXT_KEYS)
        and any(obj.get(key) for key in _AUTHOR_KEYS)
    )


def _comment_lists(data: Any) -> Iterator[list[dict[str, Any]]]:
    """Lists in a JSON document whose entries are all comment-like objects (text plus author)."""
    if isinstance(data, list):
        if data and all(_is_comment_object(entry) for entry in data):
            yield data
            return
        for entry in data:
            yield from _comment_lists(entry)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _comment_lists(value)


def _comments_from_json_list(entries: list[dict[str, Any]], parent: str | None, source: str) -> list[Comment]:
    comments = []
    for entry in entries:
        text_key = next(key for key in _TEXT_KEYS if isinstance(entry.get(key), str) and entry[key].strip())
        own_id = json_id(entry.get("id")) or json_id(entry.get("commentId")) or f"json-{len(comments) + 1}"
        author_key = next(key for key in _AUTHOR_KEYS if entry.get(key))
        comments.append(
            Comment(
                id=own_id,
                text=html_to_text(entry[text_key]),
                author=_json_name(entry[author_key]),
                time=_json_text(entry.get("createdAt") or entry.get("created_at") or entry.get("date") or entry.get("time")),
                parent=parent or _json_text(entry.get("parentId") or entry.get("parent_id")),
                likes=as_count(entry.get("likes") or entry.get("likeCount") or entry.get("score") or entry.get("upvotes")),
                source=f"{source}[{own_id}]",
            )
        )
        for key in ("replies", "children", "comments"):
            if isinstance(entry.get(key), list) and all(_is_comment_object(e) for e in entry[key]):
                comments.extend(_comments_from_json_list(entry[key], own_id, source))
    return comments


def _json_name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("username") or value.get("displayName")
    if isinstance(value, list) and value:
        return _json_name(value[0])
    return _json_text(value)


def _json_text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


# ---------------------------------------------------------------------------------------------
# The article


def _title(root: etree._Element, json_ld: list[dict[str, Any]]) -> str:
    for obj in json_ld:
        if _types(obj) & {"Article", "NewsArticle", "BlogPosting", "Recipe", "DiscussionForumPosting"} and isinstance(obj.get("headline"), str):
            return tidy_text(html.unescape(obj["headline"]))
    for meta in root.iter("meta"):
        if meta.get("property") == "og:title" and meta.get("content"):
            return tidy_text(html.unescape(meta.get("content")))  # some sites escape twice
    for tag in ("h1", "title"):
        node = next(root.iter(tag), None)
        if node is not None and element_text(node):
            return element_text(node)
    return ""


def _article_body(root: etree._Element, comment_elements: list[etree._Element]) -> str:
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


def _declared_count(root: etree._Element, json_ld: list[dict[str, Any]]) -> int | None:
    """The number of comments the page says it has (JSON-LD commentCount or a "12 Comments" heading)."""
    for obj in json_ld:
        count = as_count(obj.get("commentCount"))
        if count is not None:
            return count
    for node in root.iter("h1", "h2", "h3", "h4", "h5", "span", "div", "p", "a"):
        if len(node) > 2:
            continue
        count = declared_count(element_text(node))
        if count is not None:
            return count
    return None
