"""A comment section by its link, against a real HTTP server on the loopback address that serves the saved
pages and exports of ../shared under realistic paths and fake Reddit, Hacker News, WordPress and Discourse
APIs: the records equal those of the same files read from disk."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import read_jsonl, run, shared_file
from samples import DISCOURSE, HACKERNEWS, t1
from werkzeug import Request, Response

from stance.extract import read_thread
from stance.io.web import WebClient, WebSettings


@pytest.fixture
def server(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    return httpserver


def web(tmp_path: Path, **settings) -> WebClient:
    return WebClient(WebSettings(cache_dir=tmp_path / "web", host_interval=0, **settings))


def records(thread) -> list[tuple]:
    return [(c.text, c.author, c.time, c.likes) for c in thread.comments]


def test_a_saved_page_by_its_link_gives_the_records_of_the_file(server, tmp_path: Path, capsys) -> None:
    page = shared_file("pages/foxyfolksy.com.buttercream.html")
    server.expect_request("/chocolate-buttercream-frosting/").respond_with_data(page.read_bytes(), content_type="text/html; charset=UTF-8")
    link = server.url_for("/chocolate-buttercream-frosting/")
    code, out, err = run(["extract", link, "-f", "jsonl", "--cache-dir", str(tmp_path / "web")], capsys)
    assert code == 0, err
    fetched = [json.loads(line) for line in out.splitlines()]
    on_disk = read_thread(page)
    assert [(r["text"], r["author"], r["time"]) for r in fetched] == [(c.text, c.author, c.time) for c in on_disk.comments]
    assert all(r["source"].startswith(link + "#") for r in fetched) and len(fetched) == 80
    server.clear()  # the site gone: the kept answer gives the same records
    assert run(["extract", link, "-f", "jsonl", "--cache-dir", str(tmp_path / "web")], capsys)[1] == out


def test_a_reddit_thread_and_its_load_more_comments(server, tmp_path: Path) -> None:
    export = shared_file("exports/reddit_thread.json")
    path = "/r/self/comments/1cebxh/my_wife_passed_away_eight_months_ago_yesterday_i"
    server.expect_request(path + ".json").respond_with_data(export.read_bytes(), content_type="application/json")
    asked: list[list[str]] = []

    def more_children(request: Request) -> Response:
        query = parse_qs(request.query_string.decode())
        assert query["link_id"] == ["t3_1cebxh"] and query["api_type"] == ["json"]
        ids = query["children"][0].split(",")
        asked.append(ids)
        things = [t1(child, f"loaded later {child}", "t3_1cebxh") for child in ids]
        return Response(json.dumps({"json": {"errors": [], "data": {"things": things}}}), content_type="application/json")

    server.expect_request("/api/morechildren.json").respond_with_handler(more_children)
    on_disk = read_thread(export)
    thread = read_thread(server.url_for(path + "/"), web=web(tmp_path, reddit_more=150))
    loaded = sum(len(ids) for ids in asked)
    assert 0 < loaded <= 150 and all(len(ids) <= 100 for ids in asked)
    assert records(thread)[: len(on_disk.comments)] == records(on_disk)
    assert len(thread.comments) == len(on_disk.comments) + loaded
    assert thread.not_loaded == max(0, on_disk.not_loaded - loaded)
    assert thread.comments[0].source.startswith(server.url_for(path + "/"))
    asked.clear()
    none_more = read_thread(server.url_for(path + "/"), web=web(tmp_path / "b", reddit_more=0))
    assert asked == [] and records(none_more) == records(on_disk)


def test_a_hacker_news_item_reads_its_whole_tree(server, tmp_path: Path) -> None:
    """Its link is read through the item API (here the local server's): news.ycombinator.com itself is never asked."""
    server.expect_request("/api/v1/items/1000").respond_with_json(HACKERNEWS)
    thread = read_thread("https://news.ycombinator.com/item?id=1000", web=web(tmp_path, hn_api=server.url_for("/api/v1/items/")))
    assert thread.title == "Old town goes car-free"
    assert [c.author for c in thread.comments] == ["tptacek", "pc", None, "jacquesm", "ghost"][: len(thread.comments)]
    assert thread.comments[1].parent == thread.comments[0].id


def test_a_discourse_topic_reads_its_json(server, tmp_path: Path) -> None:
    page = ('<html><head><meta name="generator" content="Discourse 3.2.0 - https://github.com/discourse/discourse">'
            "<title>Should the old town go car-free?</title></head><body><noscript>the topic</noscript></body></html>")
    server.expect_request("/t/should-the-old-town-go-car-free/555").respond_with_data(page, content_type="text/html")
    server.expect_request("/t/should-the-old-town-go-car-free/555.json").respond_with_json(DISCOURSE)
    thread = read_thread(server.url_for("/t/should-the-old-town-go-car-free/555"), web=web(tmp_path))
    assert thread.title == "Should the old town go car-free?" and thread.comments[0].text == "Yes, please."
    assert thread.not_loaded == 2


def test_a_wordpress_page_whose_comments_come_from_its_rest_api(server, tmp_path: Path) -> None:
    api = server.url_for("/wp-json/")
    page = (f'<html><head><title>Bridge toll doubles</title><link rel="https://api.w.org/" href="{api}">'
            f'<link rel="alternate" type="application/json" href="{api}wp/v2/posts/42"></head>'
            "<body class='post-template-default single postid-42'><article><h1>Bridge toll doubles</h1>"
            "<p>The council doubled the toll on the old bridge.</p></article></body></html>")
    server.expect_request("/2024/05/bridge-toll/").respond_with_data(page, content_type="text/html")
    comments = [{"id": n, "post": 42, "parent": 0 if n % 3 else n - 1, "author_name": f"Reader {n}", "date_gmt": "2024-05-01T10:00:00",
                 "content": {"rendered": f"<p>Comment number {n} on the toll.</p>\n"}, "link": f"{api}#comment-{n}"} for n in range(1, 131)]

    def route(request: Request) -> Response:
        query = parse_qs(request.query_string.decode())
        assert query["post"] == ["42"]
        page_number, size = int(query["page"][0]), int(query["per_page"][0])
        return Response(json.dumps(comments[(page_number - 1) * size : page_number * size]), content_type="application/json")

    server.expect_request("/wp-json/wp/v2/comments").respond_with_handler(route)
    thread = read_thread(server.url_for("/2024/05/bridge-toll/"), web=web(tmp_path))
    assert len(thread.comments) == 130 and thread.title == "Bridge toll doubles"
    assert thread.comments[2].parent == "2" and thread.comments[0].parent is None
    assert thread.comments[0].text == "Comment number 1 on the toll." and thread.comments[0].time == "2024-05-01T10:00:00Z"


def test_a_page_whose_comments_load_by_script_says_so(server, tmp_path: Path, capsys) -> None:
    page = "<html><body><article><h1>Toll</h1><p>The council doubled it.</p></article><div id='disqus_thread'></div></body></html>"
    server.expect_request("/toll.html").respond_with_data(page, content_type="text/html")
    code, _, err = run(["extract", server.url_for("/toll.html"), "--cache-dir", str(tmp_path / "web")], capsys)
    assert code == 0 and "0 comments" in err and "load through Disqus's script, which stance does not run" in err


def test_classify_a_link_and_a_file_of_links(server, tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    seed = shared_file("examples/seed_article.txt")
    server.expect_request("/news/seed.txt").respond_with_data(seed.read_bytes(), content_type="text/plain")
    server.expect_request("/r/self/comments/1cebxh/wife.json").respond_with_data(
        shared_file("exports/reddit_thread.json").read_bytes(), content_type="application/json")
    model, cache = ["--model", str(tiny_classifier_dir), "--precision", "fp32"], ["--cache-dir", str(tmp_path / "web")]
    code, _, err = run(["classify", server.url_for("/news/seed.txt"), *model, *cache, "-o", str(tmp_path / "seed.jsonl")], capsys)
    assert code == 0, err
    assert len(read_jsonl(tmp_path / "seed.jsonl")) == 5
    links = tmp_path / "links.txt"
    links.write_text(f"# two links\n{server.url_for('/news/seed.txt')}\n\n{server.url_for('/r/self/comments/1cebxh/wife/')}\n")
    code, _, err = run(["classify", "--urls", str(links), *model, *cache, "--more-comments", "0", "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert len(written) == 2 and "2 links classified" in err
    counts = sorted(len(read_jsonl(tmp_path / "out" / name)) for name in written)
    assert counts == [5, 194]
    code, _, err = run(["classify", "--urls", str(links), *model, *cache, "-o", str(tmp_path / "out")], capsys)
    assert code == 0 and err.count("complete already") == 2


def test_link_errors_are_one_line(server, tmp_path: Path, capsys) -> None:
    server.expect_request("/gone.html").respond_with_data("", status=404)
    code, _, err = run(["extract", server.url_for("/gone.html"), "--cache-dir", str(tmp_path / "web")], capsys)
    assert code == 6 and err.strip().count("\n") == 0 and "gone.html: HTTP 404 (not found)" in err
    code, _, err = run(["extract", server.url_for("/members/page.html"), "--cache-dir", str(tmp_path / "web")], capsys)
    assert code == 6 and "robots.txt does not allow" in err and "--ignore-robots" in err
    bad = tmp_path / "bad.txt"
    bad.write_text("ftp://example.org/file\n")
    code, _, err = run(["classify", "--urls", str(bad), "-o", str(tmp_path / "o")], capsys)
    assert code == 6 and "not an http or https link" in err


def test_what_the_review_found(server, tmp_path: Path, capsys) -> None:
    """Links beside files, a charset named by the answer, a Reddit-like path on another site, a WordPress API
    that is locked or answers every page alike, a report of a link, and malformed links."""
    code, _, err = run(["classify", server.url_for("/a.html"), str(tmp_path / "page.html"), "-o", str(tmp_path / "o")], capsys)
    assert code == 2 and "links are classified" in err
    latin = "<html><head><title>Café</title></head><body><article><h1>Café</h1><p>Le café ferme.</p></article></body></html>"
    server.expect_request("/latin.html").respond_with_data(latin.encode("latin-1"), content_type="text/html; charset=iso-8859-1")
    assert read_thread(server.url_for("/latin.html"), web=web(tmp_path)).title == "Café"
    server.expect_request("/r/recipes/comments/abc123/soup").respond_with_data(latin.encode("latin-1"), content_type="text/html; charset=iso-8859-1")
    assert read_thread(server.url_for("/r/recipes/comments/abc123/soup"), web=web(tmp_path)).title == "Café"  # no .json there: the page
    api = server.url_for("/wp-json/")
    page = (f'<html><head><title>Toll</title><link rel="https://api.w.org/" href="{api}"></head><body class="postid-7">'
            "<article><h1>Toll</h1><p>The council doubled it.</p></article></body></html>")
    server.expect_request("/locked/").respond_with_data(page, content_type="text/html")
    server.expect_request("/wp-json/wp/v2/comments").respond_with_data('{"code": "rest_forbidden"}', status=401, content_type="application/json")
    locked = read_thread(server.url_for("/locked/"), web=web(tmp_path))
    assert locked.title == "Toll" and locked.comments == []
    for link in ("http://[x/", "http://example.com:abc/"):
        code, _, err = run(["extract", link, "--cache-dir", str(tmp_path / "web")], capsys)
        assert code == 6 and err.count("\n") == 1 and "not a usable link" in err


def test_a_wordpress_api_that_answers_every_page_alike_ends(server, tmp_path: Path) -> None:
    api = server.url_for("/wp-json/")
    page = (f'<html><head><title>Toll</title><link rel="https://api.w.org/" href="{api}"></head><body class="postid-7">'
            "<article><h1>Toll</h1><p>The council doubled it.</p></article></body></html>")
    server.expect_request("/same/").respond_with_data(page, content_type="text/html")
    hundred = [{"id": n, "parent": 0, "author_name": "R", "date_gmt": "2024-05-01T10:00:00", "content": {"rendered": f"<p>Number {n}.</p>"}}
               for n in range(100)]
    server.expect_request("/wp-json/wp/v2/comments").respond_with_json(hundred)
    assert len(read_thread(server.url_for("/same/"), web=web(tmp_path)).comments) == 100


def test_a_report_of_a_link(server, tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    seed = shared_file("examples/seed_article.txt")
    server.expect_request("/news/seed.txt").respond_with_data(seed.read_bytes(), content_type="text/plain")
    cache = tmp_path / "cache"
    import os

    os.environ["STANCE_CACHE"], before = str(cache), os.environ.get("STANCE_CACHE")
    try:
        code, _, err = run(["report", server.url_for("/news/seed.txt"), "--model", str(tiny_classifier_dir), "-o", str(tmp_path / "r.html")], capsys)
    finally:
        os.environ["STANCE_CACHE"] = before or ""
    assert code == 0, err
    assert "5 comments" in err and (cache / "web").is_dir()


def test_two_links_never_share_an_output_file() -> None:
    from stance.cli.classify import link_file_name

    names = {link_file_name(link) for link in ("http://a.org/x", "https://a.org/x", "https://a.org/item?id=1", "https://a.org/item/id/1",
                                               "https://a.org/" + "p" * 300 + "1", "https://a.org/" + "p" * 300 + "2")}
    assert len(names) == 6 and all(len(name) <= 130 and "/" not in name for name in names)
