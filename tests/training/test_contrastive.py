"""The contrastive step (``--method contrastive``): its pairs, and that it pulls same-label comments together."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.core.labelled import LabelledComment
from stance.training.contrastive import contrastive_pairs, split_hashtags

ROWS = [LabelledComment(text=text, label=label, target=target) for text, label, target in [
    ("great plan, build it", "support", "rail"), ("yes, finally a train", "support", "rail"),
    ("waste of money", "oppose", "rail"), ("nobody will ride it", "oppose", "rail"),
    ("love the new park", "support", "park"), ("a park? we need parking", "oppose", "park"),
    ("only comment on dogs", "neutral", "dogs"),
]]


def test_split_hashtags_reads_run_together_words() -> None:
    assert split_hashtags("Vote #NoOnProp8 and #prolife!") == "Vote No On Prop8 and prolife!"


def test_contrastive_pairs_stay_within_a_target() -> None:
    pairs = contrastive_pairs(ROWS, rounds=3)
    for i, j, similarity in pairs:
        assert i != j and ROWS[i].target == ROWS[j].target
        assert (ROWS[i].label == ROWS[j].label) == (similarity == 1.0)
    per_row = [sum(1 for i, _, _ in pairs if i == row) for row in range(len(ROWS))]
    # rail rows have a same-label and an other-label partner; park rows only the other; the dogs row none
    assert per_row == [6, 6, 6, 6, 3, 3, 0]
    assert pairs == contrastive_pairs(ROWS, rounds=3)  # seeded


def test_pairs_come_from_the_task_asked_and_skip_comments_without_its_label() -> None:
    rows = [LabelledComment(row.text, None if i == 0 else row.label, row.target, sentiment="positive" if i % 2 else "negative")
            for i, row in enumerate(ROWS[:4])]
    stance_pairs = contrastive_pairs(rows, rounds=1)
    assert all(0 not in (i, j) for i, j, _ in stance_pairs)  # row 0 has no stance label
    sentiment_pairs = contrastive_pairs(rows, rounds=1, task="sentiment")
    assert {(i, j) for i, j, same in sentiment_pairs if same} <= {(0, 2), (2, 0), (1, 3), (3, 1)}


def test_contrastive_training_writes_a_classifier_that_separates_the_labels(tiny_base_model: Path, tmp_path: Path) -> None:
    from stance.model.classifier import StanceClassifier
    from stance.training.config import TrainingConfig
    from stance.training.trainer import train

    rows = [LabelledComment(f"{word} this plan, idea {i}", label, "the plan")
            for i in range(16) for word, label in (("I love", "support"), ("I hate", "oppose"))]
    config = TrainingConfig(base_model=str(tiny_base_model), method="contrastive", epochs=8, batch_size=8, max_length=32,
                            learning_rate=3e-3, contrastive_rounds=3, contrastive_learning_rate=1e-3)
    result = train(rows, tmp_path / "model", config, validation=rows[:8], compact=True)
    assert result.metrics["macro_f1"] == 1.0
    assert "contrastive_rounds" in (tmp_path / "model" / "README.md").read_text()
    model = StanceClassifier.from_pretrained(tmp_path / "model")
    assert [p.label for p in model.predict(["I love this plan, idea 99", "I hate this plan, idea 99"], "the plan")] == ["support", "oppose"]


def test_contrastive_settings_are_checked() -> None:
    from stance.errors import ConfigError
    from stance.training.config import TrainingConfig

    with pytest.raises(ConfigError, match="contrastive_rounds"):
        TrainingConfig(method="contrastive", contrastive_rounds=0)
