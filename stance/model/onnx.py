"""The int8 fast path: a classifier exported to ONNX, quantised, cached on disk and run by ONNX Runtime.

The first int8 load of a model exports it (torch → ONNX, then ONNX Runtime's dynamic int8
quantisation of the matrix products, per channel) into a cache folder keyed by the model files' contents: a few seconds,
once. Later loads read the cache without importing torch or transformers, which keeps the cold
start short. Batches run one per core, each on one thread: on small batches that uses the cores
better than splitting each matrix product across them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from stance.errors import ModelError, OutputError, first_line
from stance.io.files import cache_root
from stance.model.heads import TaskHead
from stance.model.runtime import Runtime

ONNX_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
TASKS_FILE = "tasks.json"  # each task's labels, in the order of the graph's outputs
CHECKSUM_FILE = "checksum.json"  # size and SHA-256 of the graph, recorded at export and checked at every load
EXPORT_RECIPE = "eager-torchscript-opset17+dynamic-int8-per-channel-matmul-only+task-heads"  # part of the cache key: change it to rebuild caches


class OnnxBackend:
    """An int8 ONNX classifier run by ONNX Runtime on the CPU (a :class:`~stance.model.backends.Backend`)."""

    pad_multiple = None

    def __init__(self, directory: str | Path, runtime: Runtime | None = None) -> None:
        import onnxruntime

        directory = Path(directory)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead, see map_batches
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"],
            # Its fused Add + LayerNorm kernel ran 15 % slower here than the two separate ops.
            disabled_optimizers=["SkipLayerNormFusion"],
        )
        self.input_names = [node.name for node in self.session.get_inputs()]
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        self.tasks = {task: list(labels) for task, labels in json.loads((directory / TASKS_FILE).read_text(encoding="utf-8")).items()}
        self.max_positions = config.get("max_position_embeddings")
        self.pad_id = config.get("pad_token_id")
        self.name_or_path = config.get("_name_or_path") or None
        # Batches run at once, one ONNX Runtime thread each: as many at a time as the runtime has threads.
        self.runtime = runtime or Runtime("cpu", "int8").resolve()

    @classmethod
    def from_torch(cls, model: Any, tokenizer: Any, task: str, heads: Mapping[str, TaskHead], runtime: Runtime | None = None) -> OnnxBackend:
        """Quantise an in-memory torch classifier (nothing is cached)."""
        with tempfile.TemporaryDirectory(prefix="stance-onnx-") as tmp:
            export_int8(model, tokenizer, Path(tmp), task, heads)
            return cls(tmp, runtime)

    def map_batches(
        self, batches: Iterable[list[int]], inputs_of: Callable[[list[int]], dict[str, np.ndarray]], features: bool = False
    ) -> Iterator[list[np.ndarray]]:
        """Every task's logits for each batch, ``threads`` batches at a time, in order (ONNX Runtime frees the GIL).
        The export holds the logits only: asked for ``features``, a ModelError."""
        if features:
            raise ModelError("the int8 export gives labels only, not the encoder's vectors; load the model with precision fp32 or bf16",
                             settings="precision")

        def logits(batch: list[int]) -> list[np.ndarray]:
            inputs = inputs_of(batch)
            return self.session.run(None, {name: inputs[name] for name in self.input_names})

        with ThreadPoolExecutor(self.runtime.threads) as pool:
            yield from pool.map(logits, batches)


def load_int8(
    model_dir: Path, base_dir: Path | None, task: str, reference: Callable[[], tuple[Any, Any, dict[str, TaskHead]]]
) -> tuple[OnnxBackend, Any]:
    """The cached int8 export of the model in ``model_dir`` (a difference from ``base_dir`` where given)
    and its tokenizer; built first from ``reference()`` (the fp32 torch model, tokenizer and further
    heads; the model's own head answers ``task``) when it is not cached, or damaged."""
    from stance.io.files import atomic_directory

    export = cached_export(model_dir, base_dir)
    if is_complete_export(export):
        try:
            return open_export(export)
        except Exception:  # damaged on disk since it was written (onnxruntime has its own error types)
            shutil.rmtree(export, ignore_errors=True)
    model, tokenizer, heads = reference()
    try:
        with atomic_directory(export) as tmp:
            export_int8(model, tokenizer, tmp, task, heads)
    except (OSError, OutputError) as err:
        if not is_complete_export(export):  # else another process has just built it
            raise ModelError(
                f"{export}: cannot write the int8 model there ({first_line(err)}); "
                "set STANCE_CACHE to a writable folder, or use fp32 precision", settings="precision"
            ) from None
    except Exception as err:  # the exporter and quantiser raise many types
        raise ModelError(
            f"{model_dir}: cannot convert the model to int8 ({first_line(err)}); use fp32 precision", settings="precision"
        ) from None
    try:
        return open_export(export)
    except Exception as err:
        raise ModelError(f"{export}: the int8 model just built there does not load ({first_line(err)})") from None


def export_int8(model: Any, tokenizer: Any, directory: Path, task: str = "stance", heads: Mapping[str, TaskHead] | None = None) -> None:
    """Write a torch sequence classifier and its further ``heads`` to ``directory`` as one int8 ONNX
    graph (an output per task), with its config, the tasks' labels and tokenizer.json."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from stance.model.windows import rust_tokenizer

    with tempfile.TemporaryDirectory(prefix="stance-onnx-fp32-") as tmp, quiet_exporters():
        fp32 = Path(tmp) / "model.onnx"
        export_fp32(model, tokenizer, fp32, heads or {})
        # MatMul only: the embeddings (Gather) and the pooler and head (Gemm) stay fp32, which keeps
        # data/test macro-F1 within 0.4 points of fp32 (0.6 with them quantised) at no cost in speed.
        quantize_dynamic(
            fp32, directory / ONNX_FILE, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]
        )
    model.config.to_json_file(directory / CONFIG_FILE)
    own = [str(model.config.id2label[i]) for i in range(len(model.config.id2label))]
    tasks = {task: own} | {name: head.labels for name, head in (heads or {}).items()}
    (directory / TASKS_FILE).write_text(json.dumps(tasks), encoding="utf-8")
    rust_tokenizer(tokenizer).save(str(directory / TOKENIZER_FILE))
    (directory / CHECKSUM_FILE).write_text(json.dumps(_fingerprint(directory / ONNX_FILE)), encoding="utf-8")


def _fingerprint(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return {"size": os.fstat(handle.fileno()).st_size, "sha256": hashlib.file_digest(handle, "sha256").hexdigest()}


def export_fp32(model: Any, tokenizer: Any, path: Path, heads: Mapping[str, TaskHead] | None = None) -> None:
    """Trace a torch sequence classifier and its further heads to one ONNX graph, with batch and
    sequence length left dynamic: an output per task, the model's own head's (``logits``) first."""
    import torch

    from stance.model.heads import run_with_heads

    heads = heads or {}

    class AllTasks(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.heads = torch.nn.ModuleDict({name: head.module for name, head in heads.items()})

        def forward(self, *tensors: Any) -> tuple[Any, ...]:
            own, further = run_with_heads(self.model, heads, dict(zip(names, tensors)))
            return (own, *further.values())

    # In the order of forward()'s parameters: the tracer names graph inputs by position.
    names = [
        name for name in inspect.signature(model.forward).parameters
        if name in tokenizer.model_input_names and name in ("input_ids", "token_type_ids", "attention_mask")
    ]
    sample = tokenizer(["a target"] * 2, ["a comment"] * 2, return_tensors="pt")  # no padding: some tokenizers have no pad token
    outputs = ["logits", *heads]
    axes = {name: {0: "batch", 1: "tokens"} for name in names} | {name: {0: "batch"} for name in outputs}
    with torch.inference_mode(), quiet_exporters(), _eager_attention(model):
        torch.onnx.export(
            AllTasks().float().eval(), tuple(sample[name] for name in names), str(path),
            input_names=names, output_names=outputs, dynamic_axes=axes, opset_version=17, dynamo=False,
        )


def cached_export(model_dir: Path, base_dir: Path | None = None) -> Path:
    """Where the int8 export of the model in ``model_dir`` is cached: a folder named by the files' hash.

    A compact model (a difference from ``base_dir``) also depends on its base; that is keyed by the
    base's file names, sizes and times, which is cheap and changes when the base is replaced.
    """
    import onnxruntime

    digest = hashlib.sha256(f"{EXPORT_RECIPE} onnxruntime {onnxruntime.__version__}".encode())
    for file in _model_files(model_dir):
        digest.update(file.relative_to(model_dir).as_posix().encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    if base_dir is not None:
        for file in _model_files(base_dir):
            stat = file.stat()
            digest.update(f"{file.resolve()} {stat.st_size} {stat.st_mtime_ns}".encode())
    return cache_root() / "onnx" / digest.hexdigest()[:24]


def _model_files(directory: Path) -> list[Path]:
    """The files that make a model: hidden folders (.git, caches) and the model card left out."""
    return sorted(
        path for path in directory.rglob("*")
        if path.is_file() and path.name != "README.md" and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def open_export(directory: Path) -> tuple[OnnxBackend, Any]:
    """The model and the Rust tokenizer of an export written by :func:`export_int8`; a graph whose
    size or checksum differs from those recorded at export is refused (ModelError)."""
    from tokenizers import Tokenizer

    if _fingerprint(directory / ONNX_FILE) != json.loads((directory / CHECKSUM_FILE).read_text(encoding="utf-8")):
        raise ModelError(f"{directory / ONNX_FILE}: changed since it was exported (its checksum differs)")
    return OnnxBackend(directory), Tokenizer.from_file(str(directory / TOKENIZER_FILE))


def is_complete_export(directory: Path) -> bool:
    return all((directory / name).is_file() for name in (ONNX_FILE, CONFIG_FILE, TASKS_FILE, TOKENIZER_FILE, CHECKSUM_FILE))


@contextmanager
def _eager_attention(model: Any) -> Iterator[None]:
    """Trace eager attention (plain MatMul and Softmax): SDPA's traced mask guards run ~5 % slower."""
    previous = getattr(model.config, "_attn_implementation", None)
    if previous is None or not hasattr(model, "set_attn_implementation"):
        yield
        return
    model.set_attn_implementation("eager")
    try:
        yield
    finally:
        model.set_attn_implementation(previous)


@contextmanager
def quiet_exporters() -> Iterator[None]:
    """Drop the exporter's tracer warnings and the quantiser's log lines (the API prints nothing),
    leaving everyone else's logging as it is: only records from those libraries' files are dropped.
    Each entry adds its own filter and removes only that one, so nested blocks stay quiet."""
    import logging
    import warnings

    def drop(record: logging.LogRecord) -> bool:  # a new filter object per entry
        return _not_from_exporters(record)

    root = logging.getLogger()
    # The root logger's own filter catches records logged on it directly (the quantiser calls
    # logging.warning); the handlers' catch those that propagate from the libraries' loggers.
    targets = [root, *root.handlers, *([logging.lastResort] if logging.lastResort else [])]
    for target in targets:
        target.addFilter(drop)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for target in targets:
            target.removeFilter(drop)


def _not_from_exporters(record: Any) -> bool:
    path = record.pathname.replace(os.sep, "/")
    return not any(part in path for part in ("/onnxruntime/", "/torch/onnx/", "/onnx/"))
