"""bf16 on the CPU: a comment's scores its own whatever it is batched with, batches side by side on the cores,
and the output layers in float64."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from stance.model.backends import fill_rows
from stance.model.classifier import StanceClassifier
from stance.model.devices import runs_bf16_fast
from stance.model.windows import length_batches, round_up

COMMENTS = [
    "Great idea",
    "I could not disagree more with every word of this " * 6,
    "meh",
    "Fine, but the cost worries me.",
    "The council should have asked the people who live on the street first, not after the money was spent.",
    "Yes!!",
    "Another plan that looks good on paper and will never be built, like the last three.",
    "Who pays for the upkeep?",
]


@pytest.fixture(scope="module")
def bf16(tiny_classifier_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_classifier_dir, precision="bf16", device="cpu")


@pytest.mark.skipif(not runs_bf16_fast("cpu"), reason="scores identical to the bit are measured on CPUs with AMX only, where auto runs bf16")
def test_a_comment_scores_the_same_alone_and_among_others_at_any_batch_size(bf16: StanceClassifier) -> None:
    try:
        for task in ("stance", "sentiment"):
            alone = np.array([bf16.predict_proba([text], "the plan", task=task)[0] for text in COMMENTS])
            for size in (1, 3, 8, 32, 64):
                bf16.batch_size = size
                together = bf16.predict_proba(COMMENTS[::-1] + ["one more comment, the longest of them all by far " * 8], "the plan", task=task)
                assert np.array_equal(together[: len(COMMENTS)][::-1], alone), (task, size)  # identical, not merely close
    finally:
        bf16.batch_size = 32


def test_batches_never_mix_padded_lengths_and_hold_every_window_once() -> None:
    lengths = [5, 40, 17, 16, 33, 3, 16, 48, 31, 2, 64, 17]
    for size, multiple in ((4, 16), (2, 8), (100, None)):
        batches = length_batches(lengths, size, multiple)
        assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
        assert all(0 < len(batch) <= size for batch in batches)
        flat = [lengths[i] for batch in batches for i in batch]
        assert flat == sorted(flat)  # shortest first: little padding
        if multiple:
            assert all(len({round_up(lengths[i], multiple) for i in batch}) == 1 for batch in batches)
    assert length_batches(lengths, 100) == [sorted(range(len(lengths)), key=lengths.__getitem__)]


def test_a_batch_is_filled_with_copies_of_itself_to_the_rows_asked_for() -> None:
    batch = {"input_ids": np.arange(6).reshape(3, 2), "attention_mask": np.ones((3, 2), dtype=np.int64)}
    filled = fill_rows(batch, 13)
    assert filled["input_ids"].shape == (9, 2) and filled["attention_mask"].shape == (9, 2)  # 3 copies: 18 rows >= 13
    assert np.array_equal(filled["input_ids"][:3], batch["input_ids"]) and np.array_equal(filled["input_ids"][3:6], batch["input_ids"])
    assert fill_rows(batch, 6) is batch


def test_further_heads_read_their_own_batch_when_batches_run_at_once(tiny_classifier_dir: Path) -> None:
    """Each call's hook on the shared model keeps only its own thread's call: otherwise a batch's sentiment came
    from the batch running beside it."""
    alone = StanceClassifier.from_pretrained(tiny_classifier_dir, precision="fp32", threads=1, batch_size=1)
    expected = alone.predict_proba(COMMENTS, "the plan", task="sentiment")
    together = StanceClassifier.from_pretrained(tiny_classifier_dir, precision="fp32", threads=2, batch_size=1)
    # Hold each pass open after its head has run, while the other thread's batch runs its own head.
    together.model.register_forward_hook(lambda *_: time.sleep(0.05))
    got = together.predict_proba(COMMENTS, "the plan", task="sentiment")
    assert got == pytest.approx(expected, abs=1e-6)


def test_the_pooler_and_every_head_compute_in_fp64_after_a_bf16_encoder(bf16: StanceClassifier, tiny_classifier_dir: Path) -> None:
    import torch

    model = bf16.model
    assert model.bert.encoder.layer[0].intermediate.dense.weight.dtype == torch.bfloat16
    assert model.bert.pooler.dense.weight.dtype == torch.float64 and model.classifier.weight.dtype == torch.float64
    assert all(parameter.dtype == torch.float64 for head in bf16.backend.heads.values() for parameter in head.module.parameters())
    fp32 = StanceClassifier.from_pretrained(tiny_classifier_dir, precision="fp32")
    # Their full-precision weights, not those rounded to bf16 on the way.
    assert torch.equal(model.classifier.weight, fp32.model.classifier.weight.double())
    assert torch.equal(model.bert.pooler.dense.weight, fp32.model.bert.pooler.dense.weight.double())
    # The model can be moved on after: the input follows the layer's dtype.
    assert StanceClassifier(model.float(), bf16.tokenizer, precision="fp32").predict_proba(COMMENTS, "the plan") == pytest.approx(
        fp32.predict_proba(COMMENTS, "the plan"), abs=1e-5)
    for task in ("stance", "sentiment"):
        assert bf16.predict_proba(COMMENTS, "the plan", task=task) == pytest.approx(fp32.predict_proba(COMMENTS, "the plan", task=task), abs=0.02)
