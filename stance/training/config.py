"""How to fine-tune: one dataclass that is the only home of every training default, and checks itself.

The CLI, the scikit-learn estimator, cross-validation and ``scripts/train_default.py`` all start from
these defaults; the window sizes are the ones the bundled model was trained with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from stance.core.checks import is_whole_number, parse_whole_number
from stance.errors import ConfigError
from stance.model import DEFAULT_MAX_LENGTH, DEFAULT_MAX_TARGET_TOKENS
from stance.model.names import DEFAULT_BASE_MODEL
from stance.model.runtime import Runtime

METHODS = ("full", "lora", "contrastive")
PRECISIONS = ("auto", "fp32", "bf16")
# How many of the encoder's top layers train by default (full and contrastive; LoRA adapts every layer):
# the embeddings and the layers below are frozen and run once per comment (stance.training.frozen).
# Chosen with the learning rates below by scripts/bench_train.py, on validation comments.
DEFAULT_TRAINABLE_LAYERS = 3
LEARNING_RATES = {"frozen": 1e-4, "all": 5e-5, "lora": 5e-4}  # the top layers alone learn best at a higher rate


@dataclass
class TrainingConfig:
    """How to fine-tune. Defaults suit MiniLM-sized models on a laptop CPU.

    Raises :class:`~stance.errors.ConfigError` (a ``ValueError``) when a setting is out of range.
    """

    base_model: str = DEFAULT_BASE_MODEL
    init_from: str | None = None  # a model directory (e.g. the bundled one) whose encoder and heads training starts from
    # every weight; small LoRA adapters; or every weight after a contrastive step (SetFit's: pairs
    # of comments with the same or different labels, for a few hundred labelled comments or fewer)
    method: Literal["full", "lora", "contrastive"] = "full"
    epochs: float = 4.0  # chosen by scripts/bench_train.py on validation comments (4 beat 3 by 1.2 points, mean of 3 seeds)
    batch_size: int = 32  # on a CPU, faster per comment than 16
    learning_rate: float | None = None  # None: by method and trainable layers (LEARNING_RATES)
    # the encoder's top layers that train: a number (the embeddings and the layers below are frozen, run
    # once per comment and cached), "all" (every weight, the embeddings too), None: the method's default
    trainable_layers: int | Literal["all"] | None = None
    # what training computes in: bf16 (mixed precision) where it runs fast, "auto": on a CUDA GPU (fp16
    # where it lacks bf16) and on a CPU with AMX; fp32 elsewhere
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    max_length: int = DEFAULT_MAX_LENGTH  # tokens per window (target + comment)
    max_target_tokens: int = DEFAULT_MAX_TARGET_TOKENS  # the target is cut to this (and to half the window)
    validation_fraction: float = 0.1  # held out when no validation set is given
    class_weights: bool = True  # rare labels weigh more in the loss (square root of inverse frequency)
    target_dropout: float = 0.0  # share of training comments shown without their target
    seed: int = 42
    device: str = "auto"  # a GPU where present (mixed precision there), else the CPU
    threads: int | None = None  # CPU threads torch computes with; None: every core the process may use
    eval_batch_size: int = 64
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06  # share of the steps over which the learning rate warms up
    checkpoints_kept: int = 2  # the best and the newest, for --resume
    # the model is scored and saved after every epoch, or every 1/max_evaluations of the run when there
    # are more epochs than this (a few dozen comments trained for 40 epochs need not be saved 40 times)
    max_evaluations: int = 10
    logging_steps: int = 10  # how often the loss is logged: the loss progress lines show
    lora_rank: int = 16
    lora_alpha: int | None = None  # None: twice the rank
    lora_dropout: float = 0.1
    contrastive_rounds: int = 2  # passes over the comments, each pairing every one with a like and an unlike comment
    contrastive_learning_rate: float = 2e-5

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"method {self.method!r}: expected one of {', '.join(METHODS)}", settings="method")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision {self.precision!r}: expected one of {', '.join(PRECISIONS)}", settings="precision")
        self.runtime()  # checks the device and threads
        _check(self.epochs > 0, "epochs", self.epochs, "a positive number of passes over the data")
        for name in ("batch_size", "eval_batch_size", "checkpoints_kept", "max_evaluations", "logging_steps", "lora_rank", "contrastive_rounds"):
            _check(is_whole_number(getattr(self, name), 1), name, getattr(self, name), "a whole number, 1 or more")
        _check(is_whole_number(self.max_length, 16), "max_length", self.max_length, "16 tokens or more")
        _check(is_whole_number(self.max_target_tokens, 1), "max_target_tokens", self.max_target_tokens, "1 or more")
        _check(self.learning_rate is None or self.learning_rate > 0, "learning_rate", self.learning_rate, "a positive number")
        _check(self.contrastive_learning_rate > 0, "contrastive_learning_rate", self.contrastive_learning_rate, "a positive number")
        _check(0 < self.validation_fraction < 1, "validation_fraction", self.validation_fraction, "between 0 and 1")
        for name in ("target_dropout", "lora_dropout", "warmup_ratio"):
            _check(0 <= getattr(self, name) < 1, name, getattr(self, name), "from 0 up to 1")
        if isinstance(self.trainable_layers, str):  # as a flag or a file gives it: a count, or a word checked below
            count = parse_whole_number(self.trainable_layers)
            self.trainable_layers = self.trainable_layers if count is None else count
        layers = self.trainable_layers
        _check(layers is None or layers == "all" or is_whole_number(layers, 0), "trainable_layers", layers, "a whole number, 0 or more, or 'all'")
        if self.method == "lora" and layers not in (None, "all"):
            raise ConfigError("trainable_layers: LoRA trains adapters on every layer; freeze layers with method 'full'", settings=("trainable_layers", "method"))
        _check(self.weight_decay >= 0, "weight_decay", self.weight_decay, "0 or more")
        _check(self.lora_alpha is None or self.lora_alpha > 0, "lora_alpha", self.lora_alpha, "a positive number")

    def runtime(self) -> Runtime:
        """Where the model computes while it trains: the device and CPU threads (its weights stay fp32; the
        mixed precision the Trainer may add is :meth:`resolved_precision`)."""
        return Runtime(device=self.device, threads=self.threads)

    def resolved_learning_rate(self) -> float:
        if self.learning_rate:
            return self.learning_rate
        if self.method == "lora":
            return LEARNING_RATES["lora"]
        return LEARNING_RATES["all" if self.resolved_trainable_layers() == "all" else "frozen"]

    def resolved_trainable_layers(self) -> int | Literal["all"]:
        """How many top layers train: as set, else every layer for LoRA and :data:`DEFAULT_TRAINABLE_LAYERS` otherwise."""
        if self.trainable_layers is not None:
            return self.trainable_layers
        return "all" if self.method == "lora" else DEFAULT_TRAINABLE_LAYERS

    def resolved_precision(self, device: str) -> str:
        """What training computes in on a resolved ``device``: ``fp32``, ``bf16`` or ``fp16`` (mixed precision).

        ``auto`` is bf16 on a CUDA GPU that runs it at full speed (fp16 on older ones) and on a CPU with
        AMX, whose bf16 matrix units train several times faster than fp32 (scripts/bench_train.py);
        fp32 on other CPUs, where bf16 is emulated or gains little, and on Apple's MPS.
        """
        from stance.model.devices import runs_bf16_fast, supports_bf16

        if self.precision == "auto":
            return "bf16" if runs_bf16_fast(device) else "fp16" if device == "cuda" else "fp32"
        if self.precision == "bf16" and device == "cuda" and not supports_bf16(device):
            raise ConfigError("precision bf16: this GPU does not run bf16; use auto (fp16 there) or fp32", settings="precision")
        return self.precision

    def to_dict(self) -> dict[str, Any]:
        """Every setting, with the learning rate and trainable layers resolved (what the model card records)."""
        return asdict(self) | {"learning_rate": self.resolved_learning_rate(), "trainable_layers": self.resolved_trainable_layers()}

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> TrainingConfig:
        """A config from :meth:`to_dict`'s output; unknown keys are an error, not silently dropped."""
        unknown = sorted(set(settings) - {f.name for f in fields(cls)})
        if unknown:
            raise ConfigError(f"unknown training settings {unknown}")
        return cls(**settings)


def _check(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{name} {value!r}: expected {expected}", settings=name)
