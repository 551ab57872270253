"""Sentence embeddings of the base model, frozen or contrastively tuned on labelled comments (SetFit's first step)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from stance.core.labelled import LabelledComment
from stance.model.names import DEFAULT_BASE_MODEL, resolve_base_model
from stance.training.contrastive import mean_pooled, tune_contrastively


def _encoder(name_or_path: str) -> tuple[Any, Any]:
    """The tokenizer and frozen model, loaded once per directory version (a re-tuned directory reloads)."""
    path = resolve_base_model(name_or_path)
    config = Path(path) / "config.json"
    return _load_encoder(path, config.stat().st_mtime_ns if config.exists() else None)


@lru_cache(maxsize=2)
def _load_encoder(path: str, version: int | None) -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer

    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Texts to an encoder's mean-pooled, unit-length sentence embeddings, times ``weight``.

    The encoder is frozen (``fit`` learns nothing): the base model, or a directory written by
    :func:`tune_sentence_encoder`. ``weight`` sets the embedding's pull against the sparse features it
    is joined with. Hashtags are split into words first.
    """

    def __init__(self, base_model: str = DEFAULT_BASE_MODEL, weight: float = 1.0, batch_size: int = 64, max_length: int = 128):
        self.base_model = base_model
        self.weight = weight
        self.batch_size = batch_size
        self.max_length = max_length

    def fit(self, texts: Sequence[str], y: Any = None) -> SentenceEmbedder:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        tokenizer, model = _encoder(str(self.base_model))
        embeddings = [np.zeros((0, model.config.hidden_size), dtype=np.float32)]
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                pooled = mean_pooled(tokenizer, model, texts[start:start + self.batch_size], self.max_length)
                embeddings.append(torch.nn.functional.normalize(pooled, dim=-1).float().numpy())
        return self.weight * np.concatenate(embeddings)


@dataclass
class ContrastiveConfig:
    """How to tune the encoder: ``rounds`` passes, each pairing every comment once with a comment of the
    same label and once with one of another label, under the same target. Defaults chosen on TweetEval val."""

    base_model: str = DEFAULT_BASE_MODEL
    rounds: int = 2
    batch_size: int = 16
    learning_rate: float = 2e-5
    max_length: int = 64
    seed: int = 42


def tune_sentence_encoder(
    rows: Sequence[LabelledComment], output_dir: str | Path, config: ContrastiveConfig | None = None, *, progress: bool = False
) -> Path:
    """Tune the encoder (``stance.training.contrastive.tune_contrastively``) and write it to
    ``output_dir`` (a plain transformers directory, written atomically); return that path."""
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoTokenizer

    from stance.io.files import atomic_directory

    config = config or ContrastiveConfig()
    torch.manual_seed(config.seed)
    path = resolve_base_model(config.base_model)
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    with tqdm(desc="contrastive tuning", unit="batch", disable=not progress) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update()

        tune_contrastively(
            model, tokenizer, rows, rounds=config.rounds, batch_size=config.batch_size, learning_rate=config.learning_rate,
            max_length=config.max_length, seed=config.seed, on_step=advance,
        )
    with atomic_directory(output_dir) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return Path(output_dir)
