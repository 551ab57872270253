"""Sample pages and exports that several test modules read: each written for the tests, none real."""

from __future__ import annotations

import json
from typing import Any

PAGE = """Town Hall Approves Late-Night Buses
The council agreed to run buses until 2am on weekends.
Funding comes from the parking budget.
3 Comments
Ann Lee
Brilliant, no more walking home in the rain.
Bob
Who pays for this?
It comes out of parking, so drivers pay for buses they never use.
That is not fair at all.
Ann Lee
@Bob drivers use the roads the buses keep clear.
"""


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


DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="10"><forum>citynews</forum><title>General</title></category>
  <thread dsq:id="100">
    <id>article-42</id><forum>citynews</forum><category dsq:id="10"/>
    <link>https://citynews.example/cars-ban</link>
    <title>Council bans cars from the old town</title>
    <message/><createdAt>2023-05-01T08:00:00Z</createdAt>
  </thread>
  <post dsq:id="201">
    <id/>
    <message><![CDATA[<p>Finally! The streets will be <b>quiet</b> &amp; safe.</p><p>Well done.</p>]]></message>
    <createdAt>2023-05-01T09:15:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Mira Holt</name><isAnonymous>false</isAnonymous><username>mholt</username></author>
    <thread dsq:id="100"/>
  </post>
  <post dsq:id="202">
    <message><![CDATA[<p>Shops will lose customers.</p>]]></message>
    <createdAt>2023-05-01T09:40:12Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><username>shopkeeper77</username></author>
    <thread dsq:id="100"/>
    <parent dsq:id="201"/>
  </post>
  <post dsq:id="203">
    <message/>
    <createdAt>2023-05-01T10:00:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>false</isSpam>
    <author><name>Gone</name></author>
    <thread dsq:id="100"/>
  </post>
  <post dsq:id="204">
    <message><![CDATA[<a href="http://pills.example">cheap pills</a>]]></message>
    <createdAt>2023-05-01T10:05:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>true</isSpam>
    <author><name>Promo</name></author>
    <thread dsq:id="100"/>
  </post>
  <post dsq:id="205">
    <message><![CDATA[<p> </p>]]></message>
    <createdAt>2023-05-01T10:06:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Blank</name></author>
    <thread dsq:id="100"/>
  </post>
</disqus>
"""


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Town Blog</title>
"""  # no channel-level wp: elements, so an item's excerpt:encoded is the first export-namespace element


def wxr_comment(
    comment_id: int, content: str, parent: int = 0, approved: str = "1", kind: str = "", gmt: str = "2023-05-02 10:00:00"
) -> str:
    return f"""
  <wp:comment>
    <wp:comment_id>{comment_id}</wp:comment_id>
    <wp:comment_author><![CDATA[Reader {comment_id}]]></wp:comment_author>
    <wp:comment_author_email><![CDATA[r{comment_id}@example.org]]></wp:comment_author_email>
    <wp:comment_date><![CDATA[2023-05-02 12:00:00]]></wp:comment_date>
    <wp:comment_date_gmt><![CDATA[{gmt}]]></wp:comment_date_gmt>
    <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
    <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
    <wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
    <wp:comment_parent>{parent}</wp:comment_parent>
    <wp:comment_user_id>0</wp:comment_user_id>
  </wp:comment>"""


def wxr_item(post_id: int, title: str, content: str, comments: str) -> str:
    return f"""
<item>
  <title>{title}</title>
  <link>https://blog.example/?p={post_id}</link>
  <content:encoded><![CDATA[{content}]]></content:encoded>
  <excerpt:encoded><![CDATA[]]></excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_type><![CDATA[post]]></wp:post_type>
  <wp:status><![CDATA[publish]]></wp:status>{comments}
</item>"""


WXR_ONE_POST = (
    WXR_HEAD
    + wxr_item(
        7,
        "Council bans cars from the old town",
        "<!-- wp:paragraph --><p>From June, only buses may enter.</p><!-- /wp:paragraph -->\n<p>Shops object.</p>",
        wxr_comment(31, "<p>About <em>time</em>!</p>")
        + wxr_comment(32, "Disagree.\nShops will suffer.", parent=31, gmt="0000-00-00 00:00:00")
        + wxr_comment(33, "[&#8230;] linked from our site [&#8230;]", kind="pingback")
        + wxr_comment(34, "[&#8230;] tracked [&#8230;]", kind="trackback")
        + wxr_comment(35, "buy now", approved="spam")
        + wxr_comment(36, "", approved="trash")
        + wxr_comment(37, "Is the ban permanent?", parent=33, kind="comment", approved="0"),
    )
    + wxr_item(8, "About us", "<p>We write about the town.</p>", "")
    + "\n</channel>\n</rss>\n"
)


