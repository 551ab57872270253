"""`stance suggest`'s work: score the pool with the model, choose by a strategy, and lay the chosen
comments out as rows to label (a spreadsheet's, or Label Studio's tasks)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stance.errors import InputError
from stance.io.labelstudio import label_studio_task
from stance.model.classifier import StanceClassifier
from stance.model.prediction import Prediction
from stance.suggest import DEFAULT_STRATEGY
from stance.suggest.choosing import check_strategy, choose, uncertainty_of
from stance.suggest.pool import PoolComment, text_key


@dataclass
class Suggestion:
    """A comment worth labelling, the model's present guesses and how unsure it is of its stance."""

    comment: PoolComment
    prediction: Prediction
    uncertainty: float | None  # None where the strategy did not ask (random)

    def to_record(self, tasks: Sequence[str]) -> dict[str, Any]:
        """The row to label: the comment, the model's guesses, and an empty column per task to fill in."""
        c = self.comment
        guesses: dict[str, Any] = {}
        for task in tasks:
            confidence = self.prediction.confidence_for(task)
            guesses |= {f"model_{task}": self.prediction.label_for(task),
                        f"model_{task}_confidence": None if confidence is None else round(confidence, 3)}
        uncertainty = None if self.uncertainty is None else round(self.uncertainty, 3)
        return {"id": c.id, "target": c.target, "text": c.text, "parent_text": c.parent_text, "source": c.source, "copies": c.copies,
                **guesses, "uncertainty": uncertainty, **dict.fromkeys(tasks, "")}

    def to_label_studio(self, tasks: Sequence[str], model_version: str, number: int) -> dict[str, Any]:
        """The same as a Label Studio task, the model's guesses as its pre-annotation."""
        data = {key: value for key, value in self.to_record(tasks).items() if key not in tasks}
        guesses = {task: (self.prediction.label_for(task), self.prediction.confidence_for(task)) for task in tasks
                   if self.prediction.label_for(task) is not None}
        return label_studio_task(data, guesses, model_version, number)


def suggest(
    pool: Sequence[PoolComment],
    classifier: StanceClassifier,
    n: int,
    *,
    strategy: str = DEFAULT_STRATEGY,
    exclude: Collection[str] = (),
    seed: int = 0,
    progress: bool = False,
) -> list[Suggestion]:
    """The ``n`` comments of ``pool`` whose labels should teach ``classifier`` most (all of them where
    fewer are left), most useful first: see :mod:`stance.suggest.choosing` for the strategies. Comments
    whose :func:`~stance.suggest.pool.text_key` is in ``exclude`` (labelled already) are not among them.
    Choices are shared evenly across targets. ``random`` reads only the chosen comments with the model."""
    check_strategy(strategy)
    if n < 1:
        raise InputError(f"n {n}: suggest at least one comment", settings="n")
    left = [comment for comment in pool if text_key(comment.text) not in exclude]
    if not left:
        raise InputError(f"no comment left to suggest: all {len(pool)} are labelled already" if pool else "the inputs hold no comment")
    targets = [comment.target for comment in left]
    if strategy == "random":
        chosen = choose(strategy, n, np.zeros(len(left)), np.zeros((len(left), 1)), targets, seed)
        picked = [left[i] for i in chosen]
        predictions = classifier.predict([c.text for c in picked], [c.target for c in picked], parents=[c.parent_text for c in picked])
        return [Suggestion(comment, prediction, None) for comment, prediction in zip(picked, predictions)]
    predictions, features = classifier.predict_with_features(
        [c.text for c in left], targets, parents=[c.parent_text for c in left], progress=progress
    )
    probabilities = np.array([[p.scores_for(classifier.task)[label] for label in classifier.labels] for p in predictions])
    uncertainty = uncertainty_of(probabilities)
    chosen = choose(strategy, n, uncertainty, features, targets, seed)
    return [Suggestion(left[i], predictions[i], float(uncertainty[i])) for i in chosen]
