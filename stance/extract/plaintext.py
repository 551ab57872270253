"""Plain-text pages: a title, article paragraphs, a line like ``5 Comments``, then author/text pairs."""

from __future__ import annotations

import re

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.markup import declared_count

_SENTENCE_END = (".", "!", "?", ":", ";", ",", ")", '"', "…")


def looks_like_author(line: str) -> bool:
    """A short line with no sentence punctuation at its end, such as ``Donatello`` or ``Mary K.``."""
    stripped = line.strip()
    words = stripped.split()
    if not words or len(words) > 4 or len(stripped) > 40:
        return False
    if stripped.endswith(_SENTENCE_END) and not re.fullmatch(r"(\w+\s)*\w\.", stripped):
        return False
    return any(ch.isalpha() for ch in stripped)


def parse_plaintext(text: str, source: str) -> Thread:
    """Parse a page pasted as plain text into a :class:`Thread`.

    Everything before the ``N Comments`` line is the article (first line = title). After it, comments
    come as an author line followed by one or more lines of text. Without that line, the comments are
    the trailing author/text blocks (see :func:`_headerless_comment_start`). When the header's count times two
    equals the number of lines, lines strictly alternate; otherwise a new comment starts at a line that
    looks like an author name or repeats a known author.
    """
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if declared_count(line) is not None), None)
    numbered_all = [(i + 1, line.strip()) for i, line in enumerate(lines) if line.strip()]
    if header_at is not None:
        declared = declared_count(lines[header_at])
        article = [line for lineno, line in numbered_all if lineno <= header_at]
        numbered = [(lineno, line) for lineno, line in numbered_all if lineno > header_at + 1]
    else:
        declared = None
        start = _headerless_comment_start(numbered_all)
        if start is None:
            raise InputError(
                f"{source}: found no comments; expected a plain-text page with the article, optionally a line "
                "'<N> Comments', then each comment as an author line followed by its text"
            )
        article = [line for _, line in numbered_all[:start]]
        numbered = numbered_all[start:]
    blocks = _split_blocks(numbered, declared or 0)
    comments = [
        Comment(
            id=str(n),
            author=author,
            text="\n".join(body),
            source=f"{source}:{lineno}",
        )
        for n, (lineno, author, body) in enumerate(blocks, start=1)
    ]
    return Thread(
        title=article[0] if article else "",
        body="\n".join(article[1:]),
        comments=comments,
        source=source,
        declared_count=declared,
    )


def _headerless_comment_start(numbered: list[tuple[int, str]], max_comment_lines: int = 4) -> int | None:
    """Where the comments begin on a page pasted without its "N Comments" line, or None.

    Reading back from the end, the page must be blocks of an author line and 1 to
    ``max_comment_lines`` lines of text; the first longer run of text (or a bulleted "author") is the
    article's end. The first line of the page is always the title, never an author.
    """
    start = None
    run = 0  # text lines seen since the last author line
    for index in range(len(numbered) - 1, 0, -1):
        line = numbered[index][1]
        if run and looks_like_author(line) and not line.startswith(("-", "*", "•")):
            start, run = index, 0
            continue
        run += 1
        if run > max_comment_lines:
            break
    return start


def _split_blocks(numbered: list[tuple[int, str]], declared: int) -> list[tuple[int, str, list[str]]]:
    """Group (line number, line) pairs into (line number, author, text lines) blocks."""
    if declared and len(numbered) == 2 * declared:
        pairs = zip(numbered[::2], numbered[1::2])
        return [(lineno, author, [body]) for (lineno, author), (_, body) in pairs]
    blocks: list[tuple[int, str, list[str]]] = []
    authors: set[str] = set()
    for index, (lineno, line) in enumerate(numbered):
        following = numbered[index + 1][1] if index + 1 < len(numbered) else ""
        # A name-like line starts a comment only if text follows it (two name-like lines in a row
        # mean the first is a short comment, e.g. "Well said").
        name_like = line in authors or (looks_like_author(line) and following and not looks_like_author(following))
        starts_comment = not blocks or (bool(blocks[-1][2]) and bool(name_like))
        if starts_comment:
            blocks.append((lineno, line, []))
            authors.add(line)
        else:
            blocks[-1][2].append(line)
    return [block for block in blocks if block[2]]
