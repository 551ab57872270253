"""`stance suggest` and the loop it closes, end to end through the CLI with a tiny model: suggest, label
a few, train on them continuing the model, suggest again without the labelled ones."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run, write_jsonl

FAST = ["--epochs", "1", "--batch-size", "8", "--max-length", "32", "--precision", "fp32"]
WORDS = {"support": ("love", "positive"), "oppose": ("hate", "negative"), "neutral": ("when", "neutral"), "mixed": ("but", "mixed")}


@pytest.fixture(scope="module")
def four_label_model(tiny_base_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model with the four stance labels and a sentiment head, trained from the tiny base."""
    folder = tmp_path_factory.mktemp("suggest")
    rows = [{"text": f"I {word} the bridge toll {i}", "label": label, "sentiment": feeling, "target": "the toll"}
            for i in range(6) for label, (word, feeling) in WORDS.items()]
    model = folder / "m0"
    code = _train(["train", str(write_jsonl(folder / "all.jsonl", rows)), "-o", str(model), "--base-model", str(tiny_base_model),
                   "--sentiment-column", "sentiment", *FAST])
    assert code == 0
    return model


def _train(args: list[str]) -> int:
    from stance.cli import main

    try:
        main(args)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


@pytest.fixture
def comments(tmp_path: Path) -> Path:
    rows = [{"id": str(i), "text": f"Comment number {i} about the toll, {'great' if i % 2 else 'awful'} idea {i * 7}"} for i in range(30)]
    rows.append({"id": "copy", "text": rows[0]["text"].upper() + "!!"})
    return write_jsonl(tmp_path / "comments.jsonl", rows)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_suggest_label_train_and_suggest_again(four_label_model: Path, tiny_base_model: Path, comments: Path, tmp_path: Path, capsys) -> None:
    first = tmp_path / "round1.csv"
    code, _, err = run(["suggest", str(comments), "--model", str(four_label_model), "--target", "the toll", "-n", "8", "-o", str(first),
                        "--strategy", "diverse"], capsys)
    assert code == 0, err
    assert "30 comments (1 copies collapsed); choosing 8 by diverse" in err
    rows = read_csv(first)
    assert len(rows) == 8 and len({row["text"] for row in rows}) == 8
    assert list(rows[0]) == ["id", "target", "text", "parent_text", "source", "copies", "model_stance", "model_stance_confidence",
                             "model_sentiment", "model_sentiment_confidence", "uncertainty", "stance", "sentiment"]
    assert all(row["stance"] == row["sentiment"] == "" and row["model_stance"] in WORDS for row in rows)
    assert [float(row["uncertainty"]) for row in rows] == sorted((float(row["uncertainty"]) for row in rows), reverse=True)
    for i, row in enumerate(rows[:-1]):  # the last left blank: skipped, and said so; no mixed or neutral among them
        row["stance"] = "support" if "great" in row["text"] else "oppose"
        row["sentiment"] = "positive" if i % 2 else ""
    with open(first, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    model = tmp_path / "m1"
    code, _, err = run(["train", str(first), "--label-column", "stance", "--sentiment-column", "sentiment", "--init-from",
                        str(four_label_model), "--base-model", str(tiny_base_model), "-o", str(model), *FAST], capsys)
    assert code == 0, err
    assert f"skipped 1 rows with no label (first at {first}:9)" in err
    stored = json.loads((model / "stance.json").read_text())
    assert stored["labels"] == ["support", "oppose", "mixed", "neutral"]
    assert stored["heads"]["sentiment"]["labels"] == ["positive", "negative", "neutral", "mixed"]

    second = tmp_path / "round2.json"
    code, _, err = run(["suggest", str(comments), "--model", str(model), "--target", "the toll", "--exclude", str(first),
                        "-n", "100", "-o", str(second)], capsys)
    assert code == 0, err
    assert "8 labelled already" in err and "22 comments to label in" in err and "(only 22 not labelled yet; asked for 100)" in err
    tasks = json.loads(second.read_text())
    assert len(tasks) == 22 and not {t["data"]["text"] for t in tasks} & {row["text"] for row in rows}
    assert all(t["predictions"][0]["result"][0]["value"]["choices"][0] in WORDS for t in tasks)
    config = ET.parse(tmp_path / "round2.label_config.xml").getroot()
    assert [c.get("name") for c in config.iter("Choices")] == ["stance", "sentiment"]

    # Labelled in Label Studio (the guesses accepted as they were), exported, and trained on with round 1.
    export = tmp_path / "project-1-at-2026-12-06.json"
    export.write_text(json.dumps([
        {"id": i, "data": task["data"], "predictions": [i], "annotations": [
            {"id": i, "result": task["predictions"][0]["result"], "was_cancelled": False, "updated_at": "2026-12-06T10:00:00Z"}]}
        for i, task in enumerate(tasks[:6], start=1)
    ]), encoding="utf-8")
    code, _, err = run(["train", str(first), str(export), "--label-column", "stance", "--sentiment-column", "sentiment", "--init-from",
                        str(model), "--base-model", str(tiny_base_model), "-o", str(tmp_path / "m2"), *FAST], capsys)
    assert code == 0, err
    assert f"training stance and sentiment on 13 comments from {first}, {export}" in err


def test_suggest_bad_input_is_one_line_and_nonzero(four_label_model: Path, tiny_base_model: Path, comments: Path, tmp_path: Path, capsys) -> None:
    labelled = tmp_path / "typo.csv"
    labelled.write_text("text,stance\nGreat idea,support\nAwful idea,suport\n", encoding="utf-8")
    code, _, err = run(["train", str(labelled), "--label-column", "stance", "--init-from", str(four_label_model),
                        "--base-model", str(tiny_base_model), "-o", str(tmp_path / "m"), *FAST], capsys)
    assert code != 0 and err.strip().splitlines()[-1].startswith("stance: error: training data: labels")
    assert f"labels ['suport'] are not among the model's labels ['support', 'oppose', 'mixed', 'neutral'] (first at {labelled}:3)" in err
    base = ["suggest", str(comments), "--model", str(four_label_model), "--target", "t"]
    for args, message in [
        (["--strategy", "smart"], "'smart': expected one of diverse, uncertainty, random"),
        (["--precision", "int8"], "precision int8 gives labels only"),
        (["-f", "labelstudio"], "give -o NAME.json"),
        (["--exclude", str(tmp_path / "missing.csv")], "missing.csv"),
    ]:
        code, _, err = run([*base, *args], capsys)
        assert code != 0 and message in err, (args, err)
