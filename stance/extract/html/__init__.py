"""Saved HTML pages: find the comment section by structure and return one record per comment.

Comments are looked for, in order, in the page's markup (elements a comment system marks as a comment
by class, id numbering or schema.org microdata, nested for replies), in schema.org ``Comment`` objects
in JSON-LD, and in comment-like JSON embedded in ``<script>`` tags (e.g. ``__NEXT_DATA__``). The
article's body is extracted by trafilatura from the page with the comments cut out, so no comment
text can leak into it. Nothing is fetched or executed: comments a page loads with JavaScript are not
in the file, and such a page yields no comments.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

from stance.core.thread import Thread
from stance.errors import InputError
from stance.extract.html import article
from stance.extract.html.article import (
    TRAFILATURA_MAX_ELEMENTS as TRAFILATURA_MAX_ELEMENTS,
)
from stance.extract.html.comments import comments_from_markup, without_repeats
from stance.extract.html.items import comment_items, repeated_items, repeated_run
from stance.extract.html.scripts import (
    comments_from_json_ld,
    comments_from_scripts,
    json_ld_objects,
)


def parse_html(text: str, source: str) -> Thread:
    """Read a saved web page into a thread: the article's title and body, and every comment."""
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as err:
        raise InputError(f"{source}: cannot parse the page as HTML ({err}); expected a saved web page") from None
    json_ld = list(json_ld_objects(root))
    declared_count = article.declared_count(root, json_ld)
    items = comment_items(root)
    if not items or declared_count and len(items) <= declared_count // 2:  # none found, or one where the page says 44
        repeated = repeated_run(root)
        if len(repeated) > 2 * len(items):
            items = repeated_items(repeated)
    if items:
        comments = without_repeats(comments_from_markup(root, items, source))
    else:
        comments = comments_from_json_ld(json_ld, source) or comments_from_scripts(root, source)
    title = article.title(root, json_ld)
    body = article.article_body(root, [item.element for item in items])
    return Thread(
        title=title,
        body=body,
        comments=comments,
        source=source,
        declared_count=declared_count,
        pings_skipped=article.count_pings(root),
    )


def _parser() -> lxml.html.HTMLParser:
    # No network, no entities from outside, comments and processing instructions dropped.
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
