"""Property tests: whatever a file holds, reading it gives a thread or a StanceError, nothing else; and the inputs
that once crashed a reader (found by scripts/fuzz_extract.py, kept in fuzz_crashes/) now read cleanly.

For every input format, ``read_thread`` is fed random text and documents built from small valid
fixtures and then mutated (fields retyped, removed or added, markup cut, duplicated or spliced in).
It must return a :class:`Thread` whose comments have ``str`` ids and texts that can be written out as
UTF-8, or raise :class:`StanceError` (which the command line turns into one line and an exit code).
The streamed reader of comment files (``open_comments``) is held to the same.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import FIXTURES as EXPORTS
from samples import PAGE, SPIP, STACKEXCHANGE, WORDPRESS, XENFORO

from stance.core.thread import Comment, Thread
from stance.errors import StanceError
from stance.extract import INPUT_FORMATS, STREAMED_FORMATS, open_comments, read_thread

SETTINGS = settings(
    max_examples=int(os.environ.get("STANCE_FUZZ_EXAMPLES", "60")),  # raise it for a longer hunt
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)

JSON_LD_PAGE = """<html><head><title>Sunday buses</title><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Sunday buses", "commentCount": 2,
 "comment": [{"@type": "Comment", "@id": "#c1", "text": "<p>About <b>time</b>!</p>", "author": {"name": "Jo"},
   "dateCreated": "2024-04-02T08:00:00Z", "upvoteCount": 3,
   "comment": [{"@type": "Comment", "text": "Agreed.", "author": "Sam"}]}]}
