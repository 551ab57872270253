"""Reading pages and comment files into threads."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import shared_file
from samples import PAGE

from stance.errors import InputError
from stance.extract import read_thread


def test_plaintext_page_splits_article_and_multiline_comments(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    thread = read_thread(path)
    assert thread.title == "Town Hall Approves Late-Night Buses"
    assert thread.body.startswith("The council agreed")
    assert thread.declared_count == 3
    assert [c.author for c in thread.comments] == ["Ann Lee", "Bob", "Ann Lee"]
    assert thread.comments[1].text.count("\n") == 2
    assert thread.comments[2].source == f"{path}:11"
    assert thread.default_target() == (
        "Town Hall Approves Late-Night Buses. The council agreed to run buses until 2am on weekends."
    )


def test_seed_page_has_five_comments_by_known_authors() -> None:
    thread = read_thread(shared_file("examples/seed_article.txt"))
    assert [c.author for c in thread.comments] == ["Donatello", "Raphael", "Donatello", "Raphael", "Donatello"]
    assert thread.title == "Historic Partnership Strengthens Cyber Defenses"
    assert all("Comments" not in c.text for c in thread.comments)
    assert thread.comments[4].text.startswith("The focus on supply chain") and thread.comments[4].text.endswith("defensive.")


def test_plaintext_pasted_without_count_line_finds_the_trailing_comments(tmp_path: Path) -> None:
    path = tmp_path / "no_header.txt"
    path.write_text(PAGE.replace("3 Comments\n", ""), encoding="utf-8")
    thread = read_thread(path)
    assert thread.declared_count is None
    assert thread.body.startswith("The council agreed") and thread.body.endswith("parking budget.")
    assert [(c.author, c.text.count("\n")) for c in thread.comments] == [("Ann Lee", 0), ("Bob", 2), ("Ann Lee", 0)]


def test_plaintext_without_comments_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "no_comments.txt"
    path.write_text("Just an article\nwith no comments section\n", encoding="utf-8")
    with pytest.raises(InputError, match="no_comments.txt: found no comments"):
        read_thread(path)


def test_jsonl_comments_with_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    rows = [{"body": "Great idea", "user": "x", "id": 7, "target": "the plan"}, {"body": "Bad idea"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    thread = read_thread(path, columns={"text": "body", "author": "user"})
    assert [c.text for c in thread.comments] == ["Great idea", "Bad idea"]
    assert thread.comments[0].id == "7" and thread.comments[0].author == "x"
    assert thread.comments[0].target == "the plan" and thread.comments[1].target is None
    assert thread.comments[1].source == f"{path}:2"


def test_csv_comments_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress(b"text,likes\n\"Yes, finally\",3\nNo way,\n"))
    thread = read_thread(path)
    assert [(c.text, c.likes) for c in thread.comments] == [("Yes, finally", 3), ("No way", None)]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad.jsonl", b'{"text": "ok"}\n{"text": broken}\n', r"bad.jsonl:2: not valid JSON"),
        ("list.jsonl", b'["text"]\n', r"list.jsonl:1: expected a JSON object"),
        ("nocol.jsonl", b'{"body": "hi"}\n', r"nocol.jsonl:1: no 'text' column \(found: body\)"),
        ("bin.txt", b"\x00\x01\x02binary", r"bin.txt: looks like a binary file"),
        ("empty.txt", b"   \n", r"empty.txt: the file is empty"),
        ("broken.txt.gz", b"\x1f\x8b\x08\x00garbage", r"broken.txt.gz: the gzip data is corrupt"),
    ],
)
def test_bad_inputs_raise_input_error_naming_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_thread(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.txt: cannot read"):
        read_thread(tmp_path / "nope.txt")


def test_windows_1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "cp.txt"
    path.write_bytes("Caf\u00e9 opens\n1 Comment\nZo\u00eb\nNa\u00efve but fine\n".encode("cp1252"))
    thread = read_thread(path)
    assert thread.comments[0].author == "Zo\u00eb" and thread.title == "Caf\u00e9 opens"


def test_short_comment_lines_are_not_taken_for_authors(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("Title\n3 Comments\nAnn\nWell said\nGood point\nBob\nI disagree with all of it.\nAnn\nWhy?\n", encoding="utf-8")
    thread = read_thread(path)
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Ann", "Well said\nGood point"), ("Bob", "I disagree with all of it."), ("Ann", "Why?"),
    ]


def test_jsonl_text_may_hold_unicode_line_separators(tmp_path: Path) -> None:
    path = tmp_path / "sep.jsonl"
    path.write_text(json.dumps({"text": "one\u2028two", "author": 42}, ensure_ascii=False) + "\n", encoding="utf-8")
    [comment] = read_thread(path).comments
    assert comment.text == "one\u2028two" and comment.author == "42"


def _reddit_thread(replies: int) -> list[dict]:
    """A Reddit thread export with ``replies`` top-level comments."""
    post = {"kind": "t3", "data": {"id": "p1", "name": "t3_p1", "title": "Council bans cars", "selftext": "From Sunday.",
                                   "num_comments": replies, "author": "op", "created_utc": 1_700_000_000}}
    comments = [
        {"kind": "t1", "data": {"id": f"c{i}", "name": f"t1_c{i}", "parent_id": "t3_p1", "body": f"Comment {i}: " + "words " * 40,
                                "author": f"user{i}", "created_utc": 1_700_000_100 + i, "score": 1, "replies": ""}}
        for i in range(replies)
    ]
    return [{"kind": "Listing", "data": {"children": [post]}}, {"kind": "Listing", "data": {"children": comments}}]


@pytest.mark.parametrize("indent", [2, None])  # pretty-printed, and all on one line
@pytest.mark.parametrize("name", ["thread.json", "thread-export"])
def test_exports_larger_than_the_sniffed_head_are_recognised(tmp_path: Path, indent: int | None, name: str) -> None:
    from stance.extract import open_comments

    path = tmp_path / name
    path.write_text(json.dumps(_reddit_thread(400), indent=indent), encoding="utf-8")
    assert path.stat().st_size > 128 * 1024  # well past the 64 KiB head
    thread, comments = open_comments(path)
    assert thread.title == "Council bans cars"
    assert [c.author for c in comments] == [f"user{i}" for i in range(400)]


def test_jsonl_without_a_suffix_whose_first_record_is_long_is_still_read(tmp_path: Path) -> None:
    from stance.extract import open_comments

    path = tmp_path / "dump"
    rows = [{"text": "x" * 100_000, "id": "long"}, {"text": "short", "id": "2"}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    _, comments = open_comments(path)
    assert [c.id for c in comments] == ["long", "2"]


def test_a_file_too_large_to_read_whole_names_the_limit_and_the_streamed_formats(tmp_path: Path, monkeypatch) -> None:
    import stance.extract
    import stance.io.inputs

    monkeypatch.setattr(stance.io.inputs, "MAX_INPUT_BYTES", 100 * 1024)
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(_reddit_thread(400)), encoding="utf-8")
    with pytest.raises(InputError, match=r"thread\.json: larger than 0 MiB, the most a page or export is read whole; .*JSONL"):
        stance.extract.open_comments(path)


# --- zstd and Parquet ---------------------------------------------------------------------------


def _jsonl(n: int) -> bytes:
    return "".join(json.dumps({"id": f"c{i}", "text": f"comment number {i}"}) + "\n" for i in range(n)).encode()


def test_zstd_comment_files_are_read_frame_after_frame_and_streamed(tmp_path: Path) -> None:
    import zstandard

    from stance.extract import open_comments

    data = _jsonl(300)
    packer = zstandard.ZstdCompressor(write_content_size=False)
    path = tmp_path / "dump.jsonl.zst"
    path.write_bytes(packer.compress(data[:5000]) + packer.compress(data[5000:]))  # two frames, as pzstd writes
    whole = read_thread(path)
    _, streamed = open_comments(path)
    assert [c.id for c in whole.comments] == [c.id for c in streamed] == [f"c{i}" for i in range(300)]
    assert whole.comments[299].source == f"{path}:300"


@pytest.mark.parametrize("damage", ["cut", "corrupt"])
def test_a_cut_or_corrupt_zstd_file_is_an_input_error_not_a_shorter_file(tmp_path: Path, damage: str) -> None:
    import zstandard

    packed = zstandard.ZstdCompressor().compress(_jsonl(200))
    path = tmp_path / "dump.jsonl.zst"
    path.write_bytes(packed[:-40] if damage == "cut" else packed[:4] + b"\x00" * 20 + packed[24:])
    with pytest.raises(InputError, match=r"dump\.jsonl\.zst: the zstd data is (cut short|corrupt)"):
        read_thread(path)


def test_parquet_comment_files_map_columns_and_read_timestamps_as_iso(tmp_path: Path) -> None:
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    from stance.extract import open_comments

    rows = [{"body": f"comment {i}", "by": f"user{i}", "created": datetime.datetime(2019, 1, 2, 3, 4, i), "score": i}
            for i in range(5)]
    path = tmp_path / "comments.data"  # no suffix: the format is told by the file's first bytes
    pq.write_table(pa.Table.from_pylist(rows), path)
    columns = {"text": "body", "author": "by", "time": "created", "likes": "score"}
    thread = read_thread(path, columns=columns)
    assert [(c.text, c.author, c.time, c.likes, c.source) for c in thread.comments][4] == (
        "comment 4", "user4", "2019-01-02T03:04:04", 4, f"{path}:5"
    )
    assert [c.to_dict() for c in open_comments(path, columns=columns)[1]] == [c.to_dict() for c in thread.comments]
    with pytest.raises(InputError, match=r"no 'text' column \(found: body, by, created, score\)"):
        read_thread(path)


def test_a_file_that_is_not_parquet_read_as_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "comments.parquet"
    path.write_text('{"text": "hello"}\n')
    with pytest.raises(InputError, match=r"comments\.parquet: not a readable Parquet file"):
        read_thread(path)


def test_parquet_packed_in_gzip_is_refused_with_what_to_do(tmp_path: Path) -> None:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from stance.extract import open_comments

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([{"text": "hello"}]), buffer)
    path = tmp_path / "comments.parquet.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()))
    for read in (read_thread, open_comments):
        with pytest.raises(InputError, match="Parquet packed in gzip or zstd"):
            read(path)
