"""Saved HTML pages: comments found by structure, one record each, none leaking into the article body."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import shared_file
from samples import (
    ARTICLE,
    DISCOURSE_QUOTES,
    DOUBLE_RENDERED,
    PHPBB_QUOTES,
    SPIP,
    SPLIT_BLOCKS,
    STACKEXCHANGE,
    UNMARKED_THREAD,
    WORDPRESS,
    XENFORO,
    XENFORO_QUOTES,
)

from stance.extract import read_thread
from stance.extract.html import parse_html


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


@pytest.mark.parametrize(
    ("page", "quoting", "quoted"),
    [
        (XENFORO_QUOTES, ("mo_k", "Who staffs it on Sundays though?"), ("RiverRat", "Best decision the council made this year.")),
        (PHPBB_QUOTES, ("Gareth", "Overdue, and unfunded: the van pays for it."), ("Hettie", "Sunday opening is overdue.")),
        (DISCOURSE_QUOTES, ("ben", "It took four months of talks."), ("ana", "The rota was agreed in a hurry.")),
    ],
    ids=["xenforo", "phpbb", "discourse"],
)
def test_a_quoted_post_is_kept_apart_from_the_replys_own_words(page: str, quoting: tuple, quoted: tuple) -> None:
    first, reply = parse_html(page, "forum.html").comments
    assert (reply.author, reply.text) == quoting
    assert (reply.quoted_author, reply.quoted) == quoted
    assert reply.quoted_id == first.id and reply.parent == first.id  # no other reply structure: the quote's source
    assert first.author == quoted[0] and first.quoted is None


def test_a_blockquote_of_the_article_is_a_quote_without_a_source() -> None:
    page = WORDPRESS.replace("<p>Who is paying the overtime?</p>",
                             "<blockquote><p>paid for by cutting the mobile library van</p></blockquote><p>Who is paying the overtime?</p>")
    last = parse_html(page, "page.html").comments[-1]
    assert (last.text, last.quoted, last.quoted_id, last.parent) == (
        "Who is paying the overtime?", "paid for by cutting the mobile library van", None, None,
    )


def test_comments_rendered_twice_are_one_record_each_with_the_structure_of_either_copy() -> None:
    thread = parse_html(DOUBLE_RENDERED, "page.html")
    assert [(c.id, c.author, c.text) for c in thread.comments] == [
        ("comment-21", "Priya", "Wonderful news for families."),
        ("comment-22", "Tom", "Not if it kills the van service for villages."),
        ("comment-23", "Ola", "Who is paying the overtime?"),  # the box's shortened copy and the noscript one are this one
    ]
    assert thread.comments[1].parent == "comment-21"
    assert len(thread.comments) == thread.declared_count
    same_words = WORDPRESS.replace("Who is paying the overtime?", "Not if it kills the van service for villages.")
    assert len(parse_html(same_words, "page.html").comments) == 3  # other author, same words: two comments


def test_a_comment_list_marked_by_no_known_class_is_found_by_its_repeated_structure() -> None:
    thread = parse_html(UNMARKED_THREAD, "news.html")
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Hans M.", "Endlich öffnet die Bibliothek auch sonntags."),
        ("Gabi", "Und wer bezahlt die Überstunden der Angestellten?"),
        ("Piet", "Der Bücherbus auf dem Land ist wichtiger."),
        ("Lena", "Gute Nachricht für Familien mit Kindern."),
    ]
    assert thread.declared_count == len(thread.comments) and "Endlich" not in thread.body
    assert thread.comments[0].time == "2024-03-12T10:15:00"  # "12.03.2024, 10:15": day first


def test_a_comment_split_over_sibling_blocks_is_one_record() -> None:
    thread = parse_html(SPLIT_BLOCKS, "blog.html")
    assert [(c.author, c.time, c.text) for c in thread.comments] == [
        ("Anna", "2024-04-02T09:00:00Z", "Wonderful news for families.\n\nWeekends are when we can go."),
        ("Ben", "2024-04-02T10:00:00Z", "Not if it kills the van service for villages."),
        ("Cleo", "2024-04-02T11:00:00Z", "Who is paying the overtime?\n\nNobody says.\n\nAsk the council."),
    ]
    assert thread.declared_count == 3 and "Nobody says" not in thread.body


def test_a_list_of_dated_links_outside_any_discussion_is_not_comments() -> None:
    related = "".join(f'<li class="teaser"><a href="/{n}">Story {n} about the town</a> <time datetime="2024-01-0{n}">Jan {n}</time></li>'
                      for n in range(1, 6))
    assert parse_html(f"<html><body>{ARTICLE}<ul class='related'>{related}</ul></body></html>", "p.html").comments == []


def _flat_page(blocks: str, body_class: str = "") -> str:
    return f'<html><body class="{body_class}">{ARTICLE}<div id="disqus_thread"><div class="d-noscript-comments">{blocks}</div></div></body></html>'


def _block(author: str, body: str) -> str:
    return f'<div class="comment"><div class="comment-author">{author}</div><div class="comment-body">{body}</div></div>'


def test_alike_comments_without_a_time_are_not_taken_for_copies() -> None:
    page = _flat_page(_block("", "+1") + _block("Ann", "Costs too much.") + _block("", "+1"))
    assert [c.text for c in parse_html(page, "p.html").comments] == ["+1", "Costs too much.", "+1"]


def test_a_short_quote_or_a_link_inside_a_quote_picks_no_source() -> None:
    page = _flat_page(
        _block("Ann", "I know this plan will cost us.")
        + _block("Ben", "<blockquote>No</blockquote>Sure it will, say the sums.")
        + _block("Cy", '<blockquote>See <a href="/?p=1">the plan</a> in full first</blockquote>Read it twice, I did.')
    )
    _, short, linked = parse_html(page, "p.html").comments
    assert (short.quoted, short.quoted_id, short.parent) == ("No", None, None)
    assert (linked.quoted_id, linked.parent) == (None, None)  # "?p=1" is the quoted words' link, not the quote's source


def test_a_blockquote_that_is_the_whole_body_stays_the_text() -> None:
    page = _flat_page(_block("Ann", "<blockquote>The van matters more than Sundays do.</blockquote><a href='#'>Reply</a>"))
    (comment,) = parse_html(page, "p.html").comments
    assert comment.text.startswith("The van matters more") and comment.quoted is None


def test_found_comments_are_not_replaced_by_a_dated_list_elsewhere_on_the_page() -> None:
    related = "".join(f'<li class="teaser"><a href="/{n}">Story {n}</a> <time datetime="2024-01-0{n}">Jan {n}</time></li>' for n in range(1, 4))
    page = _flat_page(_block("Ann", "Costs too much.") + _block("Ben", "Worth it."), body_class="topic-politics").replace(
        "</body>", f"<h2>44 comments</h2><ul class='related'>{related}</ul></body>"
    )
    assert [c.author for c in parse_html(page, "p.html").comments] == ["Ann", "Ben"]


def test_an_avatar_link_marked_as_the_user_is_not_taken_for_the_name() -> None:
    page = _flat_page('<div class="comment"><div class="comment-author"><a class="user" href="/u/1"><img src="a.png"></a> Bob Smith</div>'
                      '<div class="comment-body">Fine by me.</div></div>')
    assert parse_html(page, "p.html").comments[0].author == "Bob Smith"
