"""Saved HTML pages: comments found by structure, one record each, none leaking into the article body."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import shared_file
from stance.extract import read_thread
from stance.extract.html import parse_html

ARTICLE = """
<article class="post">
  <h1>Library to open on Sundays</h1>
  <p>The central library will open from 10am to 4pm every Sunday from May, the council said on Monday.</p>
  <p>The change costs £40,000 a year and is paid for by cutting the mobile library van to two days a week.</p>
  <p>Staff were consulted and the union has agreed to the new rota after a long negotiation this spring.</p>
</article>
"""

WORDPRESS = f"""<html><head><title>Library to open on Sundays | Gazette</title></head><body>{ARTICLE}
<div id="comments" class="comments-area">
  <h2 class="comments-title">3 thoughts on "Library to open on Sundays"</h2>
  <ol class="comment-list">
    <li id="comment-11" class="comment even thread-even depth-1 parent">
      <article id="div-comment-11" class="comment-body">
        <footer class="comment-meta">
          <div class="comment-author vcard"><img class="avatar" src="a.png"><b class="fn">Priya</b> <span class="says">says:</span></div>
          <div class="comment-metadata"><a href="#comment-11"><time datetime="2024-04-02T09:15:00+00:00">April 2, 2024 at 9:15 am</time></a></div>
        </footer>
        <div class="comment-content"><p>Wonderful news for families.</p><p>Weekends are when we can go.</p></div>
        <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
      </article>
      <ol class="children">
        <li id="comment-12" class="comment odd alt depth-2">
          <article id="div-comment-12" class="comment-body">
            <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Tom</b></div>
            <div class="comment-metadata"><time datetime="2024-04-02T10:00:00+00:00">April 2</time></div></footer>
            <div class="comment-content"><p>Not if it kills the van service for villages.</p></div>
            <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
          </article>
        </li>
      </ol>
    </li>
    <li id="comment-13" class="pingback even thread-odd depth-1">
      <div class="comment-body">Pingback: <a href="https://elsewhere.example">Weekend roundup</a></div>
    </li>
    <li id="comment-14" class="comment even thread-odd depth-1">
      <article id="div-comment-14" class="comment-body">
        <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Ola</b></div></footer>
        <div class="comment-content"><p>Who is paying the overtime?</p></div>
      </article>
    </li>
  </ol>