</script></head><body><article><p>Buses will run on Sundays from May.</p></article></body></html>"""
SCRIPT_PAGE = """<html><body><article><p>Buses will run on Sundays from May.</p></article>
<script id="__NEXT_DATA__" type="application/json">{"props": {"comments": [
 {"id": 7, "body": "Love it", "author": {"username": "lee"}, "likes": 5, "createdAt": "2024-01-01",
  "replies": [{"id": 8, "body": "Same here", "author": "max"}]},
 {"id": 9, "body": "Nope", "author": "ivy", "parentId": 7}]}}</script></body></html>"""
LEVEL_PAGE = """<html><body><h1>Sunday buses</h1><h2>3 Comments</h2><div class="comments">
<div class="comment" data-depth="1"><span class="author">Ann</span><span>level 1</span><p>Good.</p><span>1.2k likes</span></div>
<div class="comment" aria-level="2"><cite>Bob</cite><p>Bad.</p><span class="date">May 30, 2019 at 5:38 PM</span></div>
<div class="comment"><div class="comment-meta"><a>3 June 2020</a></div><p>Meh.</p><span class="score">-4</span></div>
</div></body></html>"""

HTML_SEEDS = [WORDPRESS, XENFORO, STACKEXCHANGE, SPIP, JSON_LD_PAGE, SCRIPT_PAGE, LEVEL_PAGE]
RECORD = {"id": "c1", "text": "Buses on Sundays, finally.", "author": "Ann", "time": "2024-01-01T10:00:00Z",
          "parent": None, "likes": 3, "target": "Sunday buses"}

# Pieces that mean something to the parsers, spliced into markup and text.
MARKUP_TOKENS = {
    "html": [
        '<div class="comment" id="comment-9">', "</div>", "<ol class=\"children\"><li>", "</li></ol>", '<span class="likes">',
        "99999999999999999999 likes", "1.2.3 likes", "level 7", '<time datetime="2024-13-45">', "<cite>", "</cite>",
        '<script type="application/ld+json">', "</script>", '{"@type": "Comment", "text": 5}', '[{"body": "x", "author": 1}]',
        'data-depth="\u00b2"', 'itemtype="https://schema.org/Comment"', "<!--", "-->", "&#xd800;", "&#0;", "\x0c", "<p>", "<br>",
        '<div class="comment-content">', "12 Comments", '<a id="c1"></a>', "<table><tr><td>", "<svg>", "<?xml?>",
    ],
    "xml": [
        "<post>", "</post>", '<post dsq:id="9">', '<parent dsq:id="201"/>', '<thread dsq:id="100"/>', "<message>", "</message>",
        "<![CDATA[<p>hi</p>]]>", "<isDeleted>true</isDeleted>", "<isSpam>true</isSpam>", "<author><name>", "</name></author>",
        "<wp:comment>", "</wp:comment>", "<wp:comment_id>5</wp:comment_id>", "<wp:comment_parent>31</wp:comment_parent>",
        "<wp:comment_content>", "</wp:comment_content>", "<wp:comment_type>pingback</wp:comment_type>", "<item>", "</item>",
        "<wp:post_id>7</wp:post_id>", "<!DOCTYPE d [<!ENTITY e 'x'>]>", "&e;", "&amp;", "&#1;", "<?pi x?>", 'xmlns:x="y"',
        "0000-00-00 00:00:00", "2023-05-02 10:00:00",
    ],
    "text": ["\n3 Comments\n", "\n99999999999999999999999 comments\n", "\nAnn Lee\n", "\nBob\n", "\n", "\n\n", "- ", "Mr. K.",
             "That is not fair at all.", "\u2028", "\r\n", "Comments:", "1,000 Replies"],
}
JSON_KEYS = [
    "kind", "data", "children", "replies", "id", "name", "body", "text", "author", "parent", "parent_id", "score", "count",
    "created_utc", "score_hidden", "title", "selftext", "num_comments", "extractor", "webpage_url", "comments", "timestamp",
    "like_count", "comment_count", "type", "created_at", "points", "post_stream", "posts", "stream", "post_number", "cooked",
    "reply_to_post_number", "post_type", "user_deleted", "deleted_at", "hidden", "actions_summary", "username", "likes",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["Listing", "t1", "t3", "more", "root", "story", "comment", "[deleted]", "t1_c1", "\ud800", ""])
    | st.sampled_from([10**400, 2**63, -1, 0, 1, 3, 1e308, 1e999]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def file_for(folder: Path, fmt: str, content: str | bytes, suffix: str = "") -> Path:
    path = folder / f"input-{fmt}{suffix}"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(content)
    return path


def assert_well_formed(comments: list[Comment]) -> None:
    for comment in comments:
        assert isinstance(comment.id, str) and isinstance(comment.text, str)
        # Whatever was read can be written out: no lone surrogates from JSON escapes.
        f"{comment.id}{comment.text}{comment.author or ''}{comment.parent or ''}".encode("utf-8")


def assert_reads_cleanly(path: Path, fmt: str | None, *, utf8: bool = True) -> Thread | None:
    """The property: a Thread of well-formed comments, or a StanceError.

    Comment files are also read by the streaming reader, which must agree with ``read_thread`` where
    the file is UTF-8 (elsewhere it decodes line by line, so texts may legitimately differ).
    """
    try:
        thread = read_thread(path, fmt)
    except StanceError:
        thread = None
    else:
        assert isinstance(thread, Thread)
        assert_well_formed(thread.comments)
    if fmt in STREAMED_FORMATS:
        try:
            _, comments = open_comments(path, fmt)
            streamed = list(comments)
        except StanceError as err:
            assert thread is None or not utf8, f"open_comments failed where read_thread read the file: {err}"
        else:
            assert_well_formed(streamed)
            if utf8:
                assert thread is not None, "open_comments read a file that read_thread refused"
                assert [c.to_dict() for c in streamed] == [c.to_dict() for c in thread.comments]
    return thread


# --- random content -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [*INPUT_FORMATS, "sniff"])
@SETTINGS
@given(content=st.text())
def test_random_text_reads_or_fails_cleanly(fmt: str, content: str, folder: Path) -> None:
    assert_reads_cleanly(file_for(folder, fmt, content), None if fmt == "sniff" else fmt)


@SETTINGS
@given(content=st.binary(), fmt=st.sampled_from([*INPUT_FORMATS, None]), suffix=st.sampled_from(["", ".json", ".xml", ".gz", ".html"]))
def test_random_bytes_read_or_fail_cleanly(content: bytes, fmt: str | None, suffix: str, folder: Path) -> None:
    assert_reads_cleanly(file_for(folder, "bytes", content, suffix), fmt, utf8=False)


# --- mutated documents --------------------------------------------------------------------------


def _positions(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON document, without recursion."""
    found, stack = [], [data]
    while stack:
        node = stack.pop()
        keys = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
        for key in keys:
            found.append((node, key))
            stack.append(node[key])
    return found


