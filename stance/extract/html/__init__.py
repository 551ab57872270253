"""Saved HTML pages: find the comment section by structure and return one record per comment.

Comments are looked for, in order, in the page's markup (elements a comment system marks as a comment
by class, id numbering or schema.org microdata, nested for replies), in schema.org ``Comment`` objects
in JSON-LD, and in comment-like JSON embedded in ``<script>`` tags (e.g. ``__NEXT_DATA__``). The
article's body is extracted by trafilatura from the page with the comments cut out, so no comment
text can leak into it. Nothing is fetched or executed: comments a page loads with JavaScript are not
in the file, and such a page yields no comments.
"""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
from lxml import etree

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.html import article
from stance.extract.html.article import (
    TRAFILATURA_MAX_ELEMENTS as TRAFILATURA_MAX_ELEMENTS,
)
from stance.extract.html.comments import comments_from_markup, without_repeats
from stance.extract.html.items import Item, comment_items, repeated_items, repeated_run
from stance.extract.html.scripts import (
    comments_from_json_ld,
    comments_from_scripts,
    json_ld_objects,
)
from stance.extract.invariants import broken_records


def parse_html(text: str, source: str) -> Thread:
    """Read a saved web page into a thread: the article's title and body, and every comment."""
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as err:
        raise InputError(f"{source}: cannot parse the page as HTML ({err}); expected a saved web page") from None
    json_ld = list(json_ld_objects(root))
    declared_count = article.declared_count(root, json_ld)
    items, comments = _first_whole_candidate(root, json_ld, declared_count, source)
    title = article.title(root, json_ld)
    body = article.article_body(root, [item.element for item in items])
    return Thread(
        title=title,
        body=body,
        comments=comments,
        source=source,
        declared_count=declared_count,
        pings_skipped=article.count_pings(root),
        broken=dict(broken_records(comments)),
    )


def _candidates(root: etree._Element, json_ld: list, declared_count: int | None, source: str) -> Iterator[tuple[list[Item], list[Comment]]]:
    """The ways of finding the comments, most trusted first, each as (its elements, its comments), made only
    when asked for: marked comment elements (or, where they are none or too few for the page's count, a
    repeated run of alike siblings), then the other of those two, then JSON-LD, then JSON in scripts."""
    items = comment_items(root)
    repeated_first = not items or bool(declared_count and len(items) <= declared_count // 2)  # none, or one where the page says 44
    repeated = repeated_run(root) if repeated_first else []
    if repeated_first and len(repeated) > 2 * len(items):
        yield (found := repeated_items(repeated)), without_repeats(comments_from_markup(root, found, source))
        repeated = []
    if items:
        yield items, without_repeats(comments_from_markup(root, items, source))
    repeated = repeated or (repeated_run(root) if not repeated_first else [])
    if repeated:
        yield (found := repeated_items(repeated)), without_repeats(comments_from_markup(root, found, source))
    yield [], comments_from_json_ld(json_ld, source)
    yield [], comments_from_scripts(root, source)


def _first_whole_candidate(root: etree._Element, json_ld: list, declared_count: int | None, source: str) -> tuple[list[Item], list[Comment]]:
    """The first candidate whose records are whole comments (:mod:`stance.extract.invariants`: fewer than a quarter
    broken) and whose count is not off the page's own by a factor of two or more; where none is, the one that
    comes closest (the first of those), so that the caller can warn of the broken records kept. A candidate with
    no comment is passed over."""
    best: tuple[tuple[bool, bool, int], list[Item], list[Comment]] | None = None
    for items, comments in _candidates(root, json_ld, declared_count, source):
        if not comments:
            continue
        broken = sum(broken_records(comments).values())
        off = bool(declared_count) and not declared_count / 2 < len(comments) < 2 * declared_count
        # Split comments break a quarter of the records or more; one stray "42" among 300 does not fail a reading.
        if 4 * broken < len(comments) and not off:
            return items, comments
        if best is None or (4 * broken >= len(comments), off, broken) < best[0]:
            best = ((4 * broken >= len(comments), off, broken), items, comments)
    return (best[1], best[2]) if best else ([], [])


def _parser() -> lxml.html.HTMLParser:
    # No network, no entities from outside, comments and processing instructions dropped.
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