</div></body></html>"""


def test_wordpress_threads_give_one_record_per_comment_with_replies_as_children() -> None:
    thread = parse_html(WORDPRESS, "page.html")
    assert [c.id for c in thread.comments] == ["comment-11", "comment-12", "comment-14"]  # pingback skipped
    first, reply, last = thread.comments
    assert first.text == "Wonderful news for families.\n\nWeekends are when we can go."  # no "Reply", no reply's text
    assert (first.author, first.time, first.parent) == ("Priya", "2024-04-02T09:15:00+00:00", None)
    assert (reply.author, reply.parent, reply.text) == ("Tom", "comment-11", "Not if it kills the van service for villages.")
    assert last.parent is None and last.time is None
    assert first.source == "page.html#li#comment-11"
    assert thread.declared_count == 3 and thread.pings_skipped == 1
    assert thread.title == "Library to open on Sundays"  # the h1, not the <title> with the site name
    assert "council said on Monday" in thread.body
    assert all(c.text.split("\n")[0] not in thread.body for c in thread.comments)


def test_flat_blocks_without_ids_get_positions_and_authors() -> None:
    page = f"""<html><body>{ARTICLE}<div id="disqus_thread"><div class="d-noscript-comments">
      <div class="comment"><div class="comment-author">kay_22</div><div class="comment-body">Great idea.</div></div>
      <div class="comment"><div class="comment-author">M. Ruiz</div><div class="comment-body">Costs too much.</div></div>
    </div></div></body></html>"""
    thread = parse_html(page, "p.html")
    assert [(c.id, c.author, c.text) for c in thread.comments] == [
        ("1", "kay_22", "Great idea."),
        ("2", "M. Ruiz", "Costs too much."),
    ]


def test_depth_printed_as_text_gives_parents_and_points_give_likes() -> None:
    blocks = [("a1", 1, 10, "Top level."), ("a2", 2, 3, "A reply."), ("a3", 3, 1, "A reply to the reply."), ("a4", 1, 7, "Another top.")]
    html = "".join(
        f'<div class="x9 Comment t1_{cid}" id="{cid}"><span>level {level}</span><span>{points} points</span>'
        f'<div data-test-id="comment"><p>{text}</p></div></div>'
        for cid, level, points, text in blocks
    )
    thread = parse_html(f"<html><body>{ARTICLE}{html}</body></html>", "r.html")
    assert [(c.id, c.parent, c.likes, c.text) for c in thread.comments] == [
        ("a1", None, 10, "Top level."),
        ("a2", "a1", 3, "A reply."),
        ("a3", "a2", 1, "A reply to the reply."),
        ("a4", None, 7, "Another top."),
    ]


def test_schema_org_comments_in_json_ld() -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Library to open on Sundays",
        "commentCount": 2,
        "comment": [
            {
                "@type": "Comment",
                "@id": "#c1",
                "text": "<p>About <b>time</b>!</p>",
                "author": {"@type": "Person", "name": "Jo"},
                "dateCreated": "2024-04-02T08:00:00Z",
                "comment": [{"@type": "Comment", "@id": "#c2", "text": "Agreed.", "author": "Sam", "upvoteCount": 4}],
            }
        ],
    }
    page = f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head><body>{ARTICLE}</body></html>'
    thread = parse_html(page, "ld.html")
    assert thread.title == "Library to open on Sundays"
    assert thread.declared_count == 2
    assert [(c.id, c.text, c.author, c.parent, c.likes) for c in thread.comments] == [
        ("#c1", "About time!", "Jo", None, None),
        ("#c2", "Agreed.", "Sam", "#c1", 4),
    ]
    assert thread.comments[0].time == "2024-04-02T08:00:00Z"


def test_comments_embedded_as_json_in_a_script() -> None:
    state = {
        "props": {
            "pageProps": {
                "thread": {
                    "comments": [
                        {"id": 7, "body": "Love it", "author": {"username": "lee"}, "createdAt": "2024-01-01T00:00:00Z",
                         "likes": 5, "replies": [{"id": 8, "body": "Same here", "author": "max"}]},
                        {"id": 9, "body": "Nope", "author": "ivy"},
                    ]
                }
            }
        }
    }
    page = f'<html><body>{ARTICLE}<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script></body></html>'
    thread = parse_html(page, "next.html")
    assert [(c.id, c.text, c.author, c.parent, c.likes) for c in thread.comments] == [
        ("7", "Love it", "lee", None, 5),
        ("8", "Same here", "max", "7", None),
        ("9", "Nope", "ivy", None, None),
    ]


def test_a_page_whose_comments_load_by_javascript_yields_none() -> None:
    page = f"""<html><body>{ARTICLE}
      <a class="comments-count" href="#comments">128 comments</a>
      <div id="comments" class="comments"><div class="comments-loader">Loading comments…</div></div>
      <script>loadComments("/api/comments?article=42")</script></body></html>"""
    thread = parse_html(page, "js.html")
    assert thread.comments == []
    assert "council said on Monday" in thread.body


def test_read_thread_sniffs_html_and_gzip(tmp_path: Path) -> None:
    plain = tmp_path / "saved_page"
    plain.write_text(WORDPRESS, encoding="utf-8")
    zipped = tmp_path / "page.html.gz"
    zipped.write_bytes(gzip.compress(WORDPRESS.encode("utf-8")))
    for path in (plain, zipped):
        thread = read_thread(path)
        assert [c.author for c in thread.comments] == ["Priya", "Tom", "Ola"]


@pytest.mark.parametrize(
    ("name", "count"),
    [("foxyfolksy.com.buttercream.html", 80), ("taz.de.siemens.html", 50), ("dailymail.co.uk.food.html", 0)],
)
def test_real_saved_pages(name: str, count: int) -> None:
    thread = read_thread(shared_file(f"pages/{name}"))
    assert len(thread.comments) == count
    ids = {c.id for c in thread.comments}
    assert all(c.parent in ids for c in thread.comments if c.parent is not None)
    assert len(ids) == count
    gold = {entry["file"]: entry for entry in json.loads(shared_file("pages/GOLD_comment_snippets.json").read_text()).values()}
    for snippet in gold[name]["comments"] if count else []:
        assert sum(snippet in c.text for c in thread.comments) == 1
        assert snippet not in thread.body


def test_truncated_and_cp1252_pages_still_give_their_comments(tmp_path: Path) -> None:
    cut = WORDPRESS[: WORDPRESS.index('<li id="comment-14"')]  # saved halfway through the list
    truncated = tmp_path / "cut.html"
    truncated.write_text(cut, encoding="utf-8")
    assert [c.author for c in read_thread(truncated).comments] == ["Priya", "Tom"]
    legacy = tmp_path / "legacy.html"
    legacy.write_bytes(WORDPRESS.replace("Priya", "Zoë").encode("cp1252"))
    assert read_thread(legacy).comments[0].author == "Zoë"


XENFORO = f"""<html><body>{ARTICLE}<div class="block block--messages"><div class="block-body js-replyNewMessageContainer">
  <article class="message message--post js-post" data-author="RiverRat" id="js-post-501">
    <div class="message-cell message-cell--user"><h4 class="message-name"><a class="username">RiverRat</a></h4></div>
    <div class="message-cell message-cell--main">
      <header class="message-attribution"><time class="u-dt" datetime="2023-05-01T08:00:00+0100">May 1</time></header>
      <div class="message-content"><article class="message-body"><div class="bbWrapper">Best decision the council made this year.</div></article></div>
      <footer class="message-footer"><a class="actionBar-action--reply">Reply</a></footer>
    </div>
  </article>
  <article class="message message--post js-post" data-author="mo_k" id="js-post-502">
    <div class="message-cell message-cell--main">
      <header class="message-attribution"><time class="u-dt" datetime="2023-05-01T09:30:00+0100">May 1</time></header>
      <div class="message-content"><article class="message-body"><div class="bbWrapper">Who staffs it on Sundays though?</div></article></div>
    </div>
  </article>
