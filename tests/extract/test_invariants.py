"""Every record one whole comment: the invariants, the sibling layouts that used to split a comment in two,
the fallback to the next way of reading a page, and the warning where a page gives only broken records."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import ARTICLE, SIBLING_COMMENTS, SIBLING_LAYOUTS, sibling_layout

from stance.core.thread import Comment
from stance.extract.html import parse_html
from stance.extract.invariants import broken_reason, broken_records, without_interface_lines


@pytest.mark.parametrize("text, reason", [
    ("", "no text"), ("  \n ", "no text"), ("Reply", "only interface words"), ("[ antworten ]", "only interface words"),
    ("Reply ↓", "only interface words"), ("Répondre · Signaler", "only interface words"), ("12", "only interface words"),
    ("↓ 3", "only interface words"), ("Permalink", "only interface words"),
    ("+1", None), ("I like it", None), ("ok", None), ("Reply to Ben: no.", None), ("Antworten? Nein, danke.", None),
])
def test_what_breaks_a_record(text: str, reason: str | None) -> None:
    assert broken_reason(Comment("1", text)) == reason


def test_a_deleted_comment_may_be_empty() -> None:
    assert broken_reason(Comment("1", "", status="deleted")) is None
    assert broken_records([Comment("1", ""), Comment("2", "Reply"), Comment("3", "Fine.")]) == {"no text": 1, "only interface words": 1}


def test_interface_lines_come_off_the_ends_of_a_text_only() -> None:
    assert without_interface_lines("Reply\nGood point.\nAntworten") == "Good point."
    assert without_interface_lines("First.\nReply\nSecond.") == "First.\nReply\nSecond."


@pytest.mark.parametrize("layout", SIBLING_LAYOUTS)
def test_a_comment_laid_out_as_siblings_is_one_record(layout: str) -> None:
    thread = parse_html(sibling_layout(layout, SIBLING_COMMENTS), "page.html")
    assert [(c.author, c.text) for c in thread.comments] == [(author, text) for author, _, text in SIBLING_COMMENTS]
    assert [c.time[:10] for c in thread.comments] == ["2024-05-01", "2024-05-01", "2024-05-02"]
    assert thread.broken == {} and thread.declared_count == 3
    assert not any(text in thread.body for _, _, text in SIBLING_COMMENTS)


NAMES = st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=12)
WORDS = st.lists(st.sampled_from("toll bridge council repairs price commuters daylight robbery fair enough never again".split()),
                 min_size=3, max_size=15).map(lambda words: " ".join(words).capitalize() + ".")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SIBLING_LAYOUTS), st.lists(st.tuples(NAMES, st.integers(1, 28), WORDS), min_size=2, max_size=10, unique=True),
       st.booleans())
def test_any_sibling_page_gives_its_comments_whole(layout: str, comments: list[tuple[str, int, str]], declared: bool) -> None:
    """Two comments or more (marked by no comment class, a lone header and its body are no run to find), no two
    with the same author, time and text (one comment shown twice, which is merged)."""
    thread = parse_html(sibling_layout(layout, comments, declared), "page.html")
    assert [(c.author, c.text) for c in thread.comments] == [(author, text) for author, _, text in comments]
    assert thread.broken == {}


HALVES = f"""<html><body>{ARTICLE}<div id="comments"><h2>3 Comments</h2><ul class="comment-list">""" + "".join(
    f'<li class="comment-item head"><span class="author">{author}</span> <time datetime="2024-05-0{day}T10:00:00Z">{day} May</time></li>'
    f'<li class="comment-item text">{text}</li>' for author, day, text in SIBLING_COMMENTS) + "</ul></div></body></html>"


def test_marked_halves_of_comments_give_way_to_the_next_reading() -> None:
    """Both halves carry the comment class: read as marked, half the records have no text; the run of bylines
    with their bodies beside them is read instead."""
    thread = parse_html(HALVES, "page.html")
    assert [(c.author, c.time, c.text) for c in thread.comments] == [
        (author, f"2024-05-0{day}T10:00:00Z", text) for author, day, text in SIBLING_COMMENTS]
    assert thread.broken == {}


def test_a_count_twice_the_pages_own_is_a_failed_reading() -> None:
    """Each header holds a title line, so no record is empty; but six records where the page says three."""
    page = HALVES.replace('<time', 'Re: the toll <time')
    assert len(parse_html(page, "page.html").comments) == 3


def test_extract_warns_where_only_broken_records_could_be_had(tmp_path: Path, capsys) -> None:
    blocks = "".join(f'<div class="comment" id="comment-{n}"><a href="#">Reply</a></div>' for n in range(3))
    page = tmp_path / "page.html"
    page.write_text(f"<html><body>{ARTICLE}<div id='comments'>{blocks}</div></body></html>", encoding="utf-8")
    code, out, err = run(["extract", str(page), "-f", "jsonl"], capsys)
    assert code == 0 and out.count("\n") == 3
    assert "3 records not whole comments (only interface words 3)" in err
    assert "warning:" in err and "not one whole comment each" in err


def test_every_shared_page_and_export_gives_whole_records() -> None:
    from conftest import SHARED

    from stance.extract import read_thread

    files = sorted(SHARED.glob("pages/*.html*")) + sorted(SHARED.glob("exports/*")) + sorted(SHARED.glob("examples/*"))
    if not files:
        pytest.skip("needs ../shared")
    broken = {file.name: thread.broken for file in files if (thread := read_thread(file)).broken}
    assert broken == {}


def test_a_bare_number_ending_a_comment_stays() -> None:
    assert without_interface_lines("The answer is\n42") == "The answer is\n42"
    assert without_interface_lines("Good point.\nReply") == "Good point."


def test_one_odd_record_among_many_does_not_fail_a_reading() -> None:
    blocks = "".join(f'<div class="comment" id="comment-{n}"><span class="author">R{n}</span><p>Comment number {n} here.</p></div>'
                     for n in range(20))
    odd = '<div class="comment" id="comment-99"><span class="author">Z</span><p>42</p></div>'
    thread = parse_html(f"<html><body>{ARTICLE}<div id='comments'>{blocks}{odd}</div></body></html>", "p.html")
    assert len(thread.comments) == 21 and thread.broken == {"only interface words": 1}
