"""Sentiment beside stance: a second head on the same encoder pass, stored, exported and scaled on its own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stance.core.labels import SENTIMENT_LABELS, STANCE_LABELS
from stance.errors import ModelError
from stance.model.classifier import StanceClassifier
from stance.model.heads import HEADS_FILE

TEXTS = ["Great idea", "I could not disagree more with every word of this " * 6, "meh", "Sad it took so long, but right."]
TARGET = "the plan"


@pytest.fixture(scope="module")
def both(tiny_classifier_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_classifier_dir)


def test_one_pass_gives_stance_and_sentiment(both: StanceClassifier) -> None:
    assert both.tasks == {"stance": list(STANCE_LABELS), "sentiment": list(SENTIMENT_LABELS)}
    predictions = both.predict(TEXTS, TARGET)
    stance = both.predict_proba(TEXTS, TARGET)
    sentiment = both.predict_proba(TEXTS, TARGET, task="sentiment")
    assert not np.allclose(stance, sentiment)  # two heads, not one read twice
    for prediction, stance_row, sentiment_row in zip(predictions, stance, sentiment):
        assert prediction.label == STANCE_LABELS[stance_row.argmax()]
        assert prediction.sentiment == SENTIMENT_LABELS[sentiment_row.argmax()]
        assert list(prediction.sentiment_scores.values()) == pytest.approx(list(sentiment_row))
        assert prediction.sentiment_confidence == pytest.approx(sentiment_row.max())
    assert set(predictions[0].to_dict()) == {"label", "confidence", "scores", "sentiment", "sentiment_confidence", "sentiment_scores"}


def test_the_stance_head_answers_the_same_with_or_without_the_sentiment_head(both: StanceClassifier) -> None:
    stance_only = both.only("stance")
    assert stance_only.tasks == {"stance": list(STANCE_LABELS)}
    assert stance_only.predict_proba(TEXTS, TARGET) == pytest.approx(both.predict_proba(TEXTS, TARGET))
    assert stance_only.predict("meh", TARGET).sentiment is None
    assert "sentiment" not in stance_only.predict("meh", TARGET).to_dict()


def test_predict_without_a_target_still_gives_both(both: StanceClassifier) -> None:
    prediction = both.predict("What a lovely day")
    assert prediction.label in STANCE_LABELS and prediction.sentiment in SENTIMENT_LABELS


def test_asking_a_model_without_the_head_for_it_says_so(tiny_stance_only_dir: Path) -> None:
    stance_only = StanceClassifier.from_pretrained(tiny_stance_only_dir)
    assert not (tiny_stance_only_dir / HEADS_FILE).exists()
    with pytest.raises(ModelError, match="this model has no sentiment head .*answers stance"):
        stance_only.predict_proba(TEXTS, TARGET, task="sentiment")


@pytest.mark.parametrize("storage", ["full", "delta"])
def test_both_heads_survive_saving_in_every_storage(both: StanceClassifier, storage: str, tmp_path: Path) -> None:
    both.save_pretrained(tmp_path / "m", storage=storage)
    settings = json.loads((tmp_path / "m" / "stance.json").read_text())
    assert settings["heads"] == {"sentiment": {"labels": list(SENTIMENT_LABELS), "temperature": 1.0}}
    reloaded = StanceClassifier.from_pretrained(tmp_path / "m")
    for task in ("stance", "sentiment"):
        assert reloaded.predict_proba(TEXTS, TARGET, task=task) == pytest.approx(both.predict_proba(TEXTS, TARGET, task=task), abs=2e-3)


def test_each_head_has_its_own_temperature(tiny_classifier_dir: Path, both: StanceClassifier) -> None:
    warm = StanceClassifier.from_pretrained(tiny_classifier_dir, temperature={"sentiment": 3.0})
    assert warm.temperatures == {"stance": 1.0, "sentiment": 3.0}
    assert warm.predict_proba(TEXTS, TARGET) == pytest.approx(both.predict_proba(TEXTS, TARGET))
    flatter = warm.predict_proba(TEXTS, TARGET, task="sentiment")
    assert (flatter.max(axis=1) < both.predict_proba(TEXTS, TARGET, task="sentiment").max(axis=1)).all()
    with pytest.raises(ValueError, match="temperature 0 for sentiment"):
        StanceClassifier.from_pretrained(tiny_classifier_dir, temperature={"sentiment": 0})


def test_a_sentiment_export_is_a_plain_directory_that_transformers_loads(both: StanceClassifier, tmp_path: Path) -> None:
    from transformers import pipeline

    both.only("sentiment").save_pretrained(tmp_path / "sentiment")
    assert not (tmp_path / "sentiment" / HEADS_FILE).exists()
    config = json.loads((tmp_path / "sentiment" / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(4)] == list(SENTIMENT_LABELS)
    plain = pipeline("text-classification", model=str(tmp_path / "sentiment"), device="cpu")
    scores = plain({"text": TARGET, "text_pair": "Great idea"}, top_k=None)
    expected = both.predict("Great idea", TARGET).sentiment_scores
    assert {row["label"]: row["score"] for row in scores} == pytest.approx(expected, abs=1e-4)
    reloaded = StanceClassifier.from_pretrained(tmp_path / "sentiment")
    assert reloaded.task == "sentiment" and reloaded.predict("Great idea", TARGET).label is None
