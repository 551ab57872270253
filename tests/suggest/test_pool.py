"""The pool `stance suggest` chooses from: copies collapsed, targets resolved, labelled comments known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_jsonl

from stance.errors import InputError
from stance.suggest.pool import count_labelled, labelled_keys, read_pool, text_key


def test_text_key_sees_a_repost_with_another_link_or_more_punctuation_as_the_same_comment() -> None:
    assert text_key("Great plan!!! https://a.example/x") == text_key("great plan https://b.example/y")
    assert text_key("Great plan") != text_key("Great plans")
    assert text_key("!!! ...") == ""


def test_read_pool_collapses_copies_and_judges_each_comment_against_its_target(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "text": "Love it!", "target": "the bridge"},
        {"id": "2", "text": "love it", "target": "the bridge"},
        {"id": "3", "text": "Too expensive.", "target": "the tunnel"},
        {"id": "4", "text": "   "},
        {"id": "5", "text": "No target here"},
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    with pytest.raises(InputError, match=r"c.jsonl:5: no target to judge the comment against"):
        read_pool([str(path)])
    pool, copies = read_pool([str(path)], target="the plan")
    assert [(c.id, c.target, c.copies) for c in pool] == [("1", "the plan", 1), ("3", "the plan", 0), ("5", "the plan", 0)]
    assert copies == 1
    write_jsonl(path, rows[:3])
    pool, _ = read_pool([str(tmp_path)])  # a folder: every comment file in it
    assert [c.target for c in pool] == ["the bridge", "the tunnel"]


def test_a_page_gives_its_title_as_the_target_and_each_reply_its_parent(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Bridge Tolls Rise\n\nThe council raised tolls.\n\n2 Comments\n\nAnna\nGood.\n\nBen\nBad idea.\n", encoding="utf-8")
    pool, _ = read_pool([str(page)])
    assert [c.text for c in pool] == ["Good.", "Bad idea."]
    assert all(c.target.startswith("Bridge Tolls Rise") for c in pool)
    export = tmp_path / "thread.json"
    export.write_text(json.dumps([
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "p", "title": "Tolls", "selftext": "", "name": "t3_p"}}]}},
        {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {
            "id": "a", "name": "t1_a", "body": "First", "parent_id": "t3_p", "replies": {"kind": "Listing", "data": {"children": [
                {"kind": "t1", "data": {"id": "b", "name": "t1_b", "body": "A reply", "parent_id": "t1_a", "replies": ""}}]}}}}]}},
    ]), encoding="utf-8")
    pool, _ = read_pool([str(export)])
    assert [(c.text, c.parent_text) for c in pool] == [("First", ""), ("A reply", "First")]


def test_labelled_keys_reads_a_spreadsheet_or_a_label_studio_export(tmp_path: Path) -> None:
    sheet = tmp_path / "round1.csv"
    sheet.write_text("id,text,stance\n1,Love it!,support\n2,Too expensive,\n", encoding="utf-8")
    export = tmp_path / "export.json"
    choice = {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}}
    export.write_text(json.dumps([{"id": 7, "data": {"text": "Meh."}, "annotations": [{"id": 1, "result": [choice]}]},
                                  {"id": 8, "data": {"text": "Not labelled yet"}, "annotations": []}]), encoding="utf-8")
    keys = labelled_keys([str(sheet), str(export)])
    assert keys == {"love it", "too expensive", "meh"}
    pool, _ = read_pool([str(write_jsonl(tmp_path / "p.jsonl", [{"text": "LOVE IT"}, {"text": "new"}]))], target="t")
    assert count_labelled(pool, keys) == 1
    with pytest.raises(InputError, match="no comment in a 'body' column"):
        labelled_keys([str(sheet)], text_column="body")
