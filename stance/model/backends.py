"""The runtimes that turn padded batches of windows into logits, behind one small interface.

A :class:`StanceClassifier` picks its backend once, when it is built (:func:`make_backend`): torch
for fp32 and bf16 on any device, ONNX Runtime for int8 on the CPU (:mod:`stance.model.onnx`).
Nothing else in the package asks which backend it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from stance.model.devices import torch_threads
from stance.model.heads import TaskHead, run_with_heads
from stance.model.runtime import Runtime
from stance.model.storage import ModelSettings, load_torch_model, stored_form


class Backend(Protocol):
    """What the classifier needs from a runtime."""

    tasks: dict[str, list[str]]  # each task's labels in output order, the model's own head's task first
    input_names: list[str]  # the tokenizer outputs the model takes
    max_positions: int | None  # the longest window it can read
    pad_id: int | None
    name_or_path: str | None  # the model it was loaded from, where known
    pad_multiple: int | None  # pad batches to a multiple of this many tokens (fewer distinct shapes)
    runtime: Runtime  # settled (Runtime.resolve): the device, precision, CPU threads and batch size it computes with

    def map_batches(
        self, batches: Iterable[list[int]], inputs_of: Callable[[list[int]], dict[str, np.ndarray]], features: bool = False
    ) -> Iterator[list[np.ndarray]]:
        """For each batch (its padded inputs from ``inputs_of``), in order: the logits of every task, in :attr:`tasks`
        order; with ``features``, then a vector per window of what it says (:func:`~stance.model.heads.middle_layer_mean`),
        or a ModelError where the backend cannot give it."""
        ...


class TorchBackend:
    """A transformers sequence classifier in fp32 or bf16, on the CPU or a GPU, with any further task heads."""

    def __init__(self, model: Any, tokenizer: Any, runtime: Runtime, task: str, heads: Mapping[str, TaskHead]) -> None:
        import torch

        dtype = torch.bfloat16 if runtime.precision == "bf16" else None
        self.model = model.to(device=runtime.device, dtype=dtype).eval()
        self.heads = {
            name: TaskHead(head.labels, head.module.to(device=runtime.device, dtype=dtype).eval()) for name, head in heads.items()
        }
        self.runtime = runtime
        config = model.config
        own = [str(config.id2label[i]) for i in range(len(config.id2label))]
        self.tasks = {task: own} | {name: list(head.labels) for name, head in heads.items()}
        self.input_names = list(tokenizer.model_input_names)
        self.max_positions = getattr(config, "max_position_embeddings", None)
        self.pad_id = getattr(tokenizer, "pad_token_id", None)
        if self.pad_id is None:
            self.pad_id = getattr(config, "pad_token_id", None)
        self.name_or_path = getattr(config, "_name_or_path", None) or None
        self.pad_multiple = 16 if runtime.precision == "bf16" else None  # kernels are reused across batches

    def map_batches(
        self, batches: Iterable[list[int]], inputs_of: Callable[[list[int]], dict[str, np.ndarray]], features: bool = False
    ) -> Iterator[list[np.ndarray]]:
        import torch

        for batch in batches:
            # A window or two is too little work to share: a second thread only waits, many times over where the
            # machine is busy (a single comment took 37 times as long with two threads as with one).
            with torch.inference_mode(), torch_threads(min(self.runtime.threads, len(batch))):
                tensors = {name: torch.from_numpy(array).to(self.model.device) for name, array in inputs_of(batch).items()}
                read: dict[str, Any] | None = {} if features else None
                own, further = run_with_heads(self.model, self.heads, tensors, read)
                outputs = [array.float().cpu().numpy() for array in (own, *further.values(), *(read or {}).values())]
            yield outputs


def make_backend(model: Any, tokenizer: Any, runtime: Runtime, task: str = "stance", heads: Mapping[str, TaskHead] | None = None) -> Backend:
    """The backend for a loaded model (whose own head answers ``task``) and its further ``heads``, computing
    as the settled ``runtime`` says: a backend as it is, a torch model in fp32 or bf16 on its device, or for
    int8 the torch model converted to ONNX in memory (:func:`load_backend` uses the on-disk cache)."""
    from stance.model.onnx import OnnxBackend

    if isinstance(model, (OnnxBackend, TorchBackend)):
        backend: Backend = model
        backend.runtime = runtime
    elif runtime.precision == "int8":
        backend = OnnxBackend.from_torch(model, tokenizer, task, heads or {}, runtime)
    else:
        backend = TorchBackend(model, tokenizer, runtime, task, heads or {})
    return backend


def load_backend(source: str, settings: ModelSettings | None, runtime: Runtime) -> tuple[Backend, Any]:
    """The backend and tokenizer of the model at ``source`` (a folder, or a name in the local Hugging Face cache;
    ``settings`` its ``stance.json``): for int8 the cached ONNX export of a folder (built on first use), else the
    torch model. The one place that chooses between them."""
    from stance.model.names import resolve_base_model
    from stance.model.onnx import load_int8

    local_dir = Path(resolve_base_model(source))
    task = settings.main_task if settings else "stance"
    if runtime.precision == "int8" and local_dir.is_dir():
        base = Path(resolve_base_model(settings.base_model)) if settings and stored_form(local_dir, settings) != "full" else None
        model, tokenizer = load_int8(local_dir, base if base and base.is_dir() else None, task, lambda: load_torch_model(source, settings))
        return make_backend(model, tokenizer, runtime, task), tokenizer
    model, tokenizer, heads = load_torch_model(source, settings)
    return make_backend(model, tokenizer, runtime, task, heads), tokenizer
