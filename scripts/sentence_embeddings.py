"""Sentence embeddings of the base model, frozen or contrastively tuned on labelled comments (SetFit's first step)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from stance.model.base import DEFAULT_BASE_MODEL, resolve_base_model
from stance.training.data import LabelledComment


def split_hashtags(text: str) -> str:
    """``#ProLife`` becomes ``Pro Life``: word pieces read words, not run-together tags."""
    return re.sub(r"#(\w+)", lambda tag: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tag.group(1)), text)


def mean_pooled(tokenizer: Any, model: Any, texts: Sequence[str], max_length: int) -> Any:
    """The mean of the last hidden states over each text's real tokens (a torch tensor, not normalised)."""
    batch = tokenizer([split_hashtags(text) for text in texts], padding=True, truncation=True,
                      max_length=max_length, return_tensors="pt")
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1)


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


def contrastive_pairs(rows: Sequence[LabelledComment], rounds: int, seed: int = 42) -> list[tuple[int, int, float]]:
    """``(i, j, similarity)`` pairs of row indices: 1.0 for the same label under the same target, 0.0 for
    different labels under the same target. A row with no partner of a kind gets no pair of that kind."""
    rng = random.Random(seed)
    groups: dict[tuple[str | None, str], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault((row.target, row.label), []).append(i)
    pairs = []
    for _ in range(rounds):
        for i, row in enumerate(rows):
            same = [j for j in groups[(row.target, row.label)] if j != i]
            other = [j for (target, label), members in groups.items() if target == row.target and label != row.label for j in members]
            if same:
                pairs.append((i, rng.choice(same), 1.0))
            if other:
                pairs.append((i, rng.choice(other), 0.0))
    rng.shuffle(pairs)
    return pairs


def tune_sentence_encoder(
    rows: Sequence[LabelledComment], output_dir: str | Path, config: ContrastiveConfig | None = None, *, progress: bool = False
) -> Path:
    """Tune the encoder so that the cosine of a pair's embeddings approaches its similarity; write it to
    ``output_dir`` (a plain transformers directory, written atomically) and return that path."""
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    from stance.files import atomic_directory

    config = config or ContrastiveConfig()
    torch.manual_seed(config.seed)
    path = resolve_base_model(config.base_model)
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    pairs = contrastive_pairs(rows, config.rounds, config.seed)
    batches = [pairs[start:start + config.batch_size] for start in range(0, len(pairs), config.batch_size)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    schedule = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=len(batches) // 10, num_training_steps=len(batches))
    texts = [row.text for row in rows]
    model.train()
    for batch in tqdm(batches, desc="contrastive tuning", unit="batch", disable=not progress):
        left = mean_pooled(tokenizer, model, [texts[i] for i, _, _ in batch], config.max_length)
        right = mean_pooled(tokenizer, model, [texts[j] for _, j, _ in batch], config.max_length)
        similarity = torch.tensor([score for _, _, score in batch], dtype=left.dtype)
        loss = torch.nn.functional.mse_loss(torch.cosine_similarity(left, right), similarity)
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    model.eval()
    with atomic_directory(output_dir) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return Path(output_dir)
