"""Coverage-guided fuzzing of the comment extractors with atheris (libFuzzer for Python).

Install the fuzzer with the package (atheris ships Linux wheels for CPython 3.8-3.12; elsewhere it
builds from source and needs clang):

    pip install -e ".[fuzz]"

Run one target, passing everything after ``--`` to libFuzzer:

    python -m scripts.fuzz_extract --target html -- -max_total_time=60
    python -m scripts.fuzz_extract --target xml -- -max_total_time=60
    python -m scripts.fuzz_extract --target sniff -- -max_total_time=60
    python -m scripts.fuzz_extract --target records -- -max_total_time=60

Targets (each input is decoded as stance decodes files: gzip undone, UTF-8 else Windows-1252):

    html   ``parse_html`` (saved web pages: markup, JSON-LD and script JSON, dates, counts)
    xml    ``parse_disqus`` and ``parse_wxr`` (Disqus and WordPress exports) and XML sniffing
    sniff  the entry point: ``read_thread`` on a file holding the bytes, named with no suffix, ``.json``,
           ``.xml`` or ``.gz`` (the first byte picks), so ``sniff_format`` chooses the parser; comment
           files it sniffs are also read by the streaming reader ``open_comments``
    records  comment files by name: ``.jsonl``, ``.csv``, ``.tsv``, ``.parquet``, ``.jsonl.gz``, ``.jsonl.zst``
           (the first byte picks), each read whole by ``read_thread`` and streamed by ``open_comments``

A StanceError is the extractor refusing bad input cleanly; any other exception is a crash: libFuzzer
prints the Python traceback, saves the input as ``crash-<sha1>`` in the crash folder and stops.
Reproduce one with ``python -m scripts.fuzz_extract --target html CRASH_FILE``.

The corpus starts from small built-in seeds plus the saved pages in ``../shared/pages`` (html,
sniff) and the exports in ``../shared/exports`` (xml, sniff) where that folder exists. Corpus and
crashes go to ``--work`` (default: ``$TMPDIR/stance-fuzz/<target>``), which a later run continues
from. Unless given after ``--``, libFuzzer gets ``-max_len=16384`` (the shared pages are cut there;
mutating 500 kB pages is slow), ``-timeout=30`` (a slower input is reported as a hang: look for
quadratic code) and a dictionary of the markup each target understands.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

with atheris.instrument_imports(include=["stance"]):
    from stance.errors import StanceError
    from stance.extract import STREAMED_FORMATS, open_comments, read_thread, sniff_format
    from stance.extract.exports import sniff_export
    from stance.extract.exports.disqus import parse_disqus
    from stance.extract.exports.wordpress import parse_wxr
    from stance.extract.html import parse_html
    from stance.io.inputs import decode_text

# --- seeds --------------------------------------------------------------------------------------

HTML_SEEDS = [
    """<!DOCTYPE html><html><head><title>Sunday buses</title><meta property="og:title" content="Sunday buses &amp; more">
</head><body><article><h1>Sunday buses</h1><p>Buses will run on Sundays from May.</p></article>
<div id="comments"><h2>3 Comments</h2><ol class="comment-list">
<li id="comment-11" class="comment"><article class="comment-body"><footer class="comment-meta">
<b class="fn">Priya</b> <span class="says">says:</span><time datetime="2024-04-02T09:15:00+00:00">April 2</time></footer>
<div class="comment-content"><p>Wonderful news.</p></div><div class="reply"><a>Reply</a></div></article>
<ol class="children"><li id="comment-12" class="comment"><cite>Tom</cite><div class="comment-content"><p>Not for villages.</p>
</div><span class="likes">12 likes</span></li></ol></li>
<li id="comment-13" class="pingback"><div class="comment-body">Pingback</div></li></ol></div></body></html>""",
    """<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Sunday buses", "commentCount": 2, "comment": [{"@type": "Comment", "@id": "#c1", "text": "<p>About time</p>",
"author": {"name": "Jo"}, "dateCreated": "2024-04-02T08:00:00Z", "upvoteCount": 3,
"comment": [{"@type": "Comment", "text": "Agreed.", "author": "Sam"}]}]}</script></head><body><p>Body.</p></body></html>""",
    """<html><body><p>Buses on Sundays.</p><script id="__NEXT_DATA__" type="application/json">{"props": {"comments": [
{"id": 7, "body": "Love it", "author": {"username": "lee"}, "likes": 5, "createdAt": "2024-01-01",
"replies": [{"id": 8, "body": "Same here", "author": "max"}]}, {"id": 9, "body": "Nope", "author": "ivy"}]}}</script>
</body></html>""",
    """<html><body><div class="block block--messages"><article class="message message--post" data-author="Rat" id="js-post-5">
