"""Which device runs the model: an accelerator where one is present, else the CPU.

``auto`` asks torch only where the machine shows a sign of an accelerator (an NVIDIA driver, an
Apple-silicon Mac), so that the int8 path on a plain CPU machine never imports torch.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stance.core.checks import is_whole_number
from stance.errors import ConfigError, ModelError

DEVICES = ("auto", "cpu", "cuda", "mps")


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` where torch sees a CUDA GPU, else ``mps`` on Apple silicon, else ``cpu``.

    An explicit ``cuda`` or ``mps`` that torch cannot use is an error, not a silent fall-back.
    """
    if device not in DEVICES:
        raise ConfigError(f"device {device!r}: expected one of {', '.join(DEVICES)}", settings="device")
    if device == "cpu" or device == "auto" and not may_have_accelerator():
        return "cpu"
    available = _available_accelerators()
    if device == "auto":
        return available[0] if available else "cpu"
    if device not in available:
        raise ModelError(
            f"device {device!r}: torch sees no such device here (torch {_torch_version()}; "
            f"{'a CPU build' if device == 'cuda' else 'not an Apple-silicon Mac'}?); use the CPU", settings="device"
        )
    return device


def may_have_accelerator() -> bool:
    """A cheap look for an accelerator, without importing torch (whose import takes a second)."""
    if "torch" in sys.modules:
        return True
    if sys.platform == "darwin":
        return platform.machine() == "arm64"
    return Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi") is not None


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or ``taskset`` narrows)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_threads(threads: int | None) -> int:
    """CPU threads to compute with: ``threads`` (a whole number, 1 or more), or every usable core."""
    if threads is None:
        return usable_cores()
    if not is_whole_number(threads, 1):
        raise ConfigError(f"threads {threads!r}: expected a whole number of CPU threads, 1 or more", settings="threads")
    return threads


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Torch computes with ``threads`` CPU threads within the block; the process's setting is restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux lists them (``amx_bf16``, ``avx512_bf16``, ``avx512_vnni``, ...);
    empty where /proc/cpuinfo is not there to read."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def supports_bf16(device: str) -> bool:
    """Whether ``device`` computes in bfloat16 at full speed (CUDA GPUs from Ampere on)."""
    if device != "cuda":
        return False
    import torch

    return bool(torch.cuda.is_bf16_supported())


def runs_bf16_fast(device: str) -> bool:
    """Whether bfloat16 pays on a resolved ``device``: a CUDA GPU that runs it at full speed, or a CPU with AMX,
    whose bf16 matrix units run several times faster than fp32 (scripts/bench_train.py)."""
    return supports_bf16(device) if device == "cuda" else device == "cpu" and "amx_bf16" in cpu_flags()


def _available_accelerators() -> list[str]:
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found


def _torch_version() -> str:
    import torch

    return torch.__version__
