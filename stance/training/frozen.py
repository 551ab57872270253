"""Training only the top of the encoder, on features its frozen bottom computes once.

The embeddings and the lower layers of a transformer, frozen, give a window the same output in every
epoch. So they run once per window (inference mode, batched by length), their output is kept in fp16
in a memory-mapped file in the run's checkpoint folder (reused by ``--resume``), and training runs
only the upper layers, the pooler and the heads on it: the bulk of the work of every epoch is gone.
The bottom runs as at inference, without dropout. The model is never rebuilt: within
:func:`layers_swapped` it runs with a slice of its own layer list (and, for the top, the embeddings
replaced by a pass-through), so its own code still builds the attention masks, and a model trained
this way is a plain Hugging Face directory like any other.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

import numpy as np
import torch

from stance.errors import ConfigError, ModelError, OutputError, first_line
from stance.model.heads import encoder_of
from stance.model.windows import round_up

FEATURE_DTYPE = np.float16  # what the cached hidden states are kept in: half the memory, ample precision
# Batches are padded to a multiple of this many tokens: oneDNN builds (and keeps) kernels for each
# shape it meets, and a shape per sequence length made training's memory grow by a gigabyte.
PAD_MULTIPLE = 8
SPLIT_TOLERANCE = 1e-3  # largest difference allowed between the split encoder's output and the whole one's


class PassThrough(torch.nn.Module):
    """Stands in for the embeddings of the top half: its input is the cached output of the bottom."""

    def forward(self, *args: Any, inputs_embeds: torch.Tensor | None = None, **kwargs: Any) -> torch.Tensor:
        if inputs_embeds is None:  # passed by position (DistilBERT)
            inputs_embeds = next((value for value in args if torch.is_tensor(value) and value.is_floating_point()), None)
        if inputs_embeds is None:
            raise ModelError("the top of a split encoder needs the cached hidden states as inputs_embeds")
        return inputs_embeds


def layer_list(model: Any) -> tuple[Any, str]:
    """The module holding the encoder's layers and its attribute name: the one ``ModuleList`` of the
    encoder as long as the model's number of layers (``encoder.layer`` in BERT, ``transformer.layer``
    in DistilBERT, ...)."""
    encoder = encoder_of(model)
    count = getattr(model.config, "num_hidden_layers", None)
    for owner in encoder.modules():
        for name, child in owner.named_children():
            if isinstance(child, torch.nn.ModuleList) and len(child) == count:
                return owner, name
    raise ConfigError(
        f"{type(model).__name__}: no list of {count} layers found, so its lower layers cannot be frozen; train every layer",
        settings="trainable_layers",
    )


def layer_count(model: Any) -> int:
    owner, name = layer_list(model)
    return len(getattr(owner, name))


@contextmanager
def layers_swapped(model: Any, layers: slice, *, embeddings: torch.nn.Module | None = None) -> Iterator[None]:
    """Within the block ``model`` runs only ``layers`` of its encoder (and ``embeddings`` in place of
    its own, where given); its own modules are back afterwards, also after an error."""
    owner, name = layer_list(model)
    encoder = encoder_of(model)
    every_layer, own_embeddings = getattr(owner, name), encoder.embeddings
    setattr(owner, name, torch.nn.ModuleList(list(every_layer)[layers]))
    if embeddings is not None:
        encoder.embeddings = embeddings
    try:
        yield
    finally:
        setattr(owner, name, every_layer)
        encoder.embeddings = own_embeddings


def frozen_parameters(model: Any, frozen: int) -> dict[str, torch.nn.Parameter]:
    """Every weight of the encoder that training leaves as it is: all but the top layers' own and the
    pooler's. That is the embeddings and the bottom layers, and also weights an encoder shares among
    its layers (DeBERTa's relative embeddings, MPNet's attention bias), which the cache depends on."""
    owner, name = layer_list(model)
    encoder = encoder_of(model)
    pooler = getattr(encoder, "pooler", None)
    trained = {id(p) for module in [*getattr(owner, name)[frozen:], *([pooler] if pooler is not None else [])] for p in module.parameters()}
    return {key: p for key, p in encoder.named_parameters() if id(p) not in trained}


def bottom_output(model: Any, frozen: int, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    """The hidden states entering layer ``frozen`` (the embeddings' output for 0)."""
    with layers_swapped(model, slice(0, frozen)):
        return encoder_of(model)(**inputs).last_hidden_state


def top_only(model: Any, frozen: int) -> Any:
    """Within the block ``model`` takes the hidden states entering layer ``frozen`` as ``inputs_embeds``."""
    return layers_swapped(model, slice(frozen, None), embeddings=PassThrough())


def as_inputs(arrays: dict[str, np.ndarray], device: str) -> dict[str, torch.Tensor]:
    """Padded window arrays (``WindowEncoder.pad``) as model inputs on ``device``."""
    return {name: torch.as_tensor(array, device=device) for name, array in arrays.items()}


@contextmanager
def evaluating(model: Any) -> Iterator[None]:
    """``model`` in eval mode and without gradients within the block; its mode is restored after."""
    training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        model.train(training)


def check_split(model: Any, frozen: int, inputs: dict[str, torch.Tensor]) -> None:
    """Fail where running the bottom and then the top does not give the whole encoder's output (an
    architecture whose encoder does more than run its layers in turn: a final norm, a projection)."""
    encoder = encoder_of(model)
    try:
        with evaluating(model):
            whole = encoder(**inputs).last_hidden_state
            hidden = bottom_output(model, frozen, inputs)
            with top_only(model, frozen):
                split = encoder(inputs_embeds=hidden, attention_mask=inputs.get("attention_mask")).last_hidden_state
        difference = float((whole - split).abs().max()) if whole.shape == split.shape else float("inf")
        problem = f"output differs by {difference:.2g}"
    except (RuntimeError, TypeError, ValueError) as err:
        difference, problem = float("inf"), f"run fails: {first_line(err)}"
    if not difference <= SPLIT_TOLERANCE:
        raise ConfigError(
            f"{type(model).__name__}: its layers cannot be run apart (the split encoder's {problem}); train every layer",
            settings="trainable_layers",
        )


class FeatureStore:
    """The cached hidden states of windows: one fp16 array of every window's tokens, memory-mapped,
    and where each window starts in it (``offsets``, from the windows' lengths)."""

    def __init__(self, path: Path, offsets: np.ndarray) -> None:
        self.path = path
        self.offsets = offsets
        self.hidden = np.load(path, mmap_mode="r")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def batch(self, windows: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """The windows' hidden states (float32, right-padded to the longest) and their attention mask."""
        lengths = [int(self.offsets[w + 1] - self.offsets[w]) for w in windows]
        padded = round_up(max(lengths), PAD_MULTIPLE)
        hidden = np.zeros((len(windows), padded, self.hidden.shape[1]), dtype=np.float32)
        mask = np.zeros((len(windows), padded), dtype=np.int64)
        for row, (window, length) in enumerate(zip(windows, lengths)):
            hidden[row, :length] = self.hidden[self.offsets[window] : self.offsets[window] + length]
            mask[row, :length] = 1
        return torch.from_numpy(hidden), torch.from_numpy(mask)


def cache_features(
    model: Any,
    frozen: int,
    windows: Sequence[dict[str, list[int]]],
    pad: Any,
    folder: Path,
    *,
    batch_size: int,
    bf16: bool,
    device: str,
    progress: Callable[[int, int], None] | None = None,
) -> FeatureStore:
    """The hidden states entering layer ``frozen`` for every window, computed once and kept in ``folder``
    under a name that fingerprints the frozen weights, the windows and the precision, so a resumed
    run finds them again (a file appears whole, by rename, or not at all; other runs' files there are
    removed). ``pad`` pads a list of windows into model inputs (``WindowEncoder.pad``);
    ``progress`` is told (windows done, windows in all) after each batch."""
    lengths = np.array([len(window["input_ids"]) for window in windows], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    hidden_size = model.config.hidden_size
    path = folder / f"features-{_fingerprint(model, frozen, windows, bf16)}.npy"
    if path.exists():
        with suppress(ValueError, OSError):
            store = FeatureStore(path, offsets)
            if store.hidden.shape == (offsets[-1], hidden_size):
                return store
    partial = path.with_name(path.name + f".partial-{os.getpid()}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("features-*"):  # an earlier run's, or a killed write's
            stale.unlink()
        store = np.lib.format.open_memmap(partial, mode="w+", dtype=FEATURE_DTYPE, shape=(int(offsets[-1]), hidden_size))
        if hasattr(os, "posix_fallocate"):  # reserve the space now: a full disk is an error here, not a crash later
            with open(partial, "r+b") as handle:
                os.posix_fallocate(handle.fileno(), 0, os.path.getsize(partial))
        autocast = torch.autocast(device_type=device, dtype=torch.bfloat16) if bf16 else nullcontext()
        order = np.argsort(lengths, kind="stable")
        with evaluating(model), autocast:
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size].tolist()
                output = bottom_output(model, frozen, as_inputs(pad([windows[i] for i in batch], PAD_MULTIPLE), device)).float().cpu().numpy()
                if not np.isfinite(output).all() or np.abs(output).max() > np.finfo(FEATURE_DTYPE).max:
                    raise ModelError(f"{type(model).__name__}: the frozen layers' output does not fit in fp16; train every layer",
                                     settings="trainable_layers")
                for row, window in enumerate(batch):
                    store[offsets[window] : offsets[window + 1]] = output[row, : lengths[window]]
                if progress is not None:
                    progress(start + len(batch), len(order))
        store.flush()
        del store
        os.replace(partial, path)
    except OSError as err:
        raise OutputError(f"{folder}: cannot keep the frozen layers' output there ({first_line(err)})") from None
    finally:
        with suppress(OSError):  # a leftover of a failed write; nothing there after a rename
            partial.unlink(missing_ok=True)
    return FeatureStore(path, offsets)


def _fingerprint(model: Any, frozen: int, windows: Sequence[dict[str, list[int]]], bf16: bool) -> str:
    """What the cached features depend on: the model's configuration, the frozen weights, the windows
    (each with its length) and the precision."""
    digest = hashlib.blake2b(f"{frozen}:{bf16}:{np.dtype(FEATURE_DTYPE).str}".encode(), digest_size=12)
    digest.update(model.config.to_json_string().encode())
    for name, parameter in sorted(frozen_parameters(model, frozen).items()):
        digest.update(name.encode())
        digest.update(parameter.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    for window in windows:
        for name in sorted(window):
            values = np.asarray(window[name], dtype=np.int64)
            digest.update(name.encode() + len(values).to_bytes(4, "little") + values.tobytes())
    return digest.hexdigest()


class FeatureCollator:
    """Batches of cached windows for the Trainer: each row names its window in ``store``."""

    def __init__(self, store: FeatureStore) -> None:
        self.store = store

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        hidden, mask = self.store.batch([row["window"] for row in rows])
        batch = {"inputs_embeds": hidden, "attention_mask": mask, "labels": torch.tensor([row["labels"] for row in rows])}
        if "label_space" in rows[0]:
            batch["label_space"] = torch.tensor([row["label_space"] for row in rows], dtype=torch.float32)
        return batch
