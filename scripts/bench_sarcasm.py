"""Sarcasm: the sentiment (and stance) a model gives seven sarcastic comments under one target. Our
guidelines label sarcasm by the feeling it carries, almost always negative.

    python scripts/bench_sarcasm.py [MODEL_DIR ...]      (default: the bundled model)
"""

from __future__ import annotations

import sys

from stance.model.classifier import StanceClassifier

TARGET = "City bans cars from the old town on Sundays"
SARCASTIC = [
    "Oh great, another brilliant idea from the council.",
    "Wonderful, just what we needed, more rules.",
    "Brilliant planning, really.",
    "Yeah sure, because that always works so well.",
    "Fantastic. Now I can't even drive to my own shop.",
    "Oh wonderful, another tax.",
    "Genius move, council. Truly inspired.",
]


def main() -> None:
    for model in sys.argv[1:] or [None]:
        predictions = StanceClassifier.from_pretrained(model).predict(SARCASTIC, TARGET)
        negative = sum(p.sentiment == "negative" for p in predictions)
        print(f"{model or 'bundled model'}: negative sentiment {negative} of {len(SARCASTIC)}; "
              f"stance {', '.join(p.label or '-' for p in predictions)}")


if __name__ == "__main__":
    main()
