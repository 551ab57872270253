"""Cutting (target, comment) pairs into model windows, and padding windows into batches.

Works on a Rust ``tokenizers.Tokenizer`` (a fast tokenizer's ``backend_tokenizer``, or one read from
``tokenizer.json``), so the ONNX path tokenises without importing transformers or torch.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

Window = dict[str, list[int]]
# Between the target and the comment replied to, where a model reads replies in context.
REPLY_MARKER = " | in reply to: "


def rust_tokenizer(tokenizer: Any) -> Any:
    """The ``tokenizers.Tokenizer`` behind a transformers fast tokenizer (or ``tokenizer`` itself)."""
    backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
    if not hasattr(backend, "encode_batch"):
        raise TypeError(
            f"{type(tokenizer).__name__}: a fast (Rust) tokenizer is needed; "
            "save the model with a tokenizer.json or load it with AutoTokenizer(use_fast=True)"
        )
    return backend


def round_up(length: int, multiple: int) -> int:
    """``length`` rounded up to a multiple of ``multiple`` (batch shapes a backend handles best)."""
    return -(-length // multiple) * multiple


def length_batches(lengths: Sequence[int], batch_size: int, multiple: int | None = None) -> list[list[int]]:
    """Window indices in batches of at most ``batch_size``, shortest first (little padding). With a padding
    ``multiple``, a batch never mixes padded lengths: each window is then padded to a length of its own
    (its length rounded up), so its scores do not depend on the longest window beside it."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for index in order:
        if not batches or len(batches[-1]) == batch_size or (
            multiple and round_up(lengths[index], multiple) != round_up(lengths[batches[-1][0]], multiple)
        ):
            batches.append([])
        batches[-1].append(index)
    return batches


class WindowEncoder:
    """Tokenises comments, each with its target first, into windows of at most ``max_length`` tokens.

    A comment longer than one window is split into windows overlapping by ``stride`` tokens; every
    window repeats the target, cut to ``max_target_tokens``, and the comment it replies to where one
    is given, cut to what is left of half the window. ``input_names`` are the model inputs to keep
    (``token_type_ids`` is dropped for models that take none).
    """

    def __init__(
        self, tokenizer: Any, *, max_length: int, max_target_tokens: int, stride: int, input_names: Sequence[str], pad_id: int
    ) -> None:
        from tokenizers import Tokenizer

        # A private copy: truncation settings are set per call and must not leak into the caller's tokenizer.
        self._tokenizer = Tokenizer.from_str(rust_tokenizer(tokenizer).to_str())
        self._tokenizer.no_padding()
        self.max_length = max_length
        self.max_target_tokens = max_target_tokens
        self.stride = stride
        self.input_names = [name for name in ("input_ids", "token_type_ids", "attention_mask") if name in input_names]
        self.pad_id = pad_id
        self._lock = threading.Lock()  # truncation is set per call on the shared Rust tokenizer

    @property
    def parent_tokens(self) -> int:
        """How much of a parent comment a window holds: what the target leaves of half the window."""
        return self.max_length // 2 - self.max_target_tokens

    def encode(
        self, texts: Sequence[str], targets: Sequence[str], parents: Sequence[str] | None = None
    ) -> tuple[list[Window], np.ndarray, np.ndarray]:
        """The windows, the index of the comment each belongs to, and each window's length (its weight).

        ``parents``, one per comment ("" for none), are the comments replied to: read after the target."""
        with self._lock:
            return self._encode(texts, targets, parents)

    def _encode(
        self, texts: Sequence[str], targets: Sequence[str], parents: Sequence[str] | None
    ) -> tuple[list[Window], np.ndarray, np.ndarray]:
        distinct = sorted(set(targets))
        short_forms = dict(zip(distinct, self._shortened(distinct, self.max_target_tokens)))
        contexts = [short_forms[target] for target in targets]
        if parents is not None and self.parent_tokens > 0:
            contexts = [
                (context + REPLY_MARKER + parent).strip() if parent else context
                for context, parent in zip(contexts, self._shortened(parents, self.parent_tokens))
            ]
        windows: list[Window] = []
        owners: list[int] = []
        for pairs in (True, False):
            group = [i for i, context in enumerate(contexts) if bool(context) == pairs]
            if not group:
                continue
            self._tokenizer.enable_truncation(
                self.max_length, stride=self.stride, strategy="only_second" if pairs else "longest_first"
            )
            inputs = [(contexts[i], texts[i]) for i in group] if pairs else [texts[i] for i in group]
            for owner, encoding in zip(group, self._tokenizer.encode_batch(inputs)):
                for part in (encoding, *encoding.overflowing):
                    windows.append(self._window(part))
                    owners.append(owner)
        weights = np.array([len(window["input_ids"]) for window in windows], dtype=np.float64)
        return windows, np.array(owners, dtype=np.int64), weights

    def pad(self, windows: Sequence[Window], multiple: int | None = None) -> dict[str, np.ndarray]:
        """One int64 array per model input, right-padded to the longest window (rounded up to ``multiple``)."""
        length = round_up(max(len(window["input_ids"]) for window in windows), multiple or 1)
        arrays = {}
        for name in self.input_names:
            array = np.full((len(windows), length), self.pad_id if name == "input_ids" else 0, dtype=np.int64)
            for row, window in zip(array, windows):
                row[: len(window[name])] = window[name]
            arrays[name] = array
        return arrays

    def _window(self, encoding: Any) -> Window:
        values = {"input_ids": encoding.ids, "token_type_ids": encoding.type_ids, "attention_mask": encoding.attention_mask}
        return {name: values[name] for name in self.input_names}

    def _shortened(self, texts: Sequence[str], limit: int) -> list[str]:
        """Each text cut to ``limit`` tokens, so that the comment keeps most of the window."""
        self._tokenizer.no_truncation()
        encodings = self._tokenizer.encode_batch([text or "" for text in texts], add_special_tokens=False)
        return [
            text if len(encoding.ids) < limit else self._tokenizer.decode(encoding.ids[:limit], skip_special_tokens=False)
            for text, encoding in zip(texts, encodings)
        ]
