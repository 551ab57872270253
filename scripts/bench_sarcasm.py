"""Sarcasm: the sentiment a model gives sarcastic comments, and, as the control, sincere praise in the
same words. Our guidelines label sarcasm by the feeling it carries, almost always negative.

Two probes: seven short sarcastic comments under one target, and the comments of data/corpus/part_h
marked ``style`` sarcastic or sincere praise in the articles that build_corpus.py puts in dev and test
(never trained on). A model that calls everything negative passes the first probe; the second shows it,
as it then fails sincere praise.

    python -m scripts.bench_sarcasm [MODEL_DIR ...]      (default: the bundled model)
"""

from __future__ import annotations

import json
import sys

from scripts.build_corpus import DATA, split_of
from stance.core.thread import join_target
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


def held_out(style: str) -> list[dict]:
    """The corpus comments of ``style`` in articles outside the train split."""
    rows = [json.loads(line) for line in (DATA / "corpus" / "part_h.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("style") == style and split_of(row["article_id"]) != "train"]


def main() -> None:
    sarcastic, praise = held_out("sarcastic"), held_out("sincere praise")
    for model in sys.argv[1:] or [None]:
        classifier = StanceClassifier.from_pretrained(model)
        predictions = classifier.predict(SARCASTIC, TARGET)
        negative = sum(p.sentiment == "negative" for p in predictions)
        print(f"{model or 'bundled model'}: negative sentiment {negative} of {len(SARCASTIC)}; "
              f"stance {', '.join(p.label or '-' for p in predictions)}")
        found = {}
        for name, rows, wanted in (("sarcastic", sarcastic, "negative"), ("sincere praise", praise, "positive")):
            labelled = classifier.predict([r["text"] for r in rows], [join_target(r["title"], r["lead"]) for r in rows])
            found[name] = (sum(p.sentiment == wanted for p in labelled), sum(p.label == r["stance"] for p, r in zip(labelled, rows)), len(rows))
        (s_right, s_stance, s_n), (p_right, p_stance, p_n) = found["sarcastic"], found["sincere praise"]
        print(f"  held-out written comments: sarcastic read as negative {s_right} of {s_n} (stance right {s_stance}); "
              f"sincere praise read as positive {p_right} of {p_n} (stance right {p_stance})")


if __name__ == "__main__":
    main()
