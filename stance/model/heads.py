"""More than one task from one pass: extra classification heads on the features the model's own head reads.

A model directory stays a plain Hugging Face sequence classifier for its main task (stance, or
sentiment for a sentiment-only model). Each further task (sentiment beside stance) is a copy of that
model's head with its own output layer, stored in ``heads.safetensors`` and fed, through a forward
hook, the very tensor the main head is fed: the encoder runs once for all tasks. ``stance export
--task`` swaps a head in to give each task its own plain directory.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.errors import ModelError

HEADS_FILE = "heads.safetensors"
_HEAD_ATTRIBUTES = ("classifier", "score")  # where transformers' sequence classifiers keep their head


@dataclass
class TaskHead:
    """A further task's head: its labels in output order and the torch module that scores them."""

    labels: list[str]
    module: Any


def head_attribute(model: Any) -> str:
    """The attribute of ``model`` that holds its classification head."""
    import torch

    for name in _HEAD_ATTRIBUTES:
        if isinstance(getattr(model, name, None), torch.nn.Module):
            return name
    raise ModelError(
        f"{type(model).__name__}: no classification head under {' or '.join(_HEAD_ATTRIBUTES)}; "
        "a second task needs a standard Hugging Face sequence classifier"
    )


def encoder_of(model: Any) -> Any:
    """The bare transformer inside a sequence classifier (``model.bert``, ``model.roberta``, ...),
    which returns hidden states rather than logits."""
    return getattr(model, model.base_model_prefix)


def new_head(model: Any, n_labels: int) -> Any:
    """A copy of ``model``'s head whose output layer is new and sized for ``n_labels``."""
    import torch

    head = copy.deepcopy(getattr(model, head_attribute(model)))
    owner, name, output = _output_layer(head)
    fresh = torch.nn.Linear(output.in_features, n_labels, bias=output.bias is not None)
    if hasattr(model, "_init_weights"):
        model._init_weights(fresh)  # the architecture's own initialisation, as for its head
    if owner is None:
        return fresh
    setattr(owner, name, fresh)
    return head


def divide_output(head: Any, temperature: float) -> None:
    """Divide the logits ``head`` gives by ``temperature``, in its weights: its output layer's weight and bias."""
    import torch

    _, _, output = _output_layer(head)
    with torch.no_grad():
        output.weight.div_(temperature)
        if output.bias is not None:
            output.bias.div_(temperature)


def _output_layer(head: Any) -> tuple[Any, str, Any]:
    """(module holding it, attribute name, layer): the last linear layer of a head (the head itself
    for BERT's single Linear, ``out_proj`` inside RoBERTa's dense-then-project head)."""
    import torch

    if isinstance(head, torch.nn.Linear):
        return None, "", head
    found = None
    for owner in head.modules():
        for name, child in owner.named_children():
            if isinstance(child, torch.nn.Linear):
                found = (owner, name, child)
    if found is None:
        raise ModelError(f"{type(head).__name__}: the classification head has no linear output layer")
    return found


def run_with_heads(
    model: Any, heads: Mapping[str, TaskHead], inputs: Mapping[str, Any], features: dict[str, Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """The logits of ``model(**inputs)`` and of each further head, from one encoder pass. Given a
    ``features`` dict, its ``"features"`` is set to one vector per window: see :func:`middle_layer_mean`."""
    if not heads and features is None:
        return model(**inputs).logits, {}
    captured: dict[str, tuple] = {}
    caller = threading.get_ident()

    def keep(_module: Any, args: tuple, _output: Any) -> None:
        # Other threads may run the same model at once (the CPU backend runs batches in parallel), and every
        # hook fires for every call: each keeps only the call made on its own thread.
        if threading.get_ident() == caller:
            captured["args"] = args

    handle = getattr(model, head_attribute(model)).register_forward_hook(keep)
    try:
        output = model(**inputs, output_hidden_states=features is not None)
    finally:
        handle.remove()
    if features is not None:
        features["features"] = middle_layer_mean(output.hidden_states, inputs["attention_mask"])
    return output.logits, {task: head.module(*captured["args"]) for task, head in heads.items()}


def middle_layer_mean(hidden_states: Sequence[Any], attention_mask: Any) -> Any:
    """Each window's tokens averaged at the encoder's middle layer: what a comment says. Fine-tuning bends
    the top layers toward the labels (in the bundled model, unrelated tweets' pooled outputs look like
    near-copies), while the middle keeps the meaning apart as a sentence encoder does."""
    mask = attention_mask.unsqueeze(-1).to(hidden_states[0].dtype)
    middle = hidden_states[len(hidden_states) // 2]
    return (middle * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)


def save_heads(heads: Mapping[str, TaskHead], directory: Path) -> None:
    """Write the further heads' weights (``<task>.<parameter>``) to ``heads.safetensors``."""
    from safetensors.torch import save_file

    tensors = {
        f"{task}.{name}": tensor.detach().float().cpu().contiguous()
        for task, head in heads.items()
        for name, tensor in head.module.state_dict().items()
    }
    save_file(tensors, str(directory / HEADS_FILE))


def load_heads(model: Any, labels: Mapping[str, list[str]], directory: Path) -> dict[str, TaskHead]:
    """The further heads for ``labels`` (task → label names), with the weights stored in ``directory``."""
    from safetensors.torch import load_file

    stored = load_file(str(directory / HEADS_FILE))
    heads = {}
    for task, names in labels.items():
        head = new_head(model, len(names))
        prefix = f"{task}."
        state = {key[len(prefix) :]: value for key, value in stored.items() if key.startswith(prefix)}
        missing, unexpected = head.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ModelError(
                f"{directory / HEADS_FILE}: the {task} head does not fit the model "
                f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]}); the directory is damaged"
            )
        heads[task] = TaskHead(list(names), head.eval())  # the backend moves it to the model's device and dtype
    return heads


def swap_in_head(model: Any, head: TaskHead) -> Any:
    """``model`` answering with ``head`` instead of its own head (for ``stance export --task``)."""
    setattr(model, head_attribute(model), head.module)
    model.config.num_labels = len(head.labels)
    model.config.id2label = dict(enumerate(head.labels))
    model.config.label2id = {label: i for i, label in enumerate(head.labels)}
    return model
