"""Window encoding on the Rust tokenizer must cut exactly as transformers' own overflow does."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.model.windows import WindowEncoder, rust_tokenizer


@pytest.fixture(scope="module")
def tokenizer(tiny_base_model: Path):  # noqa: ANN201
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_base_model)


def transformers_windows(tokenizer, texts: list[str], target: str, max_length: int, stride: int) -> list[list[int]]:  # noqa: ANN001
    args = ([target] * len(texts), texts) if target else (texts,)
    encoded = tokenizer(*args, truncation="only_second" if target else True, max_length=max_length, stride=stride,
                        return_overflowing_tokens=True)
    return encoded["input_ids"]


@pytest.mark.parametrize("target", ["the council's plan to close the old bridge", ""])
def test_windows_match_transformers_overflow_for_pairs_and_single_comments(tokenizer, target: str) -> None:  # noqa: ANN001
    texts = ["Short one.", " ".join(f"token{i} is here" for i in range(120)), "Mid-length comment, with punctuation!"]
    encoder = WindowEncoder(tokenizer, max_length=48, max_target_tokens=24, stride=8,
                            input_names=tokenizer.model_input_names, pad_id=tokenizer.pad_token_id)
    windows, owners, weights = encoder.encode(texts, [target] * len(texts))
    assert [w["input_ids"] for w in windows] == transformers_windows(tokenizer, texts, target, 48, 8)
    assert owners.tolist()[0] == 0 and (owners == 1).sum() > 3 and owners.tolist()[-1] == 2
    assert weights.tolist() == [len(w["input_ids"]) for w in windows]
    assert set(windows[0]) == set(tokenizer.model_input_names)


def test_long_targets_are_cut_and_the_callers_tokenizer_is_left_alone(tokenizer) -> None:  # noqa: ANN001
    rust_tokenizer(tokenizer).no_truncation()
    encoder = WindowEncoder(tokenizer, max_length=64, max_target_tokens=10, stride=8,
                            input_names=tokenizer.model_input_names, pad_id=0)
    target = "a very long headline " * 20
    windows, _, _ = encoder.encode(["comment"], [target])
    assert rust_tokenizer(tokenizer).truncation is None
    first = windows[0]["input_ids"]
    assert first[1:11] == tokenizer(target, add_special_tokens=False)["input_ids"][:10]
    assert first[11] == tokenizer.sep_token_id


def test_pad_right_pads_to_the_longest_window_and_to_a_multiple(tokenizer) -> None:  # noqa: ANN001
    encoder = WindowEncoder(tokenizer, max_length=64, max_target_tokens=10, stride=8,
                            input_names=["input_ids", "attention_mask"], pad_id=7)
    windows, _, _ = encoder.encode(["one", "a rather longer comment than the first"], ["t", "t"])
    padded = encoder.pad(windows)
    assert set(padded) == {"input_ids", "attention_mask"}
    assert padded["input_ids"].shape == (2, len(windows[1]["input_ids"]))
    assert padded["input_ids"][0, len(windows[0]["input_ids"]):].tolist() == [7] * (padded["input_ids"].shape[1] - len(windows[0]["input_ids"]))
    assert padded["attention_mask"].sum(axis=1).tolist() == [len(w["input_ids"]) for w in windows]
    assert encoder.pad(windows, multiple=16)["input_ids"].shape[1] == 16


def test_a_slow_tokenizer_is_refused_with_a_clear_message() -> None:
    with pytest.raises(TypeError, match="fast"):
        rust_tokenizer(object())


def test_a_parent_is_read_after_the_target_cut_to_what_is_left_of_half_the_window(tokenizer) -> None:  # noqa: ANN001
    from stance.model.windows import REPLY_MARKER

    encoder = WindowEncoder(tokenizer, max_length=64, max_target_tokens=10, stride=8,
                            input_names=tokenizer.model_input_names, pad_id=0)
    parent = "the earlier comment says the bridge must stay open " * 5
    windows, owners, _ = encoder.encode(["No, you're wrong.", "No, you're wrong."], ["the plan", "the plan"], [parent, ""])
    assert owners.tolist() == [0, 1]
    with_parent, without = (w["input_ids"] for w in windows)
    assert without == tokenizer("the plan", "No, you're wrong.")["input_ids"]
    parent_ids = tokenizer(parent, add_special_tokens=False)["input_ids"][: 64 // 2 - 10]
    context = tokenizer("the plan" + REPLY_MARKER + tokenizer.decode(parent_ids), add_special_tokens=False)["input_ids"]
    assert with_parent == tokenizer("the plan" + REPLY_MARKER + tokenizer.decode(parent_ids), "No, you're wrong.")["input_ids"]
    assert len(context) <= 64 // 2 + len(tokenizer(REPLY_MARKER, add_special_tokens=False)["input_ids"]) + 2
    assert windows[0]["token_type_ids"].count(0) == len(context) + 2  # [CLS] context [SEP]: the parent is in the first segment
