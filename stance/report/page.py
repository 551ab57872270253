"""The report as one HTML file: every style, script and datum inside it, so that it opens offline, from
disk or an e-mail attachment. The summaries are written here as HTML; the comments go in as JSON, and the
page's script lays out the reply tree, the filters and the search from them as the reader asks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources

from stance.io.outputs import one_line
from stance.report.charts import PALETTE, depth_bars, ink, share_bar, time_columns
from stance.report.figures import SectionFigures
from stance.report.sections import ReportComment, Section

# The order of a comment's fields in the page's data (its script reads them by position: a 20,000-comment
# report is a third smaller than with a name on every field).
DATA_FIELDS = ("id", "parent", "author", "time", "likes", "text", "stance", "stance_confidence", "sentiment",
               "sentiment_confidence", "depth")


@dataclass
class Provenance:
    """How a report was made, for its last section."""

    version: str
    made: str  # when, as ISO 8601
    inputs: Sequence[str]
    model: str | None  # the model that labelled inputs here; None where every label was read from the inputs
    figures: Sequence[str]  # that model's own figures, one line each
    read_labelled: Sequence[str]  # inputs whose labels were read as they are


def render_report(
    sections: Sequence[Section], figures: Sequence[SectionFigures], tasks: Mapping[str, Sequence[str]], provenance: Provenance
) -> str:
    """The whole page."""
    total = sum(len(section.comments) for section in sections)
    parts = [f"<h1>Comment report</h1><p class=\"lede\">{len(sections)} comment section{'s' * (len(sections) != 1)}, "
             f"{total} comment{'s' * (total != 1)}.</p>"]
    if len(sections) > 1:
        parts.append(_overview(sections, figures, tasks))
    parts += [_section(n, section, found, tasks) for n, (section, found) in enumerate(zip(sections, figures))]
    parts.append(_provenance(provenance))
    data = {"tasks": dict(tasks), "fields": DATA_FIELDS,
            "sections": [[_comment_data(c, found.depths) for c in section.comments] for section, found in zip(sections, figures)]}
    colours = "".join(f"--{label}:{value};--{label}-ink:{ink(label)};" for label, value in PALETTE.items())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(_page_title(sections))}</title><style>:root{{{colours}}}\n{_asset('report.css')}</style></head>"
        f"<body><main>{''.join(parts)}</main>"
        f"<script type=\"application/json\" id=\"report-data\">{_script_json(data)}</script>"
        f"<script>{_asset('report.js')}</script></body></html>\n"
    )


def _page_title(sections: Sequence[Section]) -> str:
    return f"Comments: {one_line(sections[0].title, 80)}" if len(sections) == 1 else f"Comments on {len(sections)} articles"


def _overview(sections: Sequence[Section], figures: Sequence[SectionFigures], tasks: Mapping[str, Sequence[str]]) -> str:
    """One row per section, sortable by size and by each share (the page's script sorts on the buttons)."""
    columns = [(task, label) for task, labels in tasks.items() for label in labels]
    groups = "".join(f'<th colspan="{len(labels)}" scope="colgroup">{task} shares</th>' for task, labels in tasks.items())
    head = "".join(f'<th><button type="button" data-sort="{n + 2}" aria-label="{task} {escape(label)}">{escape(label)}</button></th>'
                   for n, (task, label) in enumerate(columns))
    rows = []
    for n, (section, found) in enumerate(zip(sections, figures)):
        cells = [f'<td data-value="{escape(section.title)}"><a href="#section-{n}">{escape(one_line(section.title, 90))}</a></td>',
                 f'<td data-value="{len(section.comments)}">{len(section.comments)}</td>']
        for task, label in columns:
            share = found.summary.share(label, task)
            cells.append(f'<td data-value="{share:.6f}">{share:.0%}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<section class="overview"><h2>Overview</h2><p>Each share is of the section\'s labelled comments; '
            f'the buttons sort.</p><table class="sortable"><thead><tr><th rowspan="2"><button type="button" data-sort="0">article</button></th>'
            f'<th rowspan="2"><button type="button" data-sort="1">comments</button></th>{groups}</tr><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _section(n: int, section: Section, found: SectionFigures, tasks: Mapping[str, Sequence[str]]) -> str:
    comments = section.comments
    parts = [f'<section class="thread" id="section-{n}" data-section="{n}"><h2>{escape(section.title)}</h2>',
             f'<p class="source">{_source_link(section.source)}</p>']
    if section.target and section.target != section.title:
        parts.append(f'<p class="target"><span class="tag">judged against</span> {escape(section.target)}</p>')
    parts.append(f'<p class="counts">{_counts_line(section, found)}</p>')
    if found.unfamiliar:
        languages = ", ".join(f"{language} {count}" for language, count in found.unfamiliar.items())
        parts.append(f'<p class="warning" role="alert">Most comments are in a language the model was not trained on ({escape(languages)}): '
                     "their labels are unreliable.</p>")
    if not comments:
        parts.append('<p class="missing">No comments in this input: nothing to chart.</p></section>')
        return "".join(parts)
    panels = [f"<div><h3>{task.capitalize()}</h3>{share_bar(counts, task + ' shares')}{_shares_table(task, counts, found)}</div>"
              for task, counts in (("stance", found.summary.counts), ("sentiment", found.summary.sentiment_counts)) if counts]
    if found.summary.crosstab:
        panels.append(f"<div><h3>Stance × sentiment</h3>{_crosstab(found.summary.crosstab)}</div>")
    parts.append(f'<div class="panels">{"".join(panels)}</div>')
    if "stance" in tasks:
        parts.append(_time_part(found))
        parts.append(_depth_part(found))
    parts.append(_least_sure(found))
    parts.append(_most_liked(found))
    stance_filters = "".join(_filter_button("stance", label, count) for label, count in found.summary.counts.items())
    feeling_filters = "".join(_filter_button("sentiment", label, count) for label, count in found.summary.sentiment_counts.items())
    parts.append(
        f'<h3>Comments</h3><div class="explorer" data-section="{n}"><div class="controls" role="group" aria-label="filters">'
        + (f'<span class="group">stance: {stance_filters}</span>' if stance_filters else "")
        + (f'<span class="group">sentiment: {feeling_filters}</span>' if feeling_filters else "")
        + '<label class="search">search <input type="search" placeholder="words in the comment or its author"></label>'
        '<button type="button" class="clear">show all</button></div><p class="shown" aria-live="polite"></p>'
        '<div class="comments"></div><button type="button" class="more" hidden>show more</button></div></section>'
    )
    return "".join(parts)


def _counts_line(section: Section, found: SectionFigures) -> str:
    comments = section.comments
    replies = sum(depth > 0 for depth in found.depths.values())
    unlabelled = sum(c.stance is None and c.sentiment is None for c in comments)
    parts = [f"{len(comments)} comment{'s' * (len(comments) != 1)}", f"{replies} of them replies" if replies else "no replies"]
    if unlabelled:
        parts.append(f"{unlabelled} without a label (empty)")
    if section.declared_count is not None and section.declared_count != len(comments):
        parts.append(f"the page says {section.declared_count}")
    if section.not_loaded:
        parts.append(f"{section.not_loaded} more not in the file (not loaded when it was saved)")
    labelled = f"labelled here by {section.labelled_by}" if section.labelled_by else "labels as read from the input"
    return escape("; ".join(parts) + f" · {labelled}")


def _shares_table(task: str, counts: Mapping[str, int], found: SectionFigures) -> str:
    cells = "".join(f'<tr data-label="{escape(label)}" data-count="{count}"><th>{_badge(task, label)}</th><td>{count}</td>'
                    f"<td>{found.summary.share(label, task):.0%}</td></tr>" for label, count in counts.items())
    return f'<table class="shares" data-task="{task}"><thead><tr><th>{task}</th><th>comments</th><th>share</th></tr></thead><tbody>{cells}</tbody></table>'


def _crosstab(crosstab: Mapping[str, Mapping[str, int]]) -> str:
    feelings = list(next(iter(crosstab.values())))
    head = "".join(f"<th>{_badge('sentiment', feeling)}</th>" for feeling in feelings)
    rows = "".join(f"<tr><th>{_badge('stance', stance)}</th>" + "".join(f"<td>{row[f]}</td>" for f in feelings) + "</tr>"
                   for stance, row in crosstab.items())
    return f'<table class="crosstab"><thead><tr><th>stance \\ sentiment</th>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _time_part(found: SectionFigures) -> str:
    if found.time_step is None:
        said = "No comment here has a time" if not found.timed else "Only one comment here has a time"
        return f'<h3>Stance over time</h3><p class="missing">{said}: nothing to chart.</p>'
    untimed = found.summary.total - found.timed
    note = f" ({untimed} comments without a time are left out)" if untimed > 0 else ""
    return (f"<h3>Stance over time</h3><p>Comments per {found.time_step}, by stance{note}.</p>"
            f"{time_columns(found.over_time, found.time_step)}{_legend(found.summary.counts)}")


def _depth_part(found: SectionFigures) -> str:
    if not any(depth > 0 for depth in found.depths.values()):
        return '<h3>Stance by reply depth</h3><p class="missing">No replies here: every comment answers the article.</p>'
    said = (f"{found.exchanges} repl{'ies' if found.exchanges != 1 else 'y'} take the opposite side of the comment they answer "
            "(support ↔ oppose); in the comments below they are marked ⇄.")
    return f"<h3>Stance by reply depth</h3>{depth_bars(found.by_depth)}{_legend(found.summary.counts)}<p>{said}</p>"


def _legend(counts: Mapping[str, int]) -> str:
    """The colours of a chart, each with its label written."""
    return '<p class="legend">' + " ".join(_badge("stance", label) for label in counts) + "</p>"


def _least_sure(found: SectionFigures) -> str:
    if not found.least_sure:
        return ""
    items = "".join(_comment_html(c) for c in found.least_sure)
    return f'<h3>Least sure</h3><p>The comments whose stance the model is least sure of: worth a look by a person.</p><div class="list">{items}</div>'


def _most_liked(found: SectionFigures) -> str:
    if not found.most_liked:
        return '<h3>Most liked</h3><p class="missing">No likes in this input.</p>'
    groups = "".join(f"<h4>{_badge('stance', label)}</h4>" + "".join(_comment_html(c) for c in comments)
                     for label, comments in found.most_liked.items() if comments)
    return f'<h3>Most liked</h3><div class="list">{groups}</div>'


def _comment_html(comment: ReportComment) -> str:
    """A comment in the static lists, laid out as the page's script lays out those of the tree."""
    meta = [f"<b>{escape(comment.author or 'anonymous')}</b>"]
    if comment.time:
        meta.append(f"<time>{escape(comment.time)}</time>")
    if comment.likes is not None:
        meta.append(f"likes {comment.likes}")
    meta.append(_badge("stance", comment.stance, comment.stance_confidence))
    if comment.sentiment:
        meta.append(_badge("sentiment", comment.sentiment, comment.sentiment_confidence))
    return (f'<article class="comment" data-id="{escape(comment.id)}"><div class="meta">{" · ".join(meta)}</div>'
            f'<div class="text">{escape(comment.text)}</div></article>')


def _badge(task: str, label: str | None, confidence: float | None = None) -> str:
    if label is None:
        return f'<span class="badge none" data-task="{task}">no {task}</span>'
    sure = f" {confidence:.0%}" if confidence is not None else ""
    return f'<span class="badge {escape(label)}" data-task="{task}" title="{task}">{escape(label)}{sure}</span>'


def _filter_button(task: str, label: str, count: int) -> str:
    return (f'<button type="button" class="filter badge {escape(label)}" data-task="{task}" data-label="{escape(label)}" '
            f'aria-pressed="false">{escape(label)} ({count})</button>')


def _source_link(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return f'<a href="{escape(source)}" rel="noopener noreferrer">{escape(source)}</a>'
    return f"<span class=\"tag\">from</span> {escape(source)}"


def _provenance(provenance: Provenance) -> str:
    lines = [f"<li>stance {escape(provenance.version)}, {escape(provenance.made)}</li>"]
    if provenance.model:
        figures = "".join(f"<li>{escape(figure)}</li>" for figure in provenance.figures)
        lines.append(f"<li>labelled by the model {escape(provenance.model)}" + (f"; its own figures:<ul>{figures}</ul>" if figures else "") + "</li>")
    if provenance.read_labelled:
        lines.append("<li>labels read as they are from " + ", ".join(escape(name) for name in provenance.read_labelled)
                     + " (written by <code>stance classify</code>; the records do not name the model that made them)</li>")
    inputs = "".join(f"<li>{escape(name)}</li>" for name in provenance.inputs)
    return f'<footer class="provenance"><h2>How this report was made</h2><ul>{"".join(lines)}<li>inputs:<ul>{inputs}</ul></li></ul></footer>'


def _comment_data(comment: ReportComment, depths: Mapping[str, int]) -> list[object]:
    values = {"depth": depths.get(comment.id, 0)} | {name: getattr(comment, name) for name in DATA_FIELDS if name != "depth"}
    for name in ("stance_confidence", "sentiment_confidence"):
        if values[name] is not None:
            values[name] = round(values[name], 3)
    return [values[name] for name in DATA_FIELDS]


def _script_json(data: object) -> str:
    """JSON that cannot end the script element it sits in (``</script>``, ``<!--`` inside a comment's text)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _asset(name: str) -> str:
    return resources.files("stance.report").joinpath("assets", name).read_text(encoding="utf-8")
