"""A fine-tuned model stored as its difference from the base model, a few MB instead of ~90.

Each weight matrix's change is kept as a rank-``r`` factorisation (truncated SVD), vectors (biases,
layer norms) in full, new tensors (the classification head) in full, unchanged tensors not at all.
Loading adds the difference back onto the base model, which is installed separately.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

DELTA_FILE = "delta.safetensors"
_LEFT, _RIGHT, _FULL = ".delta_left", ".delta_right", ".delta_full"


def compute_delta(tuned: Mapping[str, Any], base: Mapping[str, Any], rank: int) -> dict[str, Any]:
    """Tensors that rebuild ``tuned`` from ``base``: low-rank factors for matrices, the rest in full (fp16)."""
    import torch

    delta: dict[str, Any] = {}
    for name, weight in tuned.items():
        weight = weight.detach().float().cpu()  # a model trained on a GPU is compared on the CPU
        if name not in base or base[name].shape != weight.shape:
            delta[name + _FULL] = weight.clone().half()
            continue
        change = weight - base[name].float()
        if not torch.any(change):
            continue
        if change.ndim == 2 and min(change.shape) > 2 * rank:
            u, s, vh = torch.linalg.svd(change, full_matrices=False)
            delta[name + _LEFT] = (u[:, :rank] * s[:rank]).contiguous().half()
            delta[name + _RIGHT] = vh[:rank].contiguous().half()
        else:
            delta[name + _FULL] = weight.clone().half()
    return delta


def apply_delta(model: Any, delta: Mapping[str, Any]) -> Any:
    """Add a stored difference onto ``model`` (the base with a fresh head) in place, and return it."""
    import torch

    state = model.state_dict()
    with torch.no_grad():
        for key, value in delta.items():
            if key.endswith(_FULL):
                name = key[: -len(_FULL)]
                state[name].copy_(value.to(state[name].dtype))
            elif key.endswith(_LEFT):
                name = key[: -len(_LEFT)]
                right = delta[name + _RIGHT].float()
                state[name].add_((value.float() @ right).to(state[name].dtype))
    return model


def save_delta(model: Any, base_model: Any, directory: Path, rank: int) -> None:
    """Write ``delta.safetensors`` into ``directory``."""
    from safetensors.torch import save_file

    save_file(compute_delta(model.state_dict(), base_model.state_dict(), rank), str(directory / DELTA_FILE))


def load_delta(model: Any, directory: Path) -> Any:
    """Apply the ``delta.safetensors`` in ``directory`` onto ``model``."""
    from safetensors.torch import load_file

    return apply_delta(model, load_file(str(directory / DELTA_FILE)))