<div class="message-content"><div class="bbWrapper">Best decision.</div></div><time datetime="2023-05-01">May 1</time></article>
<article class="message message--post" id="js-post-6"><div class="message-body">Who staffs it?</div>
<span class="date">May 30, 2019 at 5:38 PM</span></article></div></body></html>""",
    """<html><body><div class="comments"><div class="comment" data-depth="1"><span class="author">Ann</span>
<span>level 1</span><p>Good.</p><span>1.2k points</span></div><div class="comment" aria-level="2" itemscope
itemtype="https://schema.org/Comment"><span itemprop="author"><span itemprop="name">Bob</span></span>
<p itemprop="text">Bad.</p><meta itemprop="dateCreated" content="2020-01-01T00:00:00Z"></div>
<div class="comment"><div class="comment-meta"><a>3 June 2020</a></div><p>[deleted]</p><span class="score">-4</span></div>
</div></body></html>""",
]
DISQUS_SEED = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="100"><title>Cars banned</title></thread>
<post dsq:id="201"><message><![CDATA[<p>Finally! <b>quiet</b> &amp; safe.</p>]]></message>
<createdAt>2023-05-01T09:15:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
<author><name>Mira</name><username>mholt</username></author><thread dsq:id="100"/></post>
<post dsq:id="202"><message>Shops will lose.</message><isDeleted>true</isDeleted><author><username>s77</username></author>
<thread dsq:id="100"/><parent dsq:id="201"/></post></disqus>
"""
WXR_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Blog</title><item><title>Cars banned</title><content:encoded><![CDATA[<p>Only buses.</p>]]></content:encoded>
<wp:post_id>7</wp:post_id>
<wp:comment><wp:comment_id>31</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
<wp:comment_date_gmt>2023-05-02 10:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[<p>About <em>time</em></p>]]>
</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>
<wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>32</wp:comment_id><wp:comment_content>No.</wp:comment_content>
<wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>31</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>33</wp:comment_id><wp:comment_type>pingback</wp:comment_type></wp:comment>
</item></channel></rss>
"""
JSON_SEEDS = [
    json.dumps([
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "Cars &amp; buses", "selftext": "Hi",
                                                                           "num_comments": 4}}]}},
        {"kind": "Listing", "data": {"children": [
            {"kind": "t1", "data": {"id": "c1", "name": "t1_c1", "body": "Good", "author": "a", "parent_id": "t3_x",
                                    "score": 3, "created_utc": 1700000000.0, "replies": {"kind": "Listing", "data": {
                                        "children": [{"kind": "more", "data": {"count": 2, "children": ["c5"]}}]}}}},
            {"kind": "t1", "data": {"id": "c2", "body": "[deleted]", "parent_id": "t1_c1", "score_hidden": True}}]}},
    ]),
    json.dumps({"extractor": "youtube", "webpage_url": "https://y.example/v", "title": "Video", "description": "Desc",
                "comment_count": 2, "comments": [{"id": "a", "parent": "root", "text": "Nice", "like_count": 4,
                                                  "author": "@x", "timestamp": 1714550400},
                                                 {"id": "a.b", "parent": "a", "text": "No"}]}),
    json.dumps({"id": 1, "type": "story", "created_at": "2024-03-01T12:00:00Z", "title": "HN", "text": "Plan<p>Thoughts?",
                "children": [{"id": 2, "type": "comment", "created_at": "x", "author": "pg", "text": "Yes<p>see",
                              "children": [{"id": 3, "author": None, "text": None, "children": []}]}]}),
    json.dumps({"title": "Topic", "post_stream": {"stream": [1, 2, 3, 9], "posts": [
        {"id": 1, "post_number": 1, "cooked": "<p>Article</p>", "username": "op"},
        {"id": 2, "post_number": 2, "cooked": "<p>Yes</p>", "reply_to_post_number": 1,
         "actions_summary": [{"id": 2, "count": 7}]},
        {"id": 3, "post_number": 3, "cooked": "<p>No</p>", "reply_to_post_number": 2, "hidden": True, "like_count": 1},
        {"id": 4, "post_number": 4, "post_type": 3, "cooked": ""}]}}),
]
TEXT_SEEDS = [
    (
        "Town Hall Approves Late-Night Buses\nThe council agreed.\n3 Comments\nAnn Lee\nBrilliant.\nBob\nWho pays?\n"
        "That is not fair.\nAnn Lee\n@Bob drivers pay.\n"
    ),
    '{"text": "Great plan", "author": "ann", "id": 1, "likes": "3"}\n{"text": "No", "parent": 1}\n',
    "text,author,likes\n\"Yes, finally\",ann,3\nNo way,bob,\n",
]

RECORD_ROWS = [
    {"id": "c1", "text": "Buses on Sundays, finally.", "author": "Ann", "time": "2024-01-01T10:00:00Z", "parent": None,
     "likes": 3, "target": "Sunday buses", "language": "en"},
    {"id": "c2", "text": "Who pays for it?", "author": "Bob", "time": "1714550400", "parent": "c1", "likes": "12",
     "removed": False},
]
RECORD_NAMES = ["upload.jsonl", "upload.csv", "upload.tsv", "upload.parquet", "upload.jsonl.gz", "upload.jsonl.zst"]


def record_seeds() -> list[bytes]:
    """The two records as each kind of comment file, the first byte naming the file (``RECORD_NAMES``)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    jsonl = "".join(json.dumps(row) + "\n" for row in RECORD_ROWS).encode()
    columns = ["id", "text", "author", "time", "parent", "likes"]
    rows = [[str(row.get(column) or "") for column in columns] for row in RECORD_ROWS]
    csv_bytes = "\n".join(",".join(f'"{cell}"' for cell in row) for row in [columns, *rows]).encode()
    tsv_bytes = "\n".join("\t".join(row) for row in [columns, *rows]).encode()
    parquet = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([{k: None if v is None else str(v) for k, v in row.items()} for row in RECORD_ROWS]), parquet)
    kinds = [jsonl, csv_bytes, tsv_bytes, parquet.getvalue(), gzip.compress(jsonl), zstandard.ZstdCompressor().compress(jsonl)]
    return [bytes([index]) + content for index, content in enumerate(kinds)]


