"""Platform-export readers: Disqus, WordPress WXR, Reddit, yt-dlp, Hacker News and Discourse."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from conftest import shared_file
from samples import (
    DISCOURSE,
    DISQUS,
    FIXTURES,
    HACKERNEWS,
    REDDIT,
    WXR_HEAD,
    WXR_ONE_POST,
    YTDLP,
    hn_item,
    reddit_thread,
    stub_counts,
    t1,
    wxr_comment,
    wxr_item,
)

from stance.core.thread import Thread
from stance.errors import InputError
from stance.extract.documents import as_count, json_id
from stance.extract.exports import EXPORT_PARSERS, sniff_export
from stance.extract.exports.discourse import parse_discourse
from stance.extract.exports.disqus import parse_disqus
from stance.extract.exports.hackernews import parse_hackernews
from stance.extract.exports.reddit import parse_reddit
from stance.extract.exports.wordpress import parse_wxr
from stance.extract.exports.ytdlp import parse_ytdlp
from stance.extract.markup import title_from_link

# --- Disqus -------------------------------------------------------------------------------------


def test_disqus_posts_become_comments_with_flags_parents_and_clean_text() -> None:
    thread = parse_disqus(DISQUS, "export.xml")
    assert thread.title == "Council bans cars from the old town"
    by_id = {c.id: c for c in thread.comments}
    assert list(by_id) == ["201", "202", "203", "204"]  # the blank, unflagged post is dropped
    first = by_id["201"]
    assert first.text == "Finally! The streets will be quiet & safe.\n\nWell done."
    assert (first.author, first.time, first.parent, first.status) == ("Mira Holt", "2023-05-01T09:15:00Z", None, None)
    assert first.source == "export.xml#post[201]"
    assert (by_id["202"].author, by_id["202"].parent) == ("shopkeeper77", "201")
    assert (by_id["203"].text, by_id["203"].status) == ("", "deleted")
    assert (by_id["204"].text, by_id["204"].status) == ("cheap pills", "spam")
    assert all(c.target is None for c in thread.comments)


def test_disqus_posts_from_several_threads_leave_the_title_empty() -> None:
    other = DISQUS.replace('<post dsq:id="202">', '<post dsq:id="202"><thread dsq:id="999"/>', 1).replace(
        '<thread dsq:id="100"/>\n    <parent', '<parent', 1
    )
    thread = parse_disqus(other, "export.xml")
    assert thread.title == ""
    assert len(thread.comments) == 4
    # Thread 999 is not in the export: its post has nothing to be judged against.
    assert {c.id: c.status for c in thread.comments} == {"201": None, "202": "orphaned", "203": "deleted", "204": "spam"}


def test_disqus_archive_judges_each_comment_against_its_own_thread() -> None:
    second = """<thread dsq:id="101"><id>article-43</id><link>https://citynews.example/2023/05/02/new-tram-line-opens.html</link>
    <title/></thread>
  <post dsq:id="301"><message>Trams at last.</message><createdAt>2023-05-02T09:00:00Z</createdAt>
    <author><name>Ana</name></author><thread dsq:id="101"/></post>
</disqus>"""
    thread = parse_disqus(DISQUS.replace("</disqus>", second), "archive.xml")
    assert thread.title == ""
    targets = {c.id: c.target for c in thread.comments}
    assert targets == {
        "201": "Council bans cars from the old town", "202": "Council bans cars from the old town",
        "203": "Council bans cars from the old town", "204": "Council bans cars from the old town",
        "301": "new tram line opens",  # the thread has no title: words from its link
    }
    assert not any(c.status == "orphaned" for c in thread.comments)


def test_disqus_thread_without_title_or_link_leaves_its_comments_to_an_explicit_target() -> None:
    second = """<thread dsq:id="101"><id/></thread>
  <post dsq:id="301"><message>Trams at last.</message><author><name>Ana</name></author><thread dsq:id="101"/></post>
