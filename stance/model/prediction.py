"""What the classifier returns for one comment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prediction:
    """The stance label, the model's confidence in it and a probability for every label; the same
    for sentiment where the model has a sentiment head (else None). A sentiment-only model leaves
    the stance fields empty; an empty comment (``empty``) has no labels at all."""

    label: str | None
    confidence: float | None
    scores: dict[str, float] = field(default_factory=dict)
    sentiment: str | None = None
    sentiment_confidence: float | None = None
    sentiment_scores: dict[str, float] | None = None
    empty: bool = False

    @classmethod
    def empty_comment(cls) -> Prediction:
        """What an empty comment gets: no label for any task, rather than a guess about nothing."""
        return cls(label=None, confidence=None, empty=True)

    @classmethod
    def of(cls, scores: Mapping[str, dict[str, float]]) -> Prediction:
        """The prediction from each task's label → probability (``stance``, ``sentiment``)."""
        stance, sentiment = scores.get("stance"), scores.get("sentiment")
        return cls(
            label=_best(stance),
            confidence=max(stance.values()) if stance else None,
            scores=dict(stance or {}),
            sentiment=_best(sentiment),
            sentiment_confidence=max(sentiment.values()) if sentiment else None,
            sentiment_scores=dict(sentiment) if sentiment else None,
        )

    def label_for(self, task: str) -> str | None:
        """The label for ``task`` (``stance`` or ``sentiment``), None where the model has no such head."""
        return self.label if task == "stance" else self.sentiment

    def confidence_for(self, task: str) -> float | None:
        return self.confidence if task == "stance" else self.sentiment_confidence

    def scores_for(self, task: str) -> dict[str, float]:
        """Each label's probability for ``task`` (empty where the model has no such head)."""
        return self.scores if task == "stance" else self.sentiment_scores or {}

    def to_dict(self) -> dict[str, object]:
        """The fields of each task the model answers (a stance-only model's records have no sentiment keys)."""
        record: dict[str, object] = {}
        if self.label is not None:
            record |= {"label": self.label, "confidence": self.confidence, "scores": dict(self.scores)}
        if self.sentiment is not None:
            record |= {
                "sentiment": self.sentiment,
                "sentiment_confidence": self.sentiment_confidence,
                "sentiment_scores": dict(self.sentiment_scores or {}),
            }
        return record


def _best(scores: Mapping[str, float] | None) -> str | None:
    """The most probable label (the first in output order on a tie, as argmax)."""
    return max(scores, key=scores.__getitem__) if scores else None
