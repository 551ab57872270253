"""The runtimes that turn padded batches of windows into logits, behind one small interface.

A :class:`StanceClassifier` picks its backend once, when it is built (:func:`make_backend`): torch
for fp32 and bf16 on any device, ONNX Runtime for int8 on the CPU (:mod:`stance.model.onnx`).
Nothing else in the package asks which backend it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import numpy as np


class Backend(Protocol):
    """What the classifier needs from a runtime."""

    labels: list[str]  # output columns, from the model's id2label
    input_names: list[str]  # the tokenizer outputs the model takes
    max_positions: int | None  # the longest window it can read
    pad_id: int | None
    name_or_path: str | None  # the model it was loaded from, where known
    device: str
    precision: str
    pad_multiple: int | None  # pad batches to a multiple of this many tokens (fewer distinct shapes)

    def map_batches(
        self, batches: Iterable[list[int]], inputs_of: Callable[[list[int]], dict[str, np.ndarray]]
    ) -> Iterator[np.ndarray]:
        """The logits of each batch (its padded inputs from ``inputs_of``), in order."""
        ...


class TorchBackend:
    """A transformers sequence classifier in fp32 or bf16, on the CPU or a GPU."""

    def __init__(self, model: Any, tokenizer: Any, precision: str, device: str) -> None:
        import torch

        self.model = model.to(device=device, dtype=torch.bfloat16 if precision == "bf16" else None).eval()
        self.precision = precision
        self.device = device
        config = model.config
        self.labels = [str(config.id2label[i]) for i in range(len(config.id2label))]
        self.input_names = list(tokenizer.model_input_names)
        self.max_positions = getattr(config, "max_position_embeddings", None)
        self.pad_id = getattr(tokenizer, "pad_token_id", None)
        if self.pad_id is None:
            self.pad_id = getattr(config, "pad_token_id", None)
        self.name_or_path = getattr(config, "_name_or_path", None) or None
        self.pad_multiple = 16 if precision == "bf16" else None  # kernels are reused across batches

    def map_batches(
        self, batches: Iterable[list[int]], inputs_of: Callable[[list[int]], dict[str, np.ndarray]]
    ) -> Iterator[np.ndarray]:
        import torch

        for batch in batches:
            with torch.inference_mode():
                tensors = {name: torch.from_numpy(array).to(self.model.device) for name, array in inputs_of(batch).items()}
                yield self.model(**tensors).logits.float().cpu().numpy()


def make_backend(model: Any, tokenizer: Any, precision: str, device: str) -> Backend:
    """The backend for a loaded model: an ONNX backend as it is, a torch model in ``precision`` on
    ``device`` (int8 converts it to ONNX in memory; ``from_pretrained`` uses the on-disk cache)."""
    from stance.model.onnx import OnnxBackend

    if isinstance(model, OnnxBackend):
        return model
    if precision == "int8":
        return OnnxBackend.from_torch(model, tokenizer)
    return TorchBackend(model, tokenizer, precision, device)
