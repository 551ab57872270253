"""What every comment record must be, whatever page or export it came from: one whole comment. A record
with no words, or only a page's interface words ("Reply", "antworten", "Permalink", a vote count), is half
of a comment the extractor split, or no comment at all; the HTML reader tries its next way of finding the
comments when a candidate set holds such records, and the commands warn where some had to be kept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from stance.core.thread import Comment

# Interface words of comment sections, in the languages of the pages we read (English, German, French,
# Spanish, Italian, Dutch): replying, quoting, reporting, sharing, voting, linking, editing.
INTERFACE_WORDS = frozenset("""
reply replies respond quote report flag share permalink link like likes unlike vote votes upvote downvote points
edit delete hide show collapse expand comments load
antworten antwort zitieren melden teilen gefällt empfehlen bearbeiten löschen ausblenden einblenden kommentare
répondre réponse réponses citer signaler partager modifier supprimer afficher masquer commentaires
responder responde citar denunciar compartir editar borrar comentarios
rispondi cita segnala condividi modifica elimina commenti
reageer beantwoorden citeer rapporteer deel bewerken verwijderen reacties
""".split())
_NOT_A_WORD = re.compile(r"[\W\d_]+", re.UNICODE)
_BARE_COUNT = re.compile(r"^[\s↑↓▲▼·|()\[\]]*\d[\d.,]*\s*[kK]?[\s↑↓▲▼·|()\[\]]*$")  # "12", "↓ 3", "(1.2k)": a vote count; "+1" is a comment


def is_interface_line(line: str) -> bool:
    """A line of a page's interface rather than of a comment: a few interface words, or a bare count."""
    words = [word for word in _NOT_A_WORD.split(line.casefold()) if word]
    return bool(_BARE_COUNT.match(line)) or bool(words) and len(words) <= 4 and all(word in INTERFACE_WORDS for word in words)


def without_interface_lines(text: str) -> str:
    """``text`` without the lines of interface words at its start and end (a "Reply" link left inside a comment's
    body); a bare number stays, since a comment may end with one ("The answer is\n42")."""
    def interface(line: str) -> bool:
        return not line.strip() or (is_interface_line(line) and not _BARE_COUNT.match(line))

    lines = text.split("\n")
    while lines and interface(lines[-1]):
        lines.pop()
    while lines and interface(lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def broken_reason(comment: Comment) -> str | None:
    """Why ``comment`` is not one whole comment ("no text", "only interface words"), or None where it is.
    A comment the source flags as deleted or spam may be empty."""
    if comment.removed:
        return None
    if not comment.text.strip():
        return "no text"
    return "only interface words" if is_interface_line(" ".join(comment.text.split())) else None


def broken_records(comments: Iterable[Comment]) -> Counter[str]:
    """How many records break the invariants, by reason."""
    return Counter(reason for comment in comments if (reason := broken_reason(comment)) is not None)