@st.composite
def mutated_json(draw: st.DrawFn, document: Any) -> str:
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        positions = _positions(data)
        if not positions:
            break
        container, key = draw(st.sampled_from(positions))
        action = draw(st.sampled_from(["replace", "delete", "add", "empty", "duplicate"]))
        if action == "replace":
            container[key] = draw(JSON_VALUES)
        elif action == "delete":
            del container[key]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(JSON_KEYS))] = draw(JSON_VALUES)
        elif action == "empty":
            container[key] = type(container[key])() if isinstance(container[key], (dict, list, str)) else None
        elif action == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    text = json.dumps(data)  # NaN and Infinity become the tokens json.loads reads back
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def mutated_text(draw: st.DrawFn, seeds: list[str], tokens: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 300)))
        piece = draw(st.sampled_from(tokens) | st.text(max_size=12))
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "replace", "truncate"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "insert":
            text = text[:start] + piece + text[start:]
        elif action == "duplicate":
            text = text[:end] + text[start:end] * draw(st.integers(1, 3)) + text[end:]
        elif action == "replace":
            text = text[:start] + piece + text[end:]
        else:
            text = text[:end]
    return text


@st.composite
def comment_table(draw: st.DrawFn, delimiter: str) -> str:
    columns = draw(st.lists(st.sampled_from(["text", "id", "author", "time", "parent", "likes", "target", "body", ""]),
                            min_size=1, max_size=5, unique=True))
    cell = st.text(max_size=15) | st.sampled_from(["", "3", "-1", "1e999", "99999999999999999999", "\"", "\n", "a,b", "\t"])
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(columns) + 1), max_size=5))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    return draw(mutated_text([text], ["\n", '"', delimiter, "\r", "\x00", "text"])) if draw(st.booleans()) else text


@st.composite
def comment_lines(draw: st.DrawFn) -> str:
    lines = [draw(mutated_json(RECORD)) for _ in range(draw(st.integers(1, 4)))]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "   ", "[1]", "{", "null", "\"x\"", "\ufeff{}"])))
    return "\n".join(lines)


def mutated(fmt: str) -> st.SearchStrategy[str]:
    if fmt in ("reddit", "ytdlp", "hackernews", "discourse"):
        return mutated_json(json.loads(EXPORTS[fmt]))
    if fmt in ("disqus", "wxr"):
        return mutated_text([EXPORTS[fmt]], MARKUP_TOKENS["xml"])
    if fmt == "html":
        return mutated_text(HTML_SEEDS, MARKUP_TOKENS["html"])
    if fmt == "text":
        return mutated_text([PAGE], MARKUP_TOKENS["text"])
    if fmt == "jsonl":
        return comment_lines()
    return comment_table("\t" if fmt == "tsv" else ",")


@pytest.mark.parametrize("fmt", INPUT_FORMATS)
@SETTINGS
@given(data=st.data())
def test_mutated_documents_read_or_fail_cleanly(fmt: str, data: st.DataObject, folder: Path) -> None:
    content = data.draw(mutated(fmt), label="content")
    path = file_for(folder, fmt, content)
    assert_reads_cleanly(path, fmt)
    assert_reads_cleanly(path, None)  # and as sniffed


@pytest.mark.parametrize("fmt", [fmt for fmt in INPUT_FORMATS if fmt != "parquet"])  # binary: see test_reading
def test_the_unmutated_fixtures_give_comments(fmt: str, folder: Path) -> None:
    """The seeds the mutations start from are valid, so the mutated tests start from real documents."""
    seeds = {"html": WORDPRESS, "text": PAGE, "jsonl": json.dumps(RECORD), "csv": "text,author\nHello,Ann\n",
             "tsv": "text\tauthor\nHello\tAnn\n"}
    thread = assert_reads_cleanly(file_for(folder, fmt, seeds.get(fmt) or EXPORTS[fmt]), fmt)
    assert thread is not None and thread.comments


CRASHES = Path(__file__).parent / "fuzz_crashes"


@pytest.mark.parametrize("path", sorted(CRASHES.iterdir()), ids=lambda path: path.name)
def test_inputs_that_once_crashed_a_reader_now_read_or_fail_cleanly(path: Path) -> None:
    """Each file scripts/fuzz_extract.py found crashing a reader, kept under the name it was read by: read whole
    (its format sniffed) and, where it is a comment file, streamed, as the fuzzer read it."""
    assert_reads_cleanly(path, None, utf8=False)
    if path.suffix in (".csv", ".parquet"):
        try:
            assert_well_formed(list(open_comments(path)[1]))
        except StanceError:
            pass  # a clean refusal