DICTIONARY = {
    "html": ['<div class="comment"', 'id="comment-1"', "</div>", "<li", "</li>", "<ol class=\"children\">", "</ol>", "<ul>",
             '<span class="author">', '<b class="fn">', "<cite>", "<time datetime=\"2024-01-01\">", '<span class="likes">',
             " likes", " points", "level 2", 'data-depth="2"', 'aria-level="1"', 'itemprop="text"', 'itemprop="author"',
             'itemtype="https://schema.org/Comment"', '<script type="application/ld+json">', "</script>",
             '<script type="application/json">', '{"@type": "Comment", "text": "', '"comment": [', '"author": "',
             '"body": "', '"replies": [', "3 Comments", "[deleted]", "<!--", "-->", "&amp;", "&#x", "<p>", "<br>",
             'class="comment-content"', 'class="comment-meta"', 'class="message"', "<article", "</article>", "<h2>"],
    "xml": ["<?xml version=\"1.0\"?>", '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">',
            "</disqus>", "<post", 'dsq:id="', "</post>", "<message>", "</message>", "<![CDATA[", "]]>", "<isDeleted>true",
            "<isSpam>true", "<author>", "<name>", "<username>", "<parent ", "<thread ", "<title>", "<createdAt>",
            '<rss xmlns:wp="http://wordpress.org/export/1.2/">', "</rss>", "<item>", "</item>", "<wp:comment>",
            "</wp:comment>", "<wp:comment_id>", "<wp:comment_parent>", "<wp:comment_content>", "<wp:comment_type>",
            "<wp:comment_approved>", "<wp:comment_date_gmt>", "<wp:post_id>", "<content:encoded>", "<!DOCTYPE",
            "<!ENTITY", "&amp;", "&#"],
    "sniff": ['{"kind": "Listing"', '"data": {"children": [', '"kind": "t1"', '"kind": "more"', '"extractor"',
              '"webpage_url"', '"comments": [', '"type": "story"', '"created_at"', '"children": [', '"post_stream"',
              '"posts": [', '"post_number"', '"text"', '"body"', '"author"', '"id"', '"parent"', "\\ud800", "<!DOCTYPE html>",
              "<html>", "<disqus xmlns=\"http://disqus.com\">", "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">",
              b"\x1f\x8b", "\n3 Comments\n", "text,author\n", "\r", b"\xef\xbb\xbf"],
    "records": ['"text": "', '"id": ', '"parent": "', '"author": ', '"time": ', '"likes": ', '"removed": true', '"target": ',
                '"language": ', "null", "1e999", "\\ud800", "text,id,parent\n", "text\tid\n", '"', '""', "\r\n", "PAR1",
                b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\x00", b"\xff\xff\xff\x7f", b"\xef\xbb\xbf"],
}


def seeds(target: str) -> list[bytes]:
    """The built-in seeds for a target, then the shared pages and exports that fit it."""
    found = {
        "html": HTML_SEEDS,
        "xml": [DISQUS_SEED, WXR_SEED],
        "sniff": [*HTML_SEEDS[:2], DISQUS_SEED, WXR_SEED, *JSON_SEEDS, *TEXT_SEEDS],
        "records": [],
    }[target]
    if target == "records":
        return record_seeds()
    data = [seed.encode("utf-8") for seed in found]
    if target == "sniff":  # the first byte names the file: 0 upload, 1 upload.json, 2 upload.xml, 3 upload.gz
        names = [0, 0, 2, 2, *[1] * len(JSON_SEEDS), *[0] * len(TEXT_SEEDS)]
        data = [bytes([name]) + seed for name, seed in zip(names, data)] + [b"\x03" + gzip.compress(HTML_SEEDS[0].encode())]
    folders = {"html": ["pages"], "xml": ["exports"], "sniff": ["pages", "exports"]}[target]
    for folder in folders:
        for path in sorted((SHARED / folder).glob("*")) if (SHARED / folder).is_dir() else []:
            if target == "xml" and path.suffix != ".xml" or path.suffix in (".tsv",) or path.name.startswith("GOLD"):
                continue
            content = path.read_bytes()
            data.append(bytes([_NAMES.index(_name_for(path))]) + content if target == "sniff" else content)
    return data


# --- the harnesses ------------------------------------------------------------------------------

_NAMES = ["upload", "upload.json", "upload.xml", "upload.gz"]


def _name_for(path: Path) -> str:
    return {".json": "upload.json", ".xml": "upload.xml", ".gz": "upload.gz"}.get(path.suffix, "upload")


def fuzz_html(data: bytes) -> None:
    parse_html(decode_text(data, "fuzz.html"), "fuzz.html")


def fuzz_xml(data: bytes) -> None:
    text = decode_text(data, "fuzz.xml")
    sniff_export(text)
    for parse in (parse_disqus, parse_wxr):
        try:
            parse(text, "fuzz.xml")
        except StanceError:
            pass


class FileHarness:
    """Write the input to a file named by its first byte (one of ``names``) and read it the way the command line
    does: whole, and streamed too where it is a comment file (always, for ``records``)."""

    def __init__(self, folder: Path, names: list[str], records: bool) -> None:
        self.paths = [folder / name for name in names]
        self.records = records

    def __call__(self, data: bytes) -> None:
        if not data:
            return
        path = self.paths[data[0] % len(self.paths)]
        path.write_bytes(data[1:])
        check(read_thread(path).comments)
        if self.records or sniff_format(str(path), decode_text(data[1:], str(path))) in STREAMED_FORMATS:
            check(list(open_comments(path)[1]))


def check(comments: list) -> None:
    """What every reader promises: str ids and texts that can be written out as UTF-8."""
    for comment in comments:
        if not isinstance(comment.id, str) or not isinstance(comment.text, str):
            raise TypeError(f"comment id {comment.id!r} or its text ({type(comment.text).__name__}) is not a str")
        comment.text.encode("utf-8")  # raises on a lone surrogate


def harness(target: str, folder: Path) -> Callable[[bytes], None]:
    records = target == "records"
    run = {"html": fuzz_html, "xml": fuzz_xml}.get(target) or FileHarness(folder, RECORD_NAMES if records else _NAMES, records)

    def test_one_input(data: bytes) -> None:
        try:
            run(data)
        except StanceError:
            pass  # a clean refusal; anything else propagates and libFuzzer reports a crash

    return test_one_input


def _escape(token: str | bytes) -> str:
    """A dictionary entry as libFuzzer reads it: printable ASCII as is, other bytes as \\xNN."""
    raw = token.encode("utf-8") if isinstance(token, str) else token
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\x{b:02x}" for b in raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], usage="%(prog)s --target {html,xml,sniff,records} [-- LIBFUZZER_ARGS]")
    parser.add_argument("--target", choices=("html", "xml", "sniff", "records"), required=True)
    parser.add_argument("--work", type=Path, help="corpus and crash folder (default: $TMPDIR/stance-fuzz/<target>)")
    args, rest = parser.parse_known_args()
    rest = [arg for arg in rest if arg != "--"]
    work = args.work or Path(tempfile.gettempdir()) / "stance-fuzz" / args.target
    corpus, crashes, scratch = work / "corpus", work / "crashes", work / "scratch"
    for folder in (corpus, crashes, scratch):
        folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds(args.target):
        (corpus / f"seed-{hashlib.sha1(seed).hexdigest()[:16]}").write_bytes(seed)
    dictionary = work / f"{args.target}.dict"
    dictionary.write_text("".join(f'"{_escape(token)}"\n' for token in DICTIONARY[args.target]))
    defaults = {"-max_len": "16384", "-timeout": "30", "-dict": str(dictionary), "-artifact_prefix": f"{crashes}/"}
    flags = [f"{flag}={value}" for flag, value in defaults.items() if not any(arg.startswith(flag + "=") for arg in rest)]
    corpus_args = [] if any(not arg.startswith("-") for arg in rest) else [str(corpus)]  # a crash file, or own corpus
    argv = [sys.argv[0], *flags, *rest, *corpus_args]
    print(f"fuzzing {args.target}: corpus {corpus}, crashes {crashes}", file=sys.stderr)
    atheris.Setup(argv, harness(args.target, scratch))
    atheris.Fuzz()


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
