"""Where and how a classifier computes: one validated object, settled once and passed whole to the backend,
to Ray's workers and to training (as setfit's ``TrainingArguments`` carries a run's settings)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from stance.core.checks import is_whole_number
from stance.errors import ConfigError
from stance.model.devices import DEVICES, resolve_threads
from stance.model.precision import BATCH_SIZES, CHOICES, resolve_runtime


@dataclass(frozen=True)
class Runtime:
    """``device``: ``auto`` (a GPU where present, else the CPU), ``cpu``, ``cuda`` or ``mps``. ``precision``:
    ``fp32`` (the reference), ``bf16``, ``int8`` (ONNX Runtime on the CPU) or ``auto`` (on a CPU bf16 where it has
    AMX, else fp32; on a GPU bf16 or fp32). ``threads``: CPU threads to compute with (None: every core the process may use; fewer
    where other jobs share the machine). ``batch_size``: windows per model batch (None: the fastest measured
    for the precision). :meth:`resolve` settles every ``auto`` and None once."""

    device: str = "auto"
    precision: str = "fp32"
    threads: int | None = None
    batch_size: int | None = None

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ConfigError(f"device {self.device!r}: expected one of {', '.join(DEVICES)}", settings="device")
        if self.precision not in CHOICES:
            raise ConfigError(f"precision {self.precision!r}: expected one of {', '.join(CHOICES)}", settings="precision")
        if self.threads is not None:
            resolve_threads(self.threads)
        if self.batch_size is not None and not is_whole_number(self.batch_size, 1):
            raise ConfigError(f"batch size {self.batch_size!r}: expected a whole number of windows, 1 or more", settings="batch_size")

    @classmethod
    def of(cls, runtime: Runtime | None = None, **options: Any) -> Runtime:
        """``runtime`` (default: the defaults) with the ``options`` that are given (not None) in its place."""
        unknown = set(options) - set(RUNTIME_OPTIONS)
        if unknown:
            raise TypeError(f"not runtime options: {', '.join(sorted(unknown))}")
        given = {name: value for name, value in options.items() if value is not None}
        return dataclasses.replace(runtime or cls(), **given)

    def resolve(self) -> Runtime:
        """The same runtime with nothing left open: the device and precision ``auto`` settled (int8 with the
        device left to ``auto`` runs on the CPU, where it runs), every usable core, the precision's batch size."""
        device, precision = resolve_runtime(self.device, self.precision)
        return Runtime(device, precision, resolve_threads(self.threads), self.batch_size or BATCH_SIZES[precision])


RUNTIME_OPTIONS = tuple(field.name for field in dataclasses.fields(Runtime))  # the keyword arguments a Runtime is made of
