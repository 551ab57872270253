"""What a report says of a comment section, computed once in Python: shares and cross-tab, stance over time
and by reply depth, the exchanges between supporters and opponents, the least sure and the most liked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from stance.classify.stream import ThreadSummary
from stance.extract.language import unfamiliar_majority
from stance.report.sections import ReportComment, Section

OPPOSITES = {("support", "oppose"), ("oppose", "support")}
DEPTHS = ("top level", "replies", "replies to replies", "deeper")
LEAST_SURE = 10  # comments listed as those the model is least sure of
MOST_LIKED = 3  # per stance
MAX_TIME_BINS = 40
# Widths a time axis is cut into, finest first: the first that gives at most MAX_TIME_BINS bins is used.
TIME_STEPS = (("hour", timedelta(hours=1)), ("6 hours", timedelta(hours=6)), ("day", timedelta(days=1)),
              ("week", timedelta(weeks=1)), ("month", timedelta(days=30.44)), ("year", timedelta(days=365.25)))


@dataclass
class TimeBin:
    start: datetime
    counts: dict[str, int]  # stance → comments


@dataclass
class SectionFigures:
    """Everything the report shows of one section besides the comments themselves."""

    summary: ThreadSummary
    timed: int  # comments with a readable time
    time_step: str | None  # the width of a time bin ("day"), None where fewer than two comments have times
    over_time: list[TimeBin]
    by_depth: dict[str, dict[str, int]]  # depth name → stance → comments
    depths: dict[str, int]  # comment id → reply depth (0: top level)
    exchanges: int  # replies whose stance is the opposite of the comment they answer (support ↔ oppose)
    least_sure: list[ReportComment]
    most_liked: dict[str, list[ReportComment]]  # stance → its most-liked comments (empty where no comment has likes)
    unfamiliar: dict[str, int]  # language → comments, where most are in languages the model was not trained on


def section_figures(section: Section, tasks: Mapping[str, Sequence[str]], languages: Sequence[str] | None) -> SectionFigures:
    """The figures of ``section`` over every label of ``tasks``; ``languages`` are those the model was trained on."""
    comments = section.comments
    pairs = Counter((c.stance, c.sentiment) for c in comments)
    found_languages = Counter(c.language for c in comments)
    summary = ThreadSummary.of(pairs, tasks, found_languages)
    stances = list(tasks.get("stance", ()))
    depths = reply_depths(comments)
    by_depth = {name: dict.fromkeys(stances, 0) for name in DEPTHS}
    for comment in comments:
        if comment.stance in stances:
            by_depth[DEPTHS[min(depths[comment.id], len(DEPTHS) - 1)]][comment.stance] += 1
    times = [(parsed, c) for c in comments if (parsed := parse_time(c.time)) is not None]
    step, bins = _over_time(times, stances)
    by_id = {c.id: c for c in comments}
    exchanges = sum((by_id[c.parent].stance, c.stance) in OPPOSITES for c in comments if c.parent in by_id)
    sure = sorted((c for c in comments if c.stance_confidence is not None), key=lambda c: c.stance_confidence)
    liked = sorted((c for c in comments if c.likes is not None), key=lambda c: -c.likes)
    most_liked = {label: [c for c in liked if c.stance == label][:MOST_LIKED] for label in stances} if liked else {}
    return SectionFigures(
        summary=summary, timed=len(times), time_step=step, over_time=bins, by_depth=by_depth, depths=depths,
        exchanges=exchanges, least_sure=sure[:LEAST_SURE], most_liked=most_liked,
        unfamiliar=unfamiliar_majority(summary.languages, languages) if languages else {},
    )


def reply_depths(comments: Sequence[ReportComment]) -> dict[str, int]:
    """Each comment's depth in the reply tree: 0 for a top-level comment, 1 for a reply to one, and so on.
    A reply whose parent is not in the section (not loaded, or removed) counts as a reply (1)."""
    parents = {c.id: c.parent for c in comments}
    depths: dict[str, int] = {}
    for comment in comments:
        chain, current = [], comment.id  # the walk up from the comment to one whose depth is known
        while current not in depths:
            parent = parents[current]
            if parent is None or parent not in parents or parent in chain or parent == current:  # a cycle ends it too
                depths[current] = 0 if parent is None else 1
                break
            chain.append(current)
            current = parent
        for found in reversed(chain):
            depths[found] = depths[parents[found]] + 1
    return depths


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time (as every extractor writes them) in UTC; a date alone is its midnight; None where unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # not a time, or one at the very edge of the calendar
        return None


def _over_time(times: Sequence[tuple[datetime, ReportComment]], stances: Sequence[str]) -> tuple[str | None, list[TimeBin]]:
    """Comments per stance in bins of the finest width that keeps the axis readable."""
    if len(times) < 2:
        return None, []
    first, last = min(t for t, _ in times), max(t for t, _ in times)
    name, width = next(((name, width) for name, width in TIME_STEPS if (last - first) / width < MAX_TIME_BINS), TIME_STEPS[-1])
    count = int((last - first) / width) + 1
    bins = [TimeBin(first + n * width, dict.fromkeys(stances, 0)) for n in range(count)]
    for moment, comment in times:
        if comment.stance in stances:
            bins[int((moment - first) / width)].counts[comment.stance] += 1
    return name, bins