</div></div></body></html>"""

STACKEXCHANGE = f"""<html><body>{ARTICLE}<div class="comments js-comments-container"><ul class="comments-list js-comments-list">
  <li id="comment-9001" class="comment js-comment" data-comment-id="9001">
    <div class="comment-score"><span class="cool">12</span></div>
    <div class="comment-text"><div class="comment-body"><span class="comment-copy">This answers the question well.</span>
      &ndash;&nbsp;<a href="/users/1" class="comment-user">alice</a>
      <span class="comment-date"><span title="2022-02-03 10:11:12Z" class="relativetime-clean">Feb 3, 2022 at 10:11</span></span></div></div>
  </li>
  <li id="comment-9002" class="comment js-comment" data-comment-id="9002">
    <div class="comment-text"><div class="comment-body"><span class="comment-copy">I disagree, it misses the cost.</span>
      &ndash;&nbsp;<a href="/users/2" class="comment-user">bob</a></div></div>
  </li>
</ul></div></body></html>"""

SPIP = f"""<html><body>{ARTICLE}<div class="forum-repondre"></div><ul class="forum">
  <li class="forum-fil"><div class="forum-message">
    <div class="forum-chapo"><small>3 mars 2021, par <span class="vcard author"><a class="url fn">Camille</a></span></small></div>
    <div class="forum-texte"><p>Très bonne nouvelle pour le quartier.</p></div>
  </div>
  <ul><li class="forum-fil"><div class="forum-message">
    <div class="forum-chapo"><small>4 mars 2021, par <span class="vcard author"><a class="url fn">Luc</a></span></small></div>
    <div class="forum-texte"><p>Pas d'accord, le coût est énorme.</p></div>
  </div></li></ul></li>
</ul></body></html>"""


def test_forum_posts_without_comment_markers() -> None:
    thread = parse_html(XENFORO, "xf.html")
    assert [(c.author, c.time, c.text) for c in thread.comments] == [
        ("RiverRat", "2023-05-01T08:00:00+0100", "Best decision the council made this year."),
        ("mo_k", "2023-05-01T09:30:00+0100", "Who staffs it on Sundays though?"),
    ]


def test_stackexchange_comments_keep_the_byline_out_of_the_text() -> None:
    thread = parse_html(STACKEXCHANGE, "se.html")
    assert [(c.id, c.author, c.text) for c in thread.comments] == [
        ("comment-9001", "alice", "This answers the question well."),
        ("comment-9002", "bob", "I disagree, it misses the cost."),
    ]
    assert thread.comments[0].time is not None and thread.comments[0].time.startswith("2022-02-03T10:11")


def test_spip_forum_threads() -> None:
    thread = parse_html(SPIP, "spip.html")
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Camille", "Très bonne nouvelle pour le quartier."),
        ("Luc", "Pas d'accord, le coût est énorme."),
    ]
    assert thread.comments[1].parent == thread.comments[0].id
