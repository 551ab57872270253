"""What a user pastes into a bug report: versions, the default model, the int8 cache, the device."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from stance.model.devices import cpu_flags
from stance.model.precision import cpu_precision, resolve_runtime
from stance.training.config import TrainingConfig

# The CPU features the numeric paths depend on: bf16 and int8 matrix units and vector instructions.
SPEED_FLAGS = frozenset({"avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16", "amx_int8"})

PACKAGES = ("stance", "torch", "transformers", "onnxruntime")


def system_info() -> dict[str, str | list[str]]:
    """Facts about this installation, in the order ``stance info`` prints them.

    Nothing here imports torch unless the machine shows a sign of an accelerator (see
    :func:`stance.model.devices.may_have_accelerator`), so it answers in a fraction of a second.
    """
    from stance.io.files import cache_root
    from stance.model.storage import ModelSettings, default_model_path
    from stance.training.model_card import describe_figure

    info: dict[str, str | list[str]] = {name: _version(name) for name in PACKAGES}
    model = Path(default_model_path())
    info["default model"] = str(model) + ("" if model.exists() else " (missing)")
    settings = ModelSettings.read(model) if model.is_dir() else None
    info["default model tasks"] = [f"{task}: {', '.join(labels)}" for task, labels in settings.tasks().items()] if settings else []
    info["model figures"] = [describe_figure(figure) for figure in (settings.figures or [])] if settings else []
    cache = cache_root()
    size = sum(file.stat().st_size for file in cache.rglob("*") if file.is_file()) if cache.exists() else 0
    info["int8 cache"] = f"{cache} ({size / 2**20:.1f} MiB)"
    device, precision = resolve_runtime("auto", "auto")
    info["auto device"] = device
    info["auto precision"] = f"{precision} ({cpu_precision()[1]})" if device == "cpu" else precision
    info["auto training precision"] = TrainingConfig().resolved_precision(device)
    info["CPU features"] = ", ".join(sorted(cpu_flags() & SPEED_FLAGS)) or "none of " + ", ".join(sorted(SPEED_FLAGS))
    return info


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
