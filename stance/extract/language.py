"""Which language a comment is written in, so that a user learns when the model reads a language
it was not trained on (py3langid: a small naive Bayes model over byte n-grams, shipped in its wheel)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

MIN_LETTERS = 12  # shorter comments ("lol ok", "Danke!") are guessed at random: no language
MIN_PROBABILITY = 0.9  # below this the guess is left out rather than shown


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language (``en``, ``de``), or None where the text is too
    short or the guess too unsure to tell."""
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return None
    language, probability = _identifier().classify(text)
    return str(language) if probability >= MIN_PROBABILITY else None


def main_languages(texts: Iterable[str], share: float = 0.05) -> list[str]:
    """The languages of at least ``share`` of the texts whose language can be told, most common
    first: what a model trained on ``texts`` reads (recorded in its ``stance.json``)."""
    counts = Counter(language for text in texts if (language := detect_language(text)))
    told = counts.total()
    return [language for language, n in counts.most_common() if n >= share * told]


def unfamiliar_majority(counts: Mapping[str, int], known: Sequence[str]) -> dict[str, int]:
    """The comments per language outside ``known`` where they are most of those whose language was
    told (comments a model trained on ``known`` reads poorly), most common first; else empty."""
    unfamiliar = {language: n for language, n in sorted(counts.items(), key=lambda item: -item[1]) if language not in known}
    return unfamiliar if 2 * sum(unfamiliar.values()) > sum(counts.values()) else {}
