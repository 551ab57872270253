"""Numeric precision for inference on CPU: fp32 (the reference), bf16 and int8, and which one ``auto`` takes.

bf16 runs the torch model in bfloat16 (fast where the CPU has AMX, slower than fp32 without it); int8 runs an
ONNX export whose linear layers are quantised to int8 (ONNX Runtime, VNNI where the CPU has it; see
:mod:`stance.model.onnx`). Both change the scores slightly; ``scripts/bench_speed.py`` measures by how much.
``auto`` on a CPU is chosen from its features (:func:`cpu_precision`).
"""

from __future__ import annotations

from stance.errors import ConfigError, ModelError

PRECISIONS = ("fp32", "bf16", "int8")
CHOICES = ("auto", *PRECISIONS)  # auto: the fastest path that agrees with fp32 on this CPU (cpu_precision)
# Windows per batch. int8 quantises each batch's activations over the batch's own range, so a window's scores
# would depend on the windows beside it: one window per batch keeps them its own. bf16 batches on the CPU are
# filled and bucketed so that they do not (stance.model.backends); 32 was the fastest bf16 size on 2 cores
# (docs/benchmarks.md, issue 35).
BATCH_SIZES = {"fp32": 32, "bf16": 32, "int8": 1}


def cpu_precision() -> tuple[str, str]:
    """What ``auto`` runs on this CPU, and why: the fastest path whose labels agree with fp32's on at least 99.5 %
    of comments. bf16 where the CPU has AMX (2.8-3.0 times fp32's speed there, 99.7 % of labels as fp32's); elsewhere
    fp32, since without AMX bf16 runs slower than fp32 even with AVX-512 BF16 (scripts/bench_cpu_paths.py), and
    int8 changes 3-4 % of the labels (scripts/bench_speed.py)."""
    from stance.model.devices import runs_bf16_fast

    if runs_bf16_fast("cpu"):
        return "bf16", "this CPU has AMX bf16 matrix units"
    return "fp32", "no AMX on this CPU, where bf16 is slower than fp32; int8 is faster but changes 3-4 % of labels"


def resolve_precision(precision: str, device: str = "cpu") -> str:
    """``auto`` → on the CPU what :func:`cpu_precision` picks, ``bf16`` on a GPU that runs it at full speed,
    else ``fp32``.

    ``device`` is a resolved device (:func:`stance.model.devices.resolve_device`); int8 runs on the CPU only.
    """
    from stance.model.devices import supports_bf16

    if precision not in CHOICES:
        raise ConfigError(f"precision {precision!r}: expected one of {', '.join(CHOICES)}", settings="precision")
    if precision == "auto":
        return cpu_precision()[0] if device == "cpu" else "bf16" if supports_bf16(device) else "fp32"
    if precision == "int8" and device != "cpu":
        raise ModelError(
            f"precision int8 runs on the CPU (ONNX Runtime), not {device}; use the CPU or fp32", settings=("device", "precision")
        )
    return precision


def vector_precision(precision: str, device: str = "auto") -> str:
    """The precision for work that reads the model's vectors (`stance suggest`), which only the torch model
    gives: ``auto`` as for classifying (never int8); int8 is an error."""
    from stance.model.devices import resolve_device

    if precision == "int8":
        raise ConfigError("precision int8 gives labels only, not the model's vectors; use auto, fp32 or bf16", settings="precision")
    return resolve_precision(precision, resolve_device(device))


def resolve_runtime(device: str, precision: str) -> tuple[str, str]:
    """The device and precision a classifier runs with: ``auto`` settled for both. int8 asked for
    with the device left to ``auto`` runs on the CPU, where it runs, even on a machine with a GPU."""
    from stance.model.devices import resolve_device

    resolved = resolve_device("cpu" if precision == "int8" and device == "auto" else device)
    return resolved, resolve_precision(precision, resolved)
