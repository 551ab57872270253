"""The comments a user could label: read from every input `stance classify` reads, with near-copies
collapsed and the comments already labelled left out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from stance.classify.many_files import input_names
from stance.classify.stream import check_target, recording, resolve_targets
from stance.errors import InputError
from stance.extract import open_comments
from stance.training.data import labelled_rows


@dataclass
class PoolComment:
    """A comment to perhaps label, with what it is judged against and the comment it replies to."""

    id: str
    text: str
    target: str
    parent_text: str = ""
    source: str = ""  # file:line or the file, for finding it again
    copies: int = 0  # other comments in the inputs with the same words (one label covers them)


_NOT_WORDS = re.compile(r"https?://\S+|[^\w\s]+")


def text_key(text: str) -> str:
    """What two comments share when they are copies: their words, lower-cased, without links, punctuation
    or spacing (a repost with a changed link or an added "!!!" is the same comment to label)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORDS.sub(" ", folded).split())


def read_pool(
    inputs: Sequence[str],
    *,
    target: str | None = None,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    include_removed: bool = False,
) -> tuple[list[PoolComment], int]:
    """Every comment of the ``inputs`` (files, folders, globs; '-' is stdin), each judged against
    ``target``, else its own, else its article's title and lead; and how many were copies of one
    before them (collapsed into it: its ``copies`` counts them). Removed comments (deleted, spam,
    orphaned) are left out unless ``include_removed``; so are empty ones."""
    check_target(target)
    pool: dict[str, PoolComment] = {}
    copies = 0
    for name in input_names(inputs):
        thread, comments = open_comments(name, input_format, columns)
        texts_by_id: dict[str, str] = {}
        for comment in recording(comments, texts_by_id):
            key = text_key(comment.text)
            if (comment.removed and not include_removed) or not key:
                continue
            if key in pool:
                pool[key].copies += 1
                copies += 1
                continue
            [judged_against] = resolve_targets([comment], target, thread.default_target(), name)
            parent = texts_by_id.get(comment.parent, "") if comment.parent else ""
            pool[key] = PoolComment(comment.id, comment.text, judged_against, parent, comment.source or name)
    return list(pool.values()), copies


def labelled_keys(paths: Iterable[str], text_column: str = "text") -> set[str]:
    """The :func:`text_key` of every comment in files already labelled (any CSV/TSV/JSONL with a text
    column, or a Label Studio export), to leave out of the next choice."""
    keys: set[str] = set()
    for path in paths:
        rows = (row for _, row in labelled_rows(path, text_column)[0])
        found = 0
        for row in rows:
            value = (row or {}).get(text_column)
            if isinstance(value, str) and text_key(value):
                keys.add(text_key(value))
                found += 1
        if not found:
            raise InputError(f"{path}: no comment in a '{text_column}' column; name the column that holds them", settings="text_column")
    return keys


def count_labelled(pool: Sequence[PoolComment], keys: set[str]) -> int:
    """How many comments of ``pool`` are among those labelled already (:func:`labelled_keys`)."""
    return sum(text_key(comment.text) in keys for comment in pool)
