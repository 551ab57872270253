"""The user's own columns survive `stance classify`: kept in every output format, and a column whose
name the results use (a gold ``label``) is kept under a new name rather than overwritten."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import read_jsonl, run, stance_cli, write_jsonl

from stance.core.labels import SENTIMENT_LABELS, STANCE_LABELS
from stance.io.outputs import kept_column_name

GOLD = [
    {"id": "a1", "text": "I love this plan, great idea", "label": "support", "context": "thread 1", "split": "dev"},
    {"id": "a2", "text": "A terrible idea, scrap it", "label": "oppose", "context": "thread 1", "split": "test"},
    {"id": "a3", "text": "When does it start?", "label": "neutral", "context": "thread 2", "split": "test"},
]


def test_a_gold_label_is_kept_beside_the_prediction_through_the_cli(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "gold.jsonl", GOLD)
    done = stance_cli("classify", str(source), "--model", str(tiny_classifier_dir), "--target", "the plan",
                      "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0, done.stderr
    written = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in written] == ["a1", "a2", "a3"]
    assert [r["input_label"] for r in written] == ["support", "oppose", "neutral"]  # the user's, untouched
    assert all(r["label"] in STANCE_LABELS and r["sentiment"] in SENTIMENT_LABELS for r in written)
    assert [(r["context"], r["split"]) for r in written] == [(g["context"], g["split"]) for g in GOLD]
    assert "label as input_label" in done.stderr


def test_csv_in_csv_out_keeps_every_column(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "gold.csv"
    with source.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=["body", "label", "text", "split"])
        writer.writeheader()
        writer.writerows({"body": g["text"], "label": g["label"], "text": f"note {i}", "split": g["split"]} for i, g in enumerate(GOLD))
    code, _, err = run(["classify", str(source), "--model", str(tiny_classifier_dir), "--text-column", "body",
                        "--target", "the plan", "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 0, err
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        written = list(csv.DictReader(stream))
    assert [r["text"] for r in written] == [g["text"] for g in GOLD]  # the mapped column, under our name
    assert [r["input_text"] for r in written] == ["note 0", "note 1", "note 2"]  # theirs, which that name would hide
    assert [r["input_label"] for r in written] == [g["label"] for g in GOLD]
    assert [r["split"] for r in written] == [g["split"] for g in GOLD]


def test_parquet_in_parquet_out_keeps_the_columns_and_their_types(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    table = pa.table({"text": [g["text"] for g in GOLD], "label": [g["label"] for g in GOLD],
                      "gold_id": pa.array([7, 8, 9], pa.int32()), "weight": [0.5, 1.0, None]})
    pq.write_table(table, tmp_path / "gold.parquet")
    code, _, err = run(["classify", str(tmp_path / "gold.parquet"), "--model", str(tiny_classifier_dir),
                        "--target", "the plan", "-o", str(tmp_path / "out.parquet")], capsys)
    assert code == 0, err
    written = pq.read_table(tmp_path / "out.parquet")
    assert pa.types.is_integer(written.schema.field("gold_id").type)  # typed by its values: int32 comes back int64
    assert written.column("gold_id").to_pylist() == [7, 8, 9]
    assert written.column("weight").to_pylist() == [0.5, 1.0, None]
    assert written.column("input_label").to_pylist() == [g["label"] for g in GOLD]
    assert set(written.column("label").to_pylist()) <= set(STANCE_LABELS)


def test_columns_that_vary_between_records_need_jsonl(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    rows = [{"text": "Fine by me", "a": 1}, {"text": "Not for me", "b": {"nested": [1, 2]}}]
    source = write_jsonl(tmp_path / "varied.jsonl", rows)
    options = ["--model", str(tiny_classifier_dir), "--target", "the plan"]
    code, _, err = run(["classify", str(source), *options, "-o", str(tmp_path / "out.csv")], capsys)
    assert code != 0 and "record 2 has columns the first records had not (b)" in err and "JSON Lines" in err
    assert not (tmp_path / "out.csv").exists()
    code, _, err = run(["classify", str(source), *options, "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 0, err
    assert [(r.get("a"), r.get("b")) for r in read_jsonl(tmp_path / "out.jsonl")] == [(1, None), (None, {"nested": [1, 2]})]


def test_nested_values_go_into_csv_as_json(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    source = write_jsonl(tmp_path / "nested.jsonl", [{"text": "Fine by me", "meta": {"votes": [3, 4]}}])
    code, _, err = run(["classify", str(source), "--model", str(tiny_classifier_dir), "--target", "the plan",
                        "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 0, err
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        assert json.loads(next(csv.DictReader(stream))["meta"]) == {"votes": [3, 4]}


def test_kept_column_names() -> None:
    assert kept_column_name("split") == "split"
    assert kept_column_name("label") == "input_label"
    assert kept_column_name("sentiment_score_mixed") == "input_sentiment_score_mixed"
    assert kept_column_name("source") == "input_source"  # a comment field the output writes
    assert kept_column_name("label", ["label", "input_label"]) == "input_input_label"  # theirs too is kept
    assert kept_column_name("input_label", ["label", "input_label"]) == "input_label"


def test_extract_keeps_the_columns_too_renaming_only_what_a_comment_field_holds(tmp_path: Path, capsys) -> None:
    source = write_jsonl(tmp_path / "gold.jsonl", [dict(row, language="English") for row in GOLD])
    code, _, err = run(["extract", str(source), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 0, err
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        written = list(csv.DictReader(stream))
    assert [(r["label"], r["context"], r["input_language"]) for r in written] == [(g["label"], g["context"], "English") for g in GOLD]
    assert "English" not in {r["language"] for r in written}  # the detected language (en, or empty where too short)


def test_a_language_code_written_by_classify_is_kept_not_told_again(tmp_path: Path) -> None:
    from stance.extract import open_comments

    rows = [{"text": "This is plainly an English sentence about the bridge toll.", "language": "de"},
            {"text": "This is plainly an English sentence about the bridge toll.", "language": "German"}]
    _, comments = open_comments(write_jsonl(tmp_path / "labelled.jsonl", rows))
    first, second = list(comments)
    assert first.language == "de" and not (first.extra or {})
    assert second.language == "en" and second.extra == {"language": "German"}  # not a code: the user's column, kept