</disqus>"""
    thread = parse_disqus(DISQUS.replace("</disqus>", second), "archive.xml")
    last = thread.comments[-1]
    assert (last.id, last.target, last.status) == ("301", None, None)  # not orphaned: its thread is there


@pytest.mark.parametrize(
    ("link", "title"),
    [
        ("https://news.example/2023/05/council-bans-cars.html", "council bans cars"),
        ("http://localhost:4000/blog/2013/02/12/redacted/index.html", "redacted"),
        ("https://news.example/politics/tax_rise_approved/", "tax rise approved"),
        ("https://news.example/story/123456", "story"),
        ("https://news.example/", "https://news.example/"),  # no slug: the link itself
        ("", ""),
    ],
)
def test_title_from_link_reads_the_slug(link: str, title: str) -> None:
    assert title_from_link(link) == title


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("<disqus><post>", "not well-formed"),
        ('<!DOCTYPE d [<!ENTITY a "aaaa">]><disqus>&a;</disqus>', "refuses to expand"),
        ('<rss version="2.0"><channel/></rss>', "root is <rss>"),
        ('<disqus xmlns="http://disqus.com"><post><message>hi</message></post></disqus>', "no dsq:id"),
    ],
)
def test_disqus_bad_input_is_an_input_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as caught:
        parse_disqus(text, "broken.xml")
    assert str(caught.value).startswith("broken.xml:")


def test_disqus_shared_sample_flags_deleted_posts_and_keeps_replies() -> None:
    path = shared_file("exports/disqus_export_sample.xml")
    thread = parse_disqus(path.read_text(encoding="utf-8"), str(path))
    by_id = {c.id: c for c in thread.comments}
    assert sorted(by_id, key=int) == ["4", "5", "6", "8", "9", "11"]
    assert thread.title == ""  # its posts point at three different threads
    # Post 6 points at thread 1337, which the export does not hold.
    assert {c.id: c.status for c in thread.comments if c.removed} == {"6": "orphaned", "9": "deleted"}
    assert (by_id["5"].target, by_id["8"].target, by_id["6"].target) == ("Hello, World!", "redacted", None)
    assert (by_id["9"].text, by_id["5"].text, by_id["5"].parent, by_id["11"].parent) == ("", "Hello, World.", "4", "9")
    assert by_id["8"].author == "Empty"  # the name wins over the username


# --- WordPress WXR ------------------------------------------------------------------------------


def test_wxr_single_commented_post_gives_article_and_comment_tree() -> None:
    thread = parse_wxr(WXR_ONE_POST, "blog.xml")
    assert thread.title == "Council bans cars from the old town"
    assert thread.body == "From June, only buses may enter.\n\nShops object."
    by_id = {c.id: c for c in thread.comments}
    assert list(by_id) == ["31", "32", "35", "36", "37"]  # pingback 33 and trackback 34 are skipped
    assert (by_id["31"].text, by_id["31"].author, by_id["31"].time) == ("About time!", "Reader 31", "2023-05-02T10:00:00Z")
    assert by_id["31"].source == "blog.xml#post[7]/comment[31]"
    assert by_id["32"].parent == "31"
    assert by_id["32"].text == "Disagree.\nShops will suffer."
    assert by_id["32"].time == "2023-05-02T12:00:00"  # zero GMT date: the local date, without a zone
    assert (by_id["35"].status, by_id["36"].status, by_id["36"].text) == ("spam", "deleted", "")
    assert (by_id["37"].parent, by_id["37"].status) == (None, None)  # its parent was a pingback; pending is not flagged
    assert all(c.target is None for c in thread.comments)


def test_wxr_several_commented_posts_are_pooled_with_per_post_targets() -> None:
    text = (
        WXR_HEAD
        + wxr_item(7, "Council bans cars", "<p>Only buses.</p>", wxr_comment(5, "Good.") + wxr_comment(6, "Bad.", parent=5))
        + wxr_item(9, "New bike lanes", "<p>Paint is dry.</p>", wxr_comment(5, "Lovely.") + wxr_comment(12, "Ugly.", parent=5))
        + "\n</channel>\n</rss>\n"
    )
    thread = parse_wxr(text, "blog.xml")
    assert (thread.title, thread.body) == ("", "")
    rows = [(c.id, c.parent, c.target) for c in thread.comments]
    assert rows == [
        ("5", None, "Council bans cars"),
        ("6", "5", "Council bans cars"),
        ("9/5", None, "New bike lanes"),  # a clashing id is qualified by its post
        ("12", "9/5", "New bike lanes"),
    ]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (WXR_ONE_POST[:-40], "not well-formed"),
        ('<rss version="2.0"><channel><item><title>x</title></item></channel></rss>', "WordPress export"),
        ('<!DOCTYPE rss SYSTEM "http://evil.example/x.dtd" [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss>&e;</rss>', "refuses"),
        (
            WXR_HEAD + wxr_item(1, "t", "", "<wp:comment><wp:comment_content>hi</wp:comment_content></wp:comment>") + "</channel></rss>",
            "no <wp:comment_id>",
        ),
    ],
)
def test_wxr_bad_input_is_an_input_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as caught:
        parse_wxr(text, "site.wordpress.xml")
    assert str(caught.value).startswith("site.wordpress.xml:")


def test_wxr_theme_unit_test_data_skips_pings_and_keeps_a_consistent_tree() -> None:
    path = shared_file("exports/themeunittestdata.wordpress.xml")
    text = path.read_text(encoding="utf-8")
    raw = ElementTree.fromstring(text)
    wp = "{https://wordpress.org/export/1.2/}"
    pings = {
        c.findtext(f"{wp}comment_id")
        for c in raw.iter(f"{wp}comment")
        if c.findtext(f"{wp}comment_type") in ("pingback", "trackback")
    }
    every = [c.findtext(f"{wp}comment_id") for c in raw.iter(f"{wp}comment")]
    thread = parse_wxr(text, str(path))
    ids = [c.id for c in thread.comments]
    assert pings and not pings & set(ids)
    assert len(ids) == len(every) - len(pings) == len(set(ids))
    assert thread.pings_skipped == len(pings)
    assert all(c.parent in set(ids) for c in thread.comments if c.parent is not None)
    assert any(c.parent for c in thread.comments)
    assert thread.title == "" and all(c.target for c in thread.comments)  # comments on several posts
    assert all(c.time and c.time.endswith("Z") for c in thread.comments)


def test_wxr_shared_sample_keeps_ids_unique_across_posts() -> None:
    path = shared_file("exports/wordpress_wxr_sample.xml")
    thread = parse_wxr(path.read_text(encoding="utf-8"), str(path))
    ids = [c.id for c in thread.comments]
    assert len(ids) == len(set(ids)) == 8
    by_id = {c.id: c for c in thread.comments}
    assert (by_id["8"].parent, by_id["7"].parent, by_id["6"].parent) == ("7", "6", None)
    assert {c.target for c in thread.comments} == {"Hello, World…", "..."}


# --- Reddit -------------------------------------------------------------------------------------


def test_reddit_walks_replies_and_counts_unloaded_stubs() -> None:
    thread = parse_reddit(REDDIT, "r.json")
    assert thread.title == "Council bans cars from the old town & centre"
    assert thread.body == "The ban starts in June.\n\nWhat do you think?"
    assert (thread.not_loaded, thread.declared_count) == (5 + 2 + 0, 40)
    rows = [(c.id, c.parent, c.author, c.status) for c in thread.comments]
    assert rows == [
        ("t1_c1", None, "user_c1", None),
        ("t1_c2", "t1_c1", None, "deleted"),
        ("t1_c3", "t1_c2", "user_c3", None),
        ("t1_c7", None, "user_c7", "deleted"),
    ]
    first = thread.comments[0]
    assert first.text == "> only buses\n\nGood riddance to the traffic & noise."
    assert (first.time, first.likes, first.source) == ("2023-11-14T22:13:20Z", 42, "r.json#t1_c1")
    assert thread.comments[1].text == thread.comments[3].text == ""
    assert thread.comments[3].likes is None  # the score is hidden


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[{"kind": "Listing"', "not valid JSON"),
        ("[1, 2]", "not a Reddit thread"),
        ('{"kind": "Listing", "data": {"children": []}}', "not a Reddit thread"),
        ('[{"kind": "Listing", "data": {"children": []}}, {"kind": "Listing", "data": {"children": []}}]', "no t3 post"),
        (reddit_thread([{"kind": "t1", "data": 5}]), "data.children"),
        (reddit_thread([{"kind": "t1", "data": {"body": "hi"}}]), "neither 'name' nor 'id'"),
        (reddit_thread([t1("x", "hi", "t3_abc123") | {"data": {"name": "t1_x", "replies": {"data": []}}}]), "data.children"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_reddit_bad_input_is_an_input_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as caught:
        parse_reddit(text, "thread.json")
    assert str(caught.value).startswith("thread.json:")


def test_reddit_shared_thread_has_every_comment_and_stub_count() -> None:
    path = shared_file("exports/reddit_thread.json")
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text)
    expected_comments, expected_unloaded = stub_counts(raw[1])
    thread = parse_reddit(text, str(path))
    assert len(thread.comments) == expected_comments == 199
    assert thread.not_loaded == expected_unloaded
    assert thread.title == raw[0]["data"]["children"][0]["data"]["title"]
    ids = {c.id for c in thread.comments}
    assert len(ids) == 199
    assert all(c.parent in ids for c in thread.comments if c.parent)
    assert sum(c.parent is None for c in thread.comments) == sum(
        child["kind"] == "t1" for child in raw[1]["data"]["children"]
    )
    assert all(c.text == "" for c in thread.comments if c.removed)
    assert all(c.text and "&gt;" not in c.text and "&amp;" not in c.text for c in thread.comments if not c.removed)


# --- yt-dlp -------------------------------------------------------------------------------------


def test_ytdlp_comments_and_video_text() -> None:
    thread = parse_ytdlp(json.dumps(YTDLP), "video.info.json")
    assert (thread.title, thread.body, thread.declared_count) == (
        "Why the old town is going car-free",
        "The council voted 31-12.\n\nSources below.",
        57,
    )
    first, reply = thread.comments  # the blank comment is dropped
    assert (first.id, first.parent, first.author, first.likes) == ("UgxA1b2C3", None, "@cyclist_anna", 120)
    assert first.text == "Best decision they've made in years <3"  # plain text, not parsed as HTML
    assert (first.time, first.source) == ("2024-05-01T08:00:00Z", "video.info.json#comment[UgxA1b2C3]")
    assert (reply.id, reply.parent, reply.time) == ("UgxA1b2C3.9zZ", "UgxA1b2C3", "2024-05-02T08:00:00Z")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{'id': 1}", "not valid JSON"),
        (json.dumps({"id": "x", "title": "t"}), "not a yt-dlp info file"),
        (json.dumps({k: v for k, v in YTDLP.items() if k != "comments"}), "--write-comments"),
        (json.dumps(YTDLP | {"comments": ["hi"]}), "--write-comments"),
        (json.dumps(YTDLP | {"comments": [{"text": "no id"}]}), "has no 'id'"),
    ],
)
def test_ytdlp_bad_input_is_an_input_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as caught:
        parse_ytdlp(text, "video.info.json")
    assert str(caught.value).startswith("video.info.json:")


# --- Hacker News --------------------------------------------------------------------------------


def test_hackernews_tree_with_deleted_comments_and_html() -> None:
    thread = parse_hackernews(json.dumps(HACKERNEWS), "hn.json")
    assert (thread.title, thread.body) == ("Old town goes car-free", "The city's plan, summarised.\n\nThoughts?")
    rows = [(c.id, c.parent, c.author, c.status) for c in thread.comments]
    assert rows == [
        ("1001", None, "tptacek", None),
        ("1003", "1001", "pc", None),
        ("1002", None, None, "deleted"),
        ("1004", "1002", "jacquesm", None),
    ]  # 1005 has no text and is not deleted
    assert thread.comments[0].text == "Car-free centres work: study.\n\nSee Ghent."
    assert thread.comments[2].text == ""
    assert thread.comments[3].text == "Replying to a deleted comment > still counts"
    assert (thread.comments[0].time, thread.comments[0].likes, thread.comments[0].source) == (
        "2024-03-01T12:00:00.000Z",
        None,
        "hn.json#item[1001]",
    )


def test_hackernews_deep_threads_do_not_hit_the_recursion_limit() -> None:
    node = hn_item(1, "a", "leaf", [])
    for n in range(2, 400):
        node = hn_item(n, "a", f"level {n}", [node])
    thread = parse_hackernews(json.dumps(hn_item(0, "op", None, [node], type="story", title="Deep")), "hn.json")
    assert len(thread.comments) == 399
    assert thread.comments[-1].parent == "2"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"id": 1, "children": [', "not valid JSON"),
        (json.dumps({"id": 1, "by": "pg", "kids": [2, 3], "time": 1, "type": "story"}), "not a Hacker News item"),
        (json.dumps(HACKERNEWS | {"children": [1, 2]}), "'children' is not a list of objects"),
        (json.dumps(HACKERNEWS | {"children": [hn_item(1, "a", "x", []) | {"id": None}]}), "has no 'id'"),
    ],
)
def test_hackernews_bad_input_is_an_input_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as caught:
        parse_hackernews(text, "hn.json")
    assert str(caught.value).startswith("hn.json:")


# --- Discourse ----------------------------------------------------------------------------------


def test_discourse_first_post_is_the_article_and_replies_map_to_post_ids() -> None:
    thread = parse_discourse(json.dumps(DISCOURSE), "topic.json")
    assert (thread.title, thread.body, thread.not_loaded) == (
        "Should the old town go car-free?",
        "The council proposes a ban.\n\nDiscuss.",
        2,
    )
    rows = [(c.id, c.parent, c.author, c.likes, c.status) for c in thread.comments]
    assert rows == [
        ("9002", None, "user2", 7, None),
        ("9003", "9002", "user3", 1, None),
        ("9004", None, "user4", None, "deleted"),  # hidden; a reply to post 1 is a reply to the article
        ("9005", None, "user5", None, "deleted"),
        ("9006", None, "user6", None, "deleted"),
    ]  # the "closed the topic" notice is not a comment
    assert [c.text for c in thread.comments] == ["Yes, please.", "Yes, please.\n\nNo way.", "Rude words", "", "Spam link"]
    assert (thread.comments[0].time, thread.comments[0].source) == ("2024-02-02T10:00:00.000Z", "topic.json#post[9002]")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"post_stream": ', "not valid JSON"),
        (json.dumps({"title": "x", "posts": []}), "not a Discourse topic"),
        (json.dumps({"post_stream": {"posts": [1]}}), "other than objects"),
        (json.dumps({"post_stream": {"posts": [{"post_number": 2, "cooked": "x"}]}}), "has no 'id'"),
    ],
)
def test_discourse_bad_input_is_an_input_error_naming_the_file(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as caught:
        parse_discourse(text, "topic.json")
    assert str(caught.value).startswith("topic.json:")


# --- Registry and sniffing ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_sniff_recognises_each_format_and_the_registry_parses_it(name: str) -> None:
    assert sniff_export(FIXTURES[name]) == name
    thread = EXPORT_PARSERS[name](FIXTURES[name], f"in.{name}")
    assert isinstance(thread, Thread) and thread.comments


def test_registry_has_exactly_the_six_formats() -> None:
    assert set(EXPORT_PARSERS) == set(FIXTURES)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Council bans cars\n\n3 Comments\nAnna\nGood.",
        '{"text": "a comment", "author": "x"}\n{"text": "another", "author": "y"}\n',
        '{"text": "one comment only"}',
        "[1, 2, 3]",
        '{"post_stream": []}',
        "{not json",
        "<!DOCTYPE html>\n<html><head><title>News</title></head><body><p>hi</p></body></html>",
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Plain feed</title></channel></rss>',
        '<?xml version="1.0"?>\n<disqus><post/></disqus>',
        "<",
    ],
)
def test_sniff_returns_none_for_other_content(text: str) -> None:
    assert sniff_export(text) is None


@pytest.mark.parametrize(
    ("relative", "name"),
    [
        ("exports/disqus_export_sample.xml", "disqus"),
        ("exports/wordpress_wxr_sample.xml", "wxr"),
        ("exports/themeunittestdata.wordpress.xml", "wxr"),
        ("exports/reddit_thread.json", "reddit"),
    ],
)
def test_sniff_recognises_the_shared_exports(relative: str, name: str) -> None:
    assert sniff_export(shared_file(relative).read_text(encoding="utf-8")) == name


# --- field types shared by every export ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, "7"), (0, "0"), ("t1_a", "t1_a"), ("", None), (None, None), (True, None), ({"id": 1}, None), (1.5, None)],
)
def test_json_id_accepts_numbers_and_nonempty_strings_only(value: object, expected: str | None) -> None:
    assert json_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (12.0, 12), (" 12 ", 12), ("-3", -3), (12.5, None), (True, None), ("twelve", None), ("9" * 19, None),
     ("\u00b3", None), ("1\u00b2", None), ("--3", None), ("", None),  # isdigit() passes the first two
     ("\u0661\u0662", 12), ("\uff11\uff12", 12)],  # decimal digits of other scripts, as int reads them
)
def test_as_count_reads_integral_numbers_and_digit_strings(value: object, expected: int | None) -> None:
    assert as_count(value) == expected


def test_a_boolean_id_is_refused_like_a_missing_one() -> None:
    with pytest.raises(InputError, match="has no 'id'"):
        parse_ytdlp(json.dumps(YTDLP | {"comments": [{"id": True, "text": "x"}]}), "t.json")
