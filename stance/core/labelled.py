"""A labelled comment, the one record that training, evaluation and calibration all read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from stance.core.labels import TASKS, label_word
from stance.errors import DataError


@dataclass(frozen=True)
class LabelledComment:
    """A comment, what it takes a stance toward, and its gold labels: a stance label, a sentiment
    label, or both (a row may carry one; training masks the other task's loss)."""

    text: str
    label: str | None  # the stance label
    target: str = ""
    group: str = ""  # e.g. the topic or article, for breakdowns and grouped cross-validation
    sentiment: str | None = None
    parent: str = ""  # the text of the comment this one replies to, where the data gives it
    origin: str = field(default="", compare=False, repr=False)  # "file:line" it was read from, for messages
    # task → the labels this comment's source can give, where fewer than the model's (a set without
    # neutral, e.g. P-Stance): training leaves the others out of its loss rather than teaching that
    # they are wrong (Hardalov et al. 2021, label-adaptive stance detection). Empty: every label.
    label_space: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def gold(self, task: str) -> str | None:
        """The label for ``task`` (``stance`` or ``sentiment``), or None where the row has none."""
        return self.label if task == "stance" else self.sentiment


def tasks_of(examples: Sequence[LabelledComment]) -> list[str]:
    """The tasks (in :data:`TASKS` order) that at least one comment has a label for."""
    return [task for task in TASKS if any(example.gold(task) is not None for example in examples)]


def check_label_set(
    examples: Sequence[LabelledComment], source: str, known: Sequence[str] | None = None, task: str = "stance"
) -> None:
    """Fail clearly when training data has one label only for ``task``, or labels a model does not know."""
    counts = Counter(example.gold(task) for example in examples if example.gold(task) is not None)
    if not counts:
        raise DataError(f"{source}: no comments with a {task} label")
    if known is None and len(counts) < 2:
        files = sorted({example.origin.rpartition(":")[0] for example in examples if example.origin})
        where = f"{', '.join(files)} ({source})" if files else source
        raise DataError(f"{where}: every row has the {label_word(task)} {next(iter(counts))!r}; training needs at least two labels")
    if known is not None:
        unknown = sorted(set(counts) - set(known))
        if unknown:
            first = next((example.origin for example in examples if example.gold(task) in unknown and example.origin), None)
            raise DataError(
                f"{source}: {label_word(task)}s {unknown} are not among the model's {label_word(task)}s {list(known)}"
                + (f" (first at {first})" if first else "")
                + ("; map them onto the model's (FROM=TO, or FROM=drop), or train a model on this label set" if task == "stance"
                   else "; relabel the data or train a model on this label set"),
                settings="label_map" if task == "stance" else (),
            )
