"""`stance suggest` with the bundled model on real comments from ../shared, and one round of the loop:
Label Studio tasks written, labelled (the guesses accepted, one corrected), exported and trained on."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import shared_file, stance_cli

pytestmark = pytest.mark.e2e


def test_one_round_on_a_real_reddit_thread(tmp_path: Path) -> None:
    thread = shared_file("exports/reddit_thread.json")
    tasks_file = tmp_path / "round1.json"
    done = stance_cli("suggest", str(thread), "-n", "12", "-o", str(tasks_file))
    assert done.returncode == 0, done.stderr
    assert "12 comments to label in" in done.stderr
    tasks = json.loads(tasks_file.read_text())
    assert len(tasks) == 12 and len({t["data"]["text"] for t in tasks}) == 12
    assert all(t["data"]["target"] for t in tasks) and sum(bool(t["data"]["parent_text"]) for t in tasks) > 0  # replies come with their parent
    assert (tmp_path / "round1.label_config.xml").exists()

    annotations = []
    for i, task in enumerate(tasks, start=1):
        result = json.loads(json.dumps(task["predictions"][0]["result"]))
        if i == 1:
            result[0]["value"]["choices"] = ["mixed"]  # a correction
        annotations.append({"id": i, "data": task["data"], "annotations": [{"id": i, "result": result, "was_cancelled": False}]})
    export = tmp_path / "export.json"
    export.write_text(json.dumps(annotations), encoding="utf-8")
    model = tmp_path / "model1"
    done = stance_cli("train", str(export), "--init-from", "default", "-o", str(model), "--epochs", "1", "--compact")
    assert done.returncode == 0, done.stderr
    stored = json.loads((model / "stance.json").read_text())
    assert stored["labels"] == ["support", "oppose", "mixed", "neutral"]  # every label kept, though the round had fewer
    again = stance_cli("suggest", str(thread), "--model", str(model), "--exclude", str(export), "-n", "5", "-o", str(tmp_path / "round2.csv"))
    assert again.returncode == 0, again.stderr
    assert "12 labelled already" in again.stderr
    with open(tmp_path / "round2.csv", newline="", encoding="utf-8") as handle:
        second = [row["text"] for row in csv.DictReader(handle)]
    assert len(second) == 5 and not {t["data"]["text"] for t in tasks} & set(second)
