"""Numeric precision for inference on CPU: fp32 (the reference), bf16 and dynamic int8.

bf16 runs the model in bfloat16 (fast where the CPU has AMX or AVX-512 BF16); int8 quantises the
linear layers' weights and activations on the fly (torch dynamic quantisation, VNNI). Both change
the scores slightly; ``scripts/bench_speed.py`` measures by how much.
"""

from __future__ import annotations

from typing import Any

from stance.errors import ModelError

PRECISIONS = ("fp32", "bf16", "int8")
CHOICES = ("auto", *PRECISIONS)  # auto: bf16 where the CPU runs it natively, else fp32


def resolve_precision(precision: str) -> str:
    """``auto`` → ``bf16`` on CPUs with native bf16 (AMX or AVX-512 BF16), else ``fp32``."""
    if precision != "auto":
        return precision
    return "bf16" if cpu_has_native_bf16() else "fp32"


def cpu_has_native_bf16() -> bool:
    """Whether the CPU flags include AMX-BF16 or AVX-512 BF16 (Linux; elsewhere assume not)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            flags = next((line for line in handle if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def apply_precision(model: Any, precision: str) -> Any:
    """The model converted to ``precision`` (one of :data:`PRECISIONS`); fp32 returns it unchanged."""
    import torch

    precision = resolve_precision(precision)
    if precision not in PRECISIONS:
        raise ModelError(f"precision {precision!r}: expected one of {', '.join(CHOICES)}")
    if precision == "bf16":
        return model.to(torch.bfloat16)
    if precision == "int8":
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model
