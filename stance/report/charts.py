"""The report's charts as static SVG, drawn here: no chart library to ship or fetch, nothing to run when
the page opens, and every bar also carries its label and count as text (a tooltip, and words beside it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from stance.report.figures import TimeBin

# Okabe & Ito's palette, told apart with any colour vision; neutral is a grey. Stance and sentiment mean the
# same by neutral and mixed, and support/positive, oppose/negative share a colour.
PALETTE = {"support": "#0072B2", "positive": "#0072B2", "oppose": "#D55E00", "negative": "#D55E00",
           "mixed": "#CC79A7", "neutral": "#A0A0A0"}
OTHER_COLOUR = "#E69F00"  # a label outside both tasks' sets (a custom model's)
LIGHT = {"#A0A0A0", "#CC79A7", "#E69F00"}  # colours dark words read best on
WIDTH = 640


def colour(label: str) -> str:
    return PALETTE.get(label, OTHER_COLOUR)


def ink(label: str) -> str:
    """The colour of words written on ``label``'s colour."""
    return "#111111" if colour(label) in LIGHT else "#FFFFFF"


def share_bar(counts: Mapping[str, int], label: str, width: int = 380) -> str:
    """One bar split by share, each part named with its count where it is wide enough to hold the words."""
    return _svg(width, 30, _stacked_row(counts, 0, 0, width, 30), label)


def depth_bars(by_depth: Mapping[str, Mapping[str, int]]) -> str:
    """A bar per reply depth that has comments, split by stance, its name and size to its left."""
    rows = [(name, counts) for name, counts in by_depth.items() if sum(counts.values())]
    height, left = 26, 170
    parts = []
    for n, (name, counts) in enumerate(rows):
        y = n * (height + 6)
        parts.append(f'<text x="0" y="{y + 17}" class="axis">{escape(name)} ({sum(counts.values())})</text>')
        parts.append(_stacked_row(counts, left, y, WIDTH - left, height))
    return _svg(WIDTH, max(1, len(rows)) * (height + 6), "".join(parts), "stance by reply depth")


def time_columns(bins: Sequence[TimeBin], step: str) -> str:
    """Comments per time bin, a column each, stacked by stance; the first, middle and last bins dated."""
    height, bottom, left = 180, 22, 36
    tallest = max((sum(b.counts.values()) for b in bins), default=0) or 1
    slot = (WIDTH - left) / max(1, len(bins))
    parts = [f'<text x="0" y="12" class="axis">{tallest}</text><text x="0" y="{height}" class="axis">0</text>',
             f'<line x1="{left}" y1="{height}" x2="{WIDTH}" y2="{height}" class="rule"/>']
    for n, time_bin in enumerate(bins):
        x, y = left + n * slot, float(height)
        when = _when(time_bin, step)
        for label, count in time_bin.counts.items():
            if count:
                tall = (height - 4) * count / tallest
                y -= tall
                parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1.0, slot - 2):.1f}" height="{tall:.1f}" '
                             f'fill="{colour(label)}"><title>{escape(when)}: {escape(label)} {count}</title></rect>')
        if n in {0, len(bins) // 2, len(bins) - 1}:
            anchor = "start" if n == 0 else "end" if n == len(bins) - 1 else "middle"
            at = x if n == 0 else x + slot if n == len(bins) - 1 else x + slot / 2
            parts.append(f'<text x="{at:.1f}" y="{height + bottom - 6}" text-anchor="{anchor}" class="axis">{escape(when)}</text>')
    return _svg(WIDTH, height + bottom, "".join(parts), f"comments per {step}, by stance")


def _when(time_bin: TimeBin, step: str) -> str:
    """A bin's start as precisely as its width needs (UTC)."""
    layout = {"hour": "%Y-%m-%d %H:00", "6 hours": "%Y-%m-%d %H:00", "month": "%Y-%m", "year": "%Y"}.get(step, "%Y-%m-%d")
    return time_bin.start.strftime(layout) + (" UTC" if step in ("hour", "6 hours") else "")


def _stacked_row(counts: Mapping[str, int], x: float, y: float, width: float, height: float) -> str:
    total = sum(counts.values())
    parts = []
    for label, count in counts.items():
        if not count:
            continue
        wide = width * count / total
        share = f"{label} {count} ({count / total:.0%})"
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{wide:.1f}" height="{height}" fill="{colour(label)}"><title>{escape(share)}</title></rect>')
        if wide >= 7 * len(share):
            parts.append(f'<text x="{x + 5:.1f}" y="{y + height / 2 + 4:.1f}" fill="{ink(label)}" class="inbar">{escape(share)}</text>')
        x += wide
    return "".join(parts)


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(label)}">{body}</svg>')
