"""Label Studio's formats: the tasks and labelling config written for import, and its exports read back
for training. The export below is shaped as Label Studio 1.x writes its JSON export (fields as in its
documentation's example), for tasks imported from `stance suggest`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stance.errors import DataError, InputError
from stance.io.labelstudio import export_rows, label_studio_task, labelling_config, write_tasks
from stance.training.data import load_labelled

TASKS = {"stance": ["support", "oppose", "mixed", "neutral"], "sentiment": ["positive", "negative", "neutral", "mixed"]}


def test_the_labelling_config_names_a_single_choice_control_per_task_over_the_comment() -> None:
    view = ET.fromstring(labelling_config(TASKS))
    texts = {tag.get("name"): tag.get("value") for tag in view.iter("Text")}
    assert texts == {"target": "$target", "parent": "$parent_text", "text": "$text"}
    controls = {tag.get("name"): (tag.get("toName"), tag.get("choice"), [c.get("value") for c in tag.iter("Choice")]) for tag in view.iter("Choices")}
    assert controls == {task: ("text", "single", labels) for task, labels in TASKS.items()}


def test_a_task_carries_the_models_guesses_as_a_pre_annotation(tmp_path: Path) -> None:
    task = label_studio_task({"id": "c1", "text": "Nice", "target": "t"}, {"stance": ("support", 0.8), "sentiment": ("positive", 0.6)}, "m1", 3)
    assert task["data"] == {"id": "c1", "text": "Nice", "target": "t"}
    [prediction] = task["predictions"]
    assert prediction["model_version"] == "m1" and prediction["score"] == 0.6
    assert prediction["result"] == [
        {"id": "3-stance", "from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["support"]}},
        {"id": "3-sentiment", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["positive"]}},
    ]
    config = write_tasks(tmp_path / "to_label.json", [task], labelling_config(TASKS))
    assert config == tmp_path / "to_label.label_config.xml" and config.read_text().startswith("<View>")
    assert json.loads((tmp_path / "to_label.json").read_text()) == [task]


def annotation(number: int, stance: str | None, sentiment: str | None, *, updated: str = "2026-12-01T10:00:00Z", cancelled: bool = False) -> dict:
    result = [{"value": {"choices": [label]}, "id": f"r{number}{task}", "from_name": task, "to_name": "text", "type": "choices", "origin": "manual"}
              for task, label in (("stance", stance), ("sentiment", sentiment)) if label]
    return {"id": number, "completed_by": 1, "result": result, "was_cancelled": cancelled, "ground_truth": False,
            "created_at": updated, "updated_at": updated, "draft_created_at": None, "lead_time": 4.2, "prediction": {},
            "result_count": 0, "unique_id": f"u{number}", "import_id": None, "last_action": None, "task": number, "project": 3,
            "updated_by": 1, "parent_prediction": 10 + number, "parent_annotation": None, "last_created_by": None}


def exported_task(number: int, text: str, annotations: list[dict]) -> dict:
    return {"id": number, "annotations": annotations, "file_upload": "to_label.json", "drafts": [], "predictions": [10 + number],
            "data": {"id": f"c{number}", "target": "Bridge tolls", "text": text, "parent_text": "", "source": "page.html", "copies": 0,
                     "model_stance": "support", "model_stance_confidence": 0.5, "uncertainty": 0.9},
            "meta": {}, "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "inner_id": number,
            "total_annotations": len(annotations), "cancelled_annotations": 0, "total_predictions": 1, "comment_count": 0,
            "unresolved_comment_count": 0, "last_comment_updated_at": None, "project": 3, "updated_by": 1, "comment_authors": []}


def test_training_reads_the_json_export_latest_annotation_first_and_skipped_tasks_counted(tmp_path: Path) -> None:
    export = tmp_path / "project-3-at-2026-12-01.json"
    export.write_text(json.dumps([
        exported_task(1, "Tolls pay for the repairs, fair enough.", [annotation(1, "support", "neutral")]),
        exported_task(2, "Another tax on commuters.", [annotation(2, "support", None, updated="2026-12-01T09:30:00Z"),
                                                       annotation(3, "oppose", "negative", updated="2026-12-01T11:00:00Z")]),
        exported_task(3, "Skipped one.", [annotation(4, None, None, cancelled=True)]),
        exported_task(4, "Not labelled yet.", []),
        exported_task(5, "Sentiment only.", [annotation(5, None, "mixed")]),
    ]), encoding="utf-8")
    unlabelled: list[str] = []
    examples = load_labelled(export, unlabelled=unlabelled)
    assert [(e.text, e.label, e.sentiment, e.target) for e in examples] == [
        ("Tolls pay for the repairs, fair enough.", "support", "neutral", "Bridge tolls"),
        ("Another tax on commuters.", "oppose", "negative", "Bridge tolls"),
        ("Sentiment only.", None, "mixed", "Bridge tolls"),
    ]
    assert unlabelled == [f"{export}:3", f"{export}:4"]
    with pytest.raises(DataError, match=rf"{export}:3: nobody labelled this task"):
        load_labelled(export)


def test_training_reads_the_json_min_export(tmp_path: Path) -> None:
    export = tmp_path / "min.json"
    export.write_text(json.dumps([
        {"id": 1, "text": "Fair enough.", "target": "Bridge tolls", "stance": "support", "sentiment": "neutral", "annotator": 1,
         "annotation_id": 1, "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "lead_time": 3.1},
        {"id": 2, "text": "Rip-off.", "target": "Bridge tolls", "stance": "oppose", "annotator": 1, "annotation_id": 2,
         "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "lead_time": 2.0},
    ]), encoding="utf-8")
    assert [(e.label, e.sentiment) for e in load_labelled(export)] == [("support", "neutral"), ("oppose", None)]


def test_a_broken_export_names_the_file_and_the_task(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"data": {"text": "x"}, "annotations": [', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.json: not valid JSON .* expected a Label Studio export"):
        load_labelled(broken)
    two = tmp_path / "two.json"
    two.write_text(json.dumps([exported_task(1, "x", [annotation(1, "support", None)]) | {}, 5]), encoding="utf-8")
    with pytest.raises(InputError, match=r"two.json: task 2 is int, not an object"):
        list(export_rows(two.read_text(), str(two)))
    many = exported_task(1, "x", [annotation(1, "support", None)])
    many["annotations"][0]["result"][0]["value"]["choices"] = ["support", "oppose"]
    two.write_text(json.dumps([many]), encoding="utf-8")
    with pytest.raises(InputError, match=r"two.json: task 1: 'stance' holds \['support', 'oppose'\]; expected one choice"):
        load_labelled(two)
