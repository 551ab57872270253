"""What a report computes of a comment section: depths, time bins, exchanges, least sure, most liked."""

from __future__ import annotations

from datetime import datetime, timezone

from stance.core.labels import TASK_LABELS
from stance.report.figures import DEPTHS, parse_time, reply_depths, section_figures
from stance.report.sections import ReportComment, Section

TASKS = {task: list(labels) for task, labels in TASK_LABELS.items()}


def comment(id: str, parent: str | None = None, stance: str = "neutral", **fields) -> ReportComment:
    return ReportComment(id=id, text=f"comment {id}", parent=parent, stance=stance, stance_confidence=fields.pop("sure", 0.9), **fields)


def test_depths_follow_the_reply_chain_whatever_the_order() -> None:
    comments = [comment("c", "b"), comment("a"), comment("b", "a"), comment("d", "c"), comment("e", "a")]
    assert reply_depths(comments) == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 1}


def test_a_reply_to_a_missing_comment_is_a_reply_and_a_loop_ends() -> None:
    comments = [comment("x", "gone"), comment("y", "x"), comment("p", "q"), comment("q", "p"), comment("self", "self")]
    depths = reply_depths(comments)
    assert depths["x"] == 1 and depths["y"] == 2
    assert {depths["p"], depths["q"]} == {1, 2} and depths["self"] == 1


def test_times_are_read_as_utc_and_unreadable_ones_left_out() -> None:
    assert parse_time("2013-04-15T20:51:28Z") == datetime(2013, 4, 15, 20, 51, 28, tzinfo=timezone.utc)
    assert parse_time("2020-10-22T17:17:43+08:00") == datetime(2020, 10, 22, 9, 17, 43, tzinfo=timezone.utc)
    assert parse_time("2020-10-22") == datetime(2020, 10, 22, tzinfo=timezone.utc)
    assert parse_time("yesterday") is None and parse_time(None) is None


def test_the_time_axis_takes_the_finest_readable_step_and_counts_each_comment_once() -> None:
    hours = [comment(str(n), stance="support" if n % 2 else "oppose", time=f"2024-01-01T{n:02d}:30:00Z") for n in range(10)]
    found = section_figures(Section("t", "t", "s", hours + [comment("late", time="not a time")]), TASKS, None)
    assert found.time_step == "hour" and found.timed == 10
    assert [sum(b.counts.values()) for b in found.over_time] == [1] * 10
    assert sum(b.counts["support"] for b in found.over_time) == 5
    days = [comment(str(n), time=f"2024-{1 + n // 28:02d}-{1 + n % 28:02d}T12:00:00Z") for n in range(0, 200, 7)]
    found = section_figures(Section("t", "t", "s", days), TASKS, None)
    assert found.time_step == "week" and len(found.over_time) <= 40
    assert sum(sum(b.counts.values()) for b in found.over_time) == len(days)


def test_one_timed_comment_draws_no_axis() -> None:
    found = section_figures(Section("t", "t", "s", [comment("a", time="2024-01-01T00:00:00Z"), comment("b")]), TASKS, None)
    assert found.time_step is None and found.over_time == [] and found.timed == 1


def test_exchanges_count_replies_taking_the_other_side() -> None:
    comments = [comment("a", stance="support"), comment("b", "a", "oppose"), comment("c", "b", "support"),
                comment("d", "a", "support"), comment("e", "a", "neutral"), comment("f", "gone", "oppose")]
    found = section_figures(Section("t", "t", "s", comments), TASKS, None)
    assert found.exchanges == 2
    assert found.by_depth[DEPTHS[0]]["support"] == 1 and found.by_depth[DEPTHS[1]] == {"support": 1, "oppose": 2, "mixed": 0, "neutral": 1}
    assert found.by_depth[DEPTHS[2]]["support"] == 1


def test_least_sure_and_most_liked() -> None:
    comments = [comment("a", stance="support", sure=0.4, likes=3), comment("b", stance="oppose", sure=0.9, likes=10),
                comment("c", stance="support", sure=0.3, likes=7), comment("d", stance="support", sure=0.8)]
    found = section_figures(Section("t", "t", "s", comments), TASKS, None)
    assert [c.id for c in found.least_sure] == ["c", "a", "d", "b"]
    assert [c.id for c in found.most_liked["support"]] == ["c", "a"] and [c.id for c in found.most_liked["oppose"]] == ["b"]
    assert found.most_liked["neutral"] == []
    assert section_figures(Section("t", "t", "s", [comment("x")]), TASKS, None).most_liked == {}


def test_the_language_warning_names_what_the_model_was_not_trained_on() -> None:
    comments = [comment(str(n), language="de") for n in range(3)] + [comment("e", language="en")]
    assert section_figures(Section("t", "t", "s", comments), TASKS, ["en"]).unfamiliar == {"de": 3}
    assert section_figures(Section("t", "t", "s", comments), TASKS, ["en", "de"]).unfamiliar == {}


def test_a_time_at_the_edge_of_the_calendar_is_no_time() -> None:
    assert parse_time("0001-01-01T00:00:00+05:00") is None and parse_time("9999-12-31T23:00:00-05:00") is None
