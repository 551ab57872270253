"""SetFit's first step, for few labelled comments: pull the sentence embeddings of comments with the
same label under the same target together and push those with different labels apart, before
fine-tuning. With 50–500 comments the pairs give many more training signals than the comments do."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

from stance.core.labelled import LabelledComment


def split_hashtags(text: str) -> str:
    """``#ProLife`` becomes ``Pro Life``: word pieces read words, not run-together tags."""
    return re.sub(r"#(\w+)", lambda tag: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tag.group(1)), text)


def mean_pooled(tokenizer: Any, encoder: Any, texts: Sequence[str], max_length: int) -> Any:
    """The mean of ``encoder``'s last hidden states over each text's real tokens (a torch tensor, not
    normalised); ``encoder`` is a bare transformer (``AutoModel``), not a classifier."""
    batch = tokenizer([split_hashtags(text) for text in texts], padding=True, truncation=True,
                      max_length=max_length, return_tensors="pt").to(encoder.device)
    hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1)


def contrastive_pairs(
    rows: Sequence[LabelledComment], rounds: int, seed: int = 42, task: str = "stance"
) -> list[tuple[int, int, float]]:
    """``(i, j, similarity)`` pairs of row indices: 1.0 for the same ``task`` label under the same
    target, 0.0 for different labels under the same target; each round pairs every labelled comment
    once of each kind. A comment with no partner of a kind gets no pair of that kind."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        if (label := row.gold(task)) is not None:
            groups.setdefault((row.target, label), []).append(i)
    others = {
        key: [j for (target, label), members in groups.items() if target == key[0] and label != key[1] for j in members]
        for key in groups
    }
    pairs = []
    for _ in range(rounds):
        for i, row in enumerate(rows):
            key = (row.target, row.gold(task))
            if key not in groups:
                continue
            same = [j for j in groups[key] if j != i]
            if same:
                pairs.append((i, rng.choice(same), 1.0))
            if others[key]:
                pairs.append((i, rng.choice(others[key]), 0.0))
    rng.shuffle(pairs)
    return pairs


def tune_contrastively(
    encoder: Any,
    tokenizer: Any,
    rows: Sequence[LabelledComment],
    *,
    task: str = "stance",
    rounds: int = 2,
    batch_size: int = 16,
    learning_rate: float = 2e-5,
    max_length: int = 64,
    seed: int = 42,
    on_step: Callable[[int, int], None] | None = None,
) -> int:
    """Tune ``encoder`` in place so that the cosine of each pair's mean-pooled embeddings approaches
    its similarity (1 same label, 0 different); returns the number of pairs. ``seed`` draws the pairs;
    torch's own seed is the caller's (``train`` sets it). Each comment is embedded alone, its first
    ``max_length`` tokens: the step shapes how comments are told apart, fine-tuning then reads them
    with their target. ``on_step(done, total)`` follows the batches. Defaults were chosen on
    TweetEval val (``scripts/bench_tweeteval.py``)."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    pairs = contrastive_pairs(rows, rounds, seed, task)
    batches = [pairs[start:start + batch_size] for start in range(0, len(pairs), batch_size)]
    if not batches:
        return 0
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=learning_rate)
    schedule = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=len(batches) // 10, num_training_steps=len(batches))
    texts = [row.text for row in rows]
    encoder.train()
    for done, batch in enumerate(batches, 1):
        left = mean_pooled(tokenizer, encoder, [texts[i] for i, _, _ in batch], max_length)
        right = mean_pooled(tokenizer, encoder, [texts[j] for _, j, _ in batch], max_length)
        similarity = torch.tensor([score for _, _, score in batch], dtype=left.dtype, device=left.device)
        loss = torch.nn.functional.mse_loss(torch.cosine_similarity(left, right), similarity)
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if on_step:
            on_step(done, len(batches))
    encoder.eval()
    return len(pairs)
