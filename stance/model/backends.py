"""The runtimes that turn padded batches of windows into logits, behind one small interface.

A :class:`StanceClassifier` picks its backend once, when it is built (:func:`make_backend`): torch
for fp32 and bf16 on any device, ONNX Runtime for int8 on the CPU (:mod:`stance.model.onnx`).
Nothing else in the package asks which backend it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from stance.model.devices import torch_threads
from stance.model.heads import TaskHead, encoder_of, run_with_heads
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


# oneDNN picks its bf16 matrix kernel by the number of rows: between 33 and 511 rows (this CPU, torch 2.13) the
# product of a 1,536-wide input sums in another order than at 512 and more, so a window's scores would depend on
# how many windows share its batch. Every bf16 batch on the CPU is filled to this many rows (copies of its own windows).
MIN_CPU_ROWS = 512


class TorchBackend:
    """A transformers sequence classifier in fp32 or bf16, on the CPU or a GPU, with any further task heads."""

    def __init__(self, model: Any, tokenizer: Any, runtime: Runtime, task: str, heads: Mapping[str, TaskHead]) -> None:
        import torch

        self.heads = {name: TaskHead(head.labels, head.module.to(device=runtime.device).eval()) for name, head in heads.items()}
        if runtime.precision == "bf16":  # the encoder in bf16; what reads its output in float64 on the CPU (see output_layers_in)
            outputs = [*output_layers(model), *(head.module for head in self.heads.values())]
            before = [{name: tensor.clone() for name, tensor in layer.state_dict().items()} for layer in outputs]
            model.to(device=runtime.device, dtype=torch.bfloat16)
            output_layers_in(torch.float64 if runtime.device == "cpu" else torch.float32, outputs, before)
        self.model = model.to(device=runtime.device).eval()
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
        """On a GPU one batch at a time; on the CPU up to ``threads`` batches at once, the threads shared out among
        them (two small batches side by side use two cores better than one split across both: docs/benchmarks.md,
        issue 35). bf16 batches are filled to :data:`MIN_CPU_ROWS` token rows, so that a window's scores never
        depend on what it is batched with."""
        import torch

        batches = list(batches)
        workers = max(1, min(self.runtime.threads, len(batches)))

        def logits(batch: list[int]) -> list[np.ndarray]:
            inputs = inputs_of(batch)
            windows = len(next(iter(inputs.values())))
            if self.runtime.device == "cpu" and self.runtime.precision == "bf16":
                inputs = fill_rows(inputs, MIN_CPU_ROWS)
            with torch.inference_mode():
                tensors = {name: torch.from_numpy(array).to(self.model.device) for name, array in inputs.items()}
                read: dict[str, Any] | None = {} if features else None
                own, further = run_with_heads(self.model, self.heads, tensors, read)
                return [array[:windows].float().cpu().numpy() for array in (own, *further.values(), *(read or {}).values())]

        def on_worker(batch: list[int]) -> list[np.ndarray]:
            torch.set_num_threads(self.runtime.threads // workers)  # this worker thread's own count (OpenMP keeps one per thread)
            return logits(batch)

        if self.runtime.device != "cpu":
            yield from map(logits, batches)
        elif workers == 1:  # one batch, from this thread (a new one would start a thread team of its own)
            for batch in batches:
                # A window or two is too little work to share: a second thread only waits, many times over where the
                # machine is busy (a single comment took 4 times as long with two threads as with one: bench_threads).
                with torch_threads(min(self.runtime.threads, len(batch))):
                    yield logits(batch)
        else:
            before = torch.get_num_threads()  # this thread's own; the workers' setting also became the default for new threads
            try:
                with ThreadPoolExecutor(workers) as pool:
                    yield from pool.map(on_worker, batches)
            finally:
                torch.set_num_threads(before)


def output_layers(model: Any) -> list[Any]:
    """The layers that read the encoder's output: its pooler where it has one, and every other part of the
    classifier besides the encoder (BERT's head; DistilBERT's pre-classifier and head; RoBERTa's head)."""
    import torch

    encoder = encoder_of(model)
    parts = [getattr(encoder, "pooler", None), *(child for name, child in model.named_children() if name != model.base_model_prefix)]
    return [part for part in parts if isinstance(part, torch.nn.Module) and any(True for _ in part.parameters())]


def output_layers_in(dtype: Any, layers: list[Any], weights: list[dict[str, Any]]) -> None:
    """``layers`` computing in ``dtype`` from their full-precision ``weights``, fed ``dtype``, while the encoder
    runs in bf16. In bf16 their logits' 8 bits flip near-tied labels; on the CPU float32's products sum in an order
    that depends on how many windows the batch holds, while in float64 any such difference is far below what the
    float32 logits keep (docs/benchmarks.md, issue 35). They are a sliver of the work."""
    import torch

    def cast(layer: Any, args: tuple) -> tuple:  # to the layer's own dtype, whatever it is later moved to
        own = next(layer.parameters()).dtype
        return tuple(arg.to(own) if isinstance(arg, torch.Tensor) and arg.is_floating_point() else arg for arg in args)

    for layer, state in zip(layers, weights, strict=True):
        layer.to(dtype).load_state_dict(state)
        if not getattr(layer, "_stance_casts_input", False):  # once, however many backends are built on it
            layer.register_forward_pre_hook(cast)
            layer._stance_casts_input = True


def fill_rows(inputs: dict[str, np.ndarray], rows: int) -> dict[str, np.ndarray]:
    """A padded batch repeated whole, windows after windows, until it holds at least ``rows`` token rows
    (windows times length); the scores of its own windows are the first rows of the output."""
    windows, length = next(iter(inputs.values())).shape
    copies = -(-rows // (windows * length))
    return inputs if copies <= 1 else {name: np.concatenate([array] * copies) for name, array in inputs.items()}


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