def t1(comment_id: str, body: str, parent: str, replies: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    data = {
        "id": comment_id,
        "name": f"t1_{comment_id}",
        "author": extra.pop("author", f"user_{comment_id}"),
        "body": body,
        "parent_id": parent,
        "score": extra.pop("score", 3),
        "created_utc": 1700000000.0,
        "replies": {"kind": "Listing", "data": {"children": replies}} if replies else "",
    }
    return {"kind": "t1", "data": data | extra}


def more(parent: str, children: list[str], count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": children[0] if children else "_", "parent_id": parent, "children": children}
    if count is not None:
        data["count"] = count
    return {"kind": "more", "data": data}


def reddit_thread(comments: list[dict[str, Any]]) -> str:
    post = {
        "kind": "t3",
        "data": {
            "id": "abc123",
            "name": "t3_abc123",
            "title": "Council bans cars from the old town &amp; centre",
            "selftext": "The ban starts in June.\n\nWhat do you think?",
            "num_comments": 40,
            "created_utc": 1699990000.0,
        },
    }
    return json.dumps(
        [
            {"kind": "Listing", "data": {"children": [post]}},
            {"kind": "Listing", "data": {"children": comments}},
        ]
    )


REDDIT = reddit_thread(
    [
        t1(
            "c1",
            "&gt; only buses\n\nGood riddance to the traffic &amp; noise.",
            "t3_abc123",
            replies=[
                t1("c2", "[deleted]", "t1_c1", author="[deleted]", replies=[t1("c3", "Shops agree, actually.", "t1_c2")]),
                more("t1_c1", ["c4", "c5", "c6"], count=5),
            ],
            score=42,
        ),
        t1("c7", "[removed]", "t3_abc123", score_hidden=True),
        more("t3_abc123", ["c8", "c9"]),
        more("t1_c1", [], count=0),
    ]
)


def stub_counts(node: Any) -> tuple[int, int]:
    """(t1 objects, sum of "more" stub counts) in a Reddit listing, counted independently of the parser."""
    comments = unloaded = 0
    for child in node["data"]["children"]:
        if child["kind"] == "more":
            unloaded += child["data"].get("count", len(child["data"]["children"]))
        else:
            comments += 1
            if child["data"]["replies"]:
                sub = stub_counts(child["data"]["replies"])
                comments, unloaded = comments + sub[0], unloaded + sub[1]
    return comments, unloaded


YTDLP = {
    "id": "dQw4w9WgXcQ",
    "title": "Why the old town is going car-free",
    "description": "The council voted 31-12.\n\nSources below.",
    "extractor": "youtube",
    "extractor_key": "Youtube",
    "webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "comment_count": 57,
    "comments": [
        {
            "id": "UgxA1b2C3",
            "parent": "root",
            "text": "Best decision they've made in years <3",
            "like_count": 120,
            "author_id": "UC111",
            "author": "@cyclist_anna",
            "timestamp": 1714550400,
            "_time_text": "1 month ago",
            "is_favorited": False,
            "author_is_uploader": False,
        },
        {
            "id": "UgxA1b2C3.9zZ",
            "parent": "UgxA1b2C3",
            "text": "Tell that to the shop owners.",
            "like_count": 4,
            "author": "@bob",
            "timestamp": 1714636800,
        },
        {"id": "UgyEmpty", "parent": "root", "text": "  ", "author": "@quiet", "timestamp": 1714636800},
    ],
}


def hn_item(item_id: int, author: str | None, text: str | None, children: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "created_at": "2024-03-01T12:00:00.000Z",
        "created_at_i": 1709294400,
        "type": "comment",
        "author": author,
        "title": None,
        "url": None,
        "text": text,
        "points": None,
        "parent_id": None,
        "story_id": 1000,
        "children": children,
        "options": [],
    } | extra


HACKERNEWS = hn_item(
    1000,
    "dang",
    "The city&#x27;s plan, summarised.<p>Thoughts?",
    [
        hn_item(
            1001,
            "tptacek",
            "Car-free centres work: <a href=\"https://example.org\" rel=\"nofollow\">study</a>.<p>See Ghent.",
            [hn_item(1003, "pc", "Ghent kept delivery access.", [])],
        ),
        hn_item(1002, None, None, [hn_item(1004, "jacquesm", "Replying to a deleted comment &gt; still counts", [])]),
        hn_item(1005, "ghost", "", []),
    ],
    type="story",
    title="Old town goes car-free",
    points=312,
)


def post(post_id: int, number: int, cooked: str, reply_to: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": post_id,
        "name": f"Person {number}",
        "username": f"user{number}",
        "created_at": f"2024-02-0{min(number, 9)}T10:00:00.000Z",
        "cooked": cooked,
        "post_number": number,
        "post_type": 1,
        "reply_to_post_number": reply_to,
        "actions_summary": [],
        "hidden": False,
        "deleted_at": None,
        "user_deleted": False,
    } | extra


DISCOURSE = {
    "id": 555,
    "title": "Should the old town go car-free?",
    "fancy_title": "Should the old town go car-free?",
    "posts_count": 9,
    "post_stream": {
        "posts": [
            post(9001, 1, "<p>The council proposes a ban.</p>\n<p>Discuss.</p>"),
            post(9002, 2, "<p>Yes, <strong>please</strong>.</p>", actions_summary=[{"id": 2, "count": 7, "can_act": True}]),
            post(
                9003,
                3,
                '<aside class="quote"><blockquote><p>Yes, please.</p></blockquote></aside>\n<p>No way.</p>',
                reply_to=2,
                like_count=1,
            ),
            post(9004, 4, "<p>Rude words</p>", reply_to=1, hidden=True),
            post(9005, 5, "<p>(post deleted by author)</p>", user_deleted=True),
            post(9006, 6, "<p>Spam link</p>", deleted_at="2024-02-07T00:00:00.000Z"),
            post(9007, 7, "", post_type=3, action_code="closed.enabled"),
        ],
        "stream": [9001, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009],
    },
}


FIXTURES = {
    "disqus": DISQUS,
    "wxr": WXR_ONE_POST,
    "reddit": REDDIT,
    "ytdlp": json.dumps(YTDLP, indent=2),
    "hackernews": json.dumps(HACKERNEWS),
    "discourse": "\n " + json.dumps(DISCOURSE),
}


# Forum replies that quote earlier posts (issue: quoted text must not stand in two records).
XENFORO_QUOTES = f"""<html><body>{ARTICLE}<div class="block block--messages"><div class="block-body">
  <article class="message message--post js-post" data-author="RiverRat" data-content="post-501" id="js-post-501">
    <header class="message-attribution"><time class="u-dt" datetime="2023-05-01T08:00:00+0100">May 1</time></header>
    <div class="message-content"><article class="message-body"><div class="bbWrapper">Best decision the council made this year.</div></article></div>
  </article>
  <article class="message message--post js-post" data-author="mo_k" data-content="post-502" id="js-post-502">
    <header class="message-attribution"><time class="u-dt" datetime="2023-05-01T09:30:00+0100">May 1</time></header>
    <div class="message-content"><article class="message-body"><div class="bbWrapper">
      <blockquote class="bbCodeBlock bbCodeBlock--expandable bbCodeBlock--quote js-expandWatch" data-quote="RiverRat" data-source="post: 501" data-attributes="member: 77">
        <div class="bbCodeBlock-title"><a href="/goto/post?id=501" class="bbCodeBlock-sourceJump">RiverRat said:</a></div>
        <div class="bbCodeBlock-content"><div class="bbCodeBlock-expandContent js-expandContent">Best decision the council made this year.</div>
        <div class="bbCodeBlock-expandLink js-expandLink"><a role="button">Click to expand...</a></div></div>
      </blockquote>Who staffs it on Sundays though?</div></article></div>
  </article>
</div></div></body></html>"""

PHPBB_QUOTES = f"""<html><body id="phpbb" class="nojs section-viewtopic ltr">{ARTICLE}<div id="page-body" class="page-body">
  <div id="p1001" class="post has-profile bg2"><div class="inner"><div class="postbody"><div id="post_content1001">
    <p class="author">by <strong><a href="./memberlist.php?mode=viewprofile&amp;u=2" class="username">Hettie</a></strong> &raquo;
      <time datetime="2021-03-01T10:00:00+00:00">Mon Mar 01, 2021 10:00 am</time></p>
    <div class="content">Sunday opening is overdue. My kids can finally use it.</div>
  </div></div></div></div>
  <div id="p1002" class="post has-profile bg1"><div class="inner"><div class="postbody"><div id="post_content1002">
    <p class="author">by <strong><a href="./memberlist.php?mode=viewprofile&amp;u=3" class="username">Gareth</a></strong> &raquo;
      <time datetime="2021-03-01T11:00:00+00:00">Mon Mar 01, 2021 11:00 am</time></p>
    <div class="content"><blockquote><div><cite><a href="./memberlist.php?mode=viewprofile&amp;u=2">Hettie</a> wrote:
      <a href="./viewtopic.php?p=1001#p1001" data-post-id="1001">&uarr;</a><span class="responsive-hide">Mon Mar 01, 2021 10:00 am</span></cite>
      Sunday opening is overdue.</div></blockquote>Overdue, and unfunded: the van pays for it.</div>
  </div></div></div></div>
</div></body></html>"""

DISCOURSE_QUOTES = f"""<html><body>{ARTICLE}<div id="main-outlet" class="topic-list">
  <div id="post_1" itemprop="comment" itemscope itemtype="http://schema.org/Comment" class="topic-body crawler-post">
    <div class="crawler-post-meta"><span class="creator" itemprop="author"><span itemprop="name">ana</span></span>
      <time itemprop="datePublished" datetime="2022-06-01T12:00:00Z">June 1</time></div>
    <div class="post" itemprop="text"><p>The rota was agreed in a hurry.</p></div>
  </div>
  <div id="post_2" itemprop="comment" itemscope itemtype="http://schema.org/Comment" class="topic-body crawler-post">
    <div class="crawler-post-meta"><span class="creator" itemprop="author"><span itemprop="name">ben</span></span>
      <time itemprop="datePublished" datetime="2022-06-01T13:00:00Z">June 1</time></div>
    <div class="post" itemprop="text"><aside class="quote no-group" data-username="ana" data-post="1" data-topic="77">
      <div class="title"><img class="avatar" src="a.png"> ana:</div><blockquote><p>The rota was agreed in a hurry.</p></blockquote></aside>
      <p>It took four months of talks.</p></div>
  </div>
</div></body></html>"""


def _wp_comment(number: int, author: str, time: str, text: str, replies: str = "") -> str:
    children = f'<ol class="children">{replies}</ol>' if replies else ""
    return (f'<li id="comment-{number}" class="comment"><article class="comment-body"><footer class="comment-meta">'
            f'<b class="fn">{author}</b><time datetime="{time}">{time[:10]}</time></footer>'
            f'<div class="comment-content"><p>{text}</p></div></article>{children}</li>')


# The same comments rendered twice: a "top comments" box (ids prefixed) before the full list, and a noscript copy.
DOUBLE_RENDERED = f"""<html><body>{ARTICLE}<div id="comments"><h2>3 Comments</h2>
  <div class="top-comments"><h3>Top comments</h3><ol>
    {_wp_comment(22, "Tom", "2024-04-02T10:00:00+00:00", "Not if it kills the van service for villages.").replace('id="comment-22"', 'id="top-comment-22"')}
    {_wp_comment(23, "Ola", "2024-04-02T11:00:00+00:00", "Who is paying the …")}
  </ol></div>
  <ol class="comment-list">
    {_wp_comment(21, "Priya", "2024-04-02T09:15:00+00:00", "Wonderful news for families.",
                 _wp_comment(22, "Tom", "2024-04-02T10:00:00+00:00", "Not if it kills the van service for villages."))}
    {_wp_comment(23, "Ola", "2024-04-02T11:00:00+00:00", "Who is paying the overtime?")}
  </ol>
  <noscript><ol class="comment-list">{_wp_comment(23, "Ola", "2024-04-02T11:00:00+00:00", "Who is paying the overtime?")}</ol></noscript>
</div></body></html>"""


# A news site's own comment list: no "comment" class on the comments, only on the section.
UNMARKED_THREAD = f"""<html><body>{ARTICLE}<section id="leserkommentare" class="debate"><h2>4 Kommentare</h2>
  <div class="comment-form"><textarea></textarea><button>Senden</button></div>
  <div class="debate__list">""" + "".join(
    f'<div class="entry"><div class="entry__head"><span class="entry__user">{user}</span> '
    f'<span class="entry__date">12.03.2024, 1{n}:15</span></div><div class="entry__text"><p>{text}</p></div></div>'
    for n, (user, text) in enumerate([
        ("Hans M.", "Endlich öffnet die Bibliothek auch sonntags."),
        ("Gabi", "Und wer bezahlt die Überstunden der Angestellten?"),
        ("Piet", "Der Bücherbus auf dem Land ist wichtiger."),
        ("Lena", "Gute Nachricht für Familien mit Kindern."),
    ])
) + """</div></section></body></html>"""

# Each comment split over sibling blocks: a byline, then its paragraphs.
SPLIT_BLOCKS = f"""<html><body>{ARTICLE}<div id="comments" class="comments"><h3>3 comments</h3>
  <div class="byline"><span class="author">Anna</span> <time datetime="2024-04-02T09:00:00Z">2 Apr</time></div>
  <p>Wonderful news for families.</p><p>Weekends are when we can go.</p>
  <div class="byline"><span class="author">Ben</span> <time datetime="2024-04-02T10:00:00Z">2 Apr</time></div>
  <p>Not if it kills the van service for villages.</p>
  <div class="byline"><span class="author">Cleo</span> <time datetime="2024-04-02T11:00:00Z">2 Apr</time></div>
  <p>Who is paying the overtime?</p><p>Nobody says.</p><p>Ask the council.</p>
</div></body></html>"""


# A comment laid out as sibling elements: a header (author, time) and then its body, as one record each. Written
# from the layouts' names alone (definition lists, table rows, a heading line and a paragraph, a title line with
# the author, the text and an action line), not from any real page. Each takes (author, day, text) triples.
def sibling_layout(layout: str, comments: list[tuple[str, int, str]], declared: bool = True) -> str:
    def one(author: str, day: int, text: str) -> str:
        if layout == "definition list":
            return (f'<dt class="comment-meta"><span class="author">{author}</span> <span class="date">2024-05-{day:02d} 10:00</span></dt>'
                    f'<dd class="comment-body"><p>{text}</p><a href="#">Reply</a></dd>')
        if layout == "table rows":
            return (f'<tr class="comment-header"><td><b class="username">{author}</b></td><td class="date">{day:02d}.05.2024 10:00</td></tr>'
                    f'<tr class="comment-text"><td colspan="2">{text}</td></tr>')
        if layout == "heading and paragraph":
            return f'<h4 class="comment-title">{author} | {day} May 2024</h4><p class="comment-text">{text}</p>'
        if layout == "title, text, action line":
            return (f'<div class="comment-title">Re: the toll <span class="author">{author}</span> <span class="date">{day} May 2024</span></div>'
                    f'<div class="comment-content">{text}</div><div class="comment-actions"><a>antworten</a> <a>melden</a></div>')
        raise ValueError(layout)

    rows = "".join(one(*comment) for comment in comments)
    wrapped = {"definition list": f'<dl class="comment-list">{rows}</dl>', "table rows": f'<table class="comments-table">{rows}</table>'}
    count = f"<h2>{len(comments)} Comments</h2>" if declared else ""
    return (f"<html><head><title>Bridge toll doubles</title></head><body>{ARTICLE}"
            f'<section id="comments">{count}{wrapped.get(layout, rows)}<form class="comment-form"><textarea></textarea>'
            "<button>Post</button></form></section></body></html>")


SIBLING_LAYOUTS = ("definition list", "table rows", "heading and paragraph", "title, text, action line")
SIBLING_COMMENTS = [("Anna", 1, "This is daylight robbery for commuters."), ("Ben", 1, "Fair enough, the bridge needs repairs."),
                    ("Cleo", 2, "Mixed feelings: repairs yes, this price no.")]
