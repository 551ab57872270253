"""Sentence embeddings: the frozen embedder and contrastive tuning of the encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scripts.sentence_embeddings import (
    ContrastiveConfig,
    SentenceEmbedder,
    tune_sentence_encoder,
)
from stance.core.labelled import LabelledComment

ROWS = [LabelledComment(text=text, label=label, target=target) for text, label, target in [
    ("great plan, build it", "support", "rail"), ("yes, finally a train", "support", "rail"),
    ("waste of money", "oppose", "rail"), ("nobody will ride it", "oppose", "rail"),
    ("love the new park", "support", "park"), ("a park? we need parking", "oppose", "park"),
    ("only comment on dogs", "neutral", "dogs"),
]]


def test_sentence_embedder_gives_weighted_unit_vectors(tiny_base_model: Path) -> None:
    embedder = SentenceEmbedder(str(tiny_base_model), weight=2.0, batch_size=2)
    vectors = embedder.fit_transform(["a short one", "a somewhat longer comment here", "#SplitMe"])
    assert vectors.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 2.0, rtol=1e-5)
    # padding in a batch does not change an embedding
    np.testing.assert_allclose(embedder.transform(["a short one"])[0], vectors[0], atol=1e-5)
    np.testing.assert_allclose(embedder.transform(["Split Me"])[0], vectors[2], atol=1e-5)
    assert embedder.transform([]).shape == (0, 32)


def test_tuning_pulls_same_label_comments_together(tiny_base_model: Path, tmp_path: Path) -> None:
    rail = ROWS[:4]
    config = ContrastiveConfig(base_model=str(tiny_base_model), rounds=30, batch_size=4, learning_rate=1e-3)

    def gap(encoder: str) -> float:
        vectors = SentenceEmbedder(encoder).transform([row.text for row in rail])
        cosine = vectors @ vectors.T
        return float((cosine[0, 1] + cosine[2, 3]) / 2 - cosine[:2, 2:].mean())

    before = gap(str(tiny_base_model))
    tuned = tune_sentence_encoder(rail, tmp_path / "encoder", config)
    assert tuned == tmp_path / "encoder" and (tuned / "config.json").exists()
    assert not list(tmp_path.glob(".encoder.partial-*"))
    assert gap(str(tuned)) > before + 0.3
    # tuning again into the same directory, here on flipped labels, is what the embedder then reads
    flipped = [LabelledComment(text=row.text, label=label, target=row.target) for row, label in zip(rail, ["support", "oppose"] * 2)]
    tune_sentence_encoder(flipped, tuned, config)
    assert gap(str(tuned)) < before
