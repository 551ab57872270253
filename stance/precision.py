"""Numeric precision for inference on CPU: fp32 (the reference), bf16 and dynamic int8.

bf16 runs the model in bfloat16 (fast where the CPU has AMX or AVX-512 BF16); int8 quantises the
linear layers' weights and activations on the fly (torch dynamic quantisation, VNNI). Both change
the scores slightly; ``scripts/bench_speed.py`` measures by how much.
"""

from __future__ import annotations

from typing import Any

from stance.errors import ModelError

PRECISIONS = ("fp32", "bf16", "int8")


def apply_precision(model: Any, precision: str) -> Any:
    """The model converted to ``precision`` (one of :data:`PRECISIONS`); fp32 returns it unchanged."""
    import torch

    if precision not in PRECISIONS:
        raise ModelError(f"precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    if precision == "bf16":
        return model.to(torch.bfloat16)
    if precision == "int8":
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model
