"""Every field right, not only the count: a field the page shows is read, one the extractor is not sure of
stays empty, and the target is the title and a lead that says something."""

from __future__ import annotations

import pytest
from samples import ARTICLE

from stance.core.thread import Thread
from stance.extract.html import parse_html


def page(blocks: str) -> str:
    return f"<html><head><title>Library to open on Sundays</title></head><body>{ARTICLE}<div id='comments'>{blocks}</div></body></html>"


def test_likes_carried_in_an_attribute_are_read() -> None:
    blocks = ('<div class="comment" id="comment-1" data-like-count="17"><span class="author">Ann</span><p>Good news.</p></div>'
              '<div class="comment" id="comment-2"><span class="author">Bo</span><p>Bad news.</p><button data-votes="4">▲</button></div>')
    assert [c.likes for c in parse_html(page(blocks), "p.html").comments] == [17, 4]


def test_a_date_without_a_year_is_left_empty_rather_than_given_this_years() -> None:
    blocks = ('<div class="comment" id="comment-1"><span class="author">Ann</span> <span class="date">Jun 20th at 2:41 am</span><p>Good.</p></div>'
              '<div class="comment" id="comment-2"><span class="author">Bo</span> <span class="date">Jun 20, 2019 at 2:41 am</span><p>Bad.</p></div>'
              '<div class="comment" id="comment-3"><span class="author">Cy</span> <span class="date">12.03.24, 10:15</span><p>Fine.</p></div>')
    assert [c.time for c in parse_html(page(blocks), "p.html").comments] == [None, "2019-06-20T02:41:00", "2024-03-12T10:15:00"]


@pytest.mark.parametrize("body, lead", [
    ("Article mis à jour le 3 mai 2024 à 10h12\nLe conseil double le péage du vieux pont.", "Le conseil double le péage du vieux pont."),
    ("Bridge toll doubles\nThe council doubled the toll.", "The council doubled the toll."),
    ("Bridge toll\nThe council doubled the toll.", "The council doubled the toll."),
    ("5 min read\nThe council doubled the toll.", "The council doubled the toll."),
    ("Updated 10:42 GMT\nThe council doubled the toll.", "The council doubled the toll."),
    ("Updated guidance: the council doubled the toll.\nMore.", "Updated guidance: the council doubled the toll."),
    ("", ""),
])
def test_the_lead_is_the_first_paragraph_that_says_something(body: str, lead: str) -> None:
    thread = Thread(title="Bridge toll doubles", body=body)
    assert thread.lead == lead
    assert thread.default_target() == ("Bridge toll doubles. " + lead if lead else "Bridge toll doubles")


def test_schema_org_dates_as_microdata_or_rdfa_text() -> None:
    blocks = ('<div class="comment" id="comment-1"><span class="author">Ann</span> <span itemprop="dateCreated">12.03.2024 10:15</span><p>Good.</p></div>'
              '<div class="comment" id="comment-2"><span class="author">Bo</span> <span property="schema:dateCreated" '
              'content="2024-03-13T08:00:00Z">yesterday</span><p>Bad.</p></div>')
    assert [c.time for c in parse_html(page(blocks), "p.html").comments] == ["2024-03-12T10:15:00", "2024-03-13T08:00:00Z"]
