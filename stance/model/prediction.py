"""What the classifier returns for one comment."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prediction:
    """A stance label, the model's confidence in it, and a probability for every label."""

    label: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "confidence": self.confidence, "scores": dict(self.scores)}
