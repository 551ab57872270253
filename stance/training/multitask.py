"""The model as the Trainer sees it: the encoder, its own head and the further heads as one module,
one encoder pass per batch (or the top of one, on cached features), and a loss that skips the tasks a
comment has no label for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from stance.model.heads import TaskHead, run_with_heads
from stance.training.frozen import top_only

NO_LABEL = -100  # a comment without a label for a task: no loss, no score for that task
OUT_OF_SPACE = -1e4  # the logit of a label a comment's source cannot give: no share of the softmax (fits fp16)


class MultiTaskModel(torch.nn.Module):
    """``model`` (its own head answers ``tasks[0]``) and ``heads`` for the other tasks; ``forward``
    returns each task's logits by name, in ``tasks`` order. With ``frozen`` (a number of layers) the
    model is fed ``inputs_embeds``, the cached hidden states entering that layer, and runs from there
    (:mod:`stance.training.frozen`); its whole self stays registered, so checkpoints hold all of it."""

    def __init__(self, model: Any, heads: Mapping[str, TaskHead], tasks: list[str], frozen: int | None = None) -> None:
        super().__init__()
        self.model = model
        self.heads = torch.nn.ModuleDict({task: head.module for task, head in heads.items()})
        self.task_heads = dict(heads)
        self.tasks = list(tasks)
        self.frozen = frozen

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        label_space: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """``label_space`` (training only): 1 for each label, task after task, that a comment's source
        can give, 0 for one it cannot; those logits are pushed out of the softmax."""
        # Named parameters, not **inputs: the Trainer keeps only the dataset columns forward() names.
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids, "inputs_embeds": inputs_embeds}
        inputs = {k: v for k, v in inputs.items() if v is not None}
        if self.frozen is None:
            own, further = run_with_heads(self.model, self.task_heads, inputs)
        else:
            with top_only(self.model, self.frozen):
                own, further = run_with_heads(self.model, self.task_heads, inputs)
        logits = {self.tasks[0]: own, **further}
        if label_space is not None:
            widths = [logits[task].shape[-1] for task in self.tasks]
            for task, allowed in zip(self.tasks, torch.split(label_space, widths, dim=-1)):
                logits[task] = logits[task].masked_fill(allowed == 0, OUT_OF_SPACE)
        return logits


def masked_loss(tasks: list[str], weights: Mapping[str, torch.Tensor | None]) -> Any:
    """The Trainer's loss: the sum over tasks of the (class-weighted) cross-entropy of the comments
    labelled for that task; ``labels`` has one column per task, :data:`NO_LABEL` where there is none."""

    def loss(outputs: Mapping[str, torch.Tensor], labels: torch.Tensor, num_items_in_batch: Any = None) -> torch.Tensor:
        total = outputs[tasks[0]].sum() * 0.0  # a batch labelled for no task (it cannot happen in training) adds nothing
        for column, task in enumerate(tasks):
            target = labels[:, column]
            labelled = target != NO_LABEL
            if not bool(labelled.any()):
                continue
            weight = weights[task] if weights[task] is None else weights[task].to(outputs[task].device)
            total = total + torch.nn.functional.cross_entropy(outputs[task].float()[labelled], target[labelled], weight=weight)
        return total

    return loss
