"""The progress a long command shows: a line every half minute in a log, with the total and the time left."""

from __future__ import annotations

import io
from pathlib import Path

from stance.cli._progress import CountProgress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_every_interval_with_the_time_left() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = CountProgress(stream, bar=False, clock=clock)
    progress.begin(1000)
    clock.now = 10.0
    progress.advance(100)  # before the first interval: nothing yet
    clock.now = 31.0
    progress.advance(150)
    clock.now = 40.0
    progress.advance(250)
    progress.end()
    assert stream.getvalue().splitlines() == ["classifying · 250/1000 comments · elapsed 31s · ETA 1m33s"]
    progress.begin(None)  # a pipe: no total, no ETA
    clock.now = 80.0
    progress.advance(7)
    assert stream.getvalue().splitlines()[-1] == "classifying · 7 comments · elapsed 40s"


def test_classify_counts_a_comment_file_and_reports_every_comment(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    from conftest import write_jsonl

    from stance.classify.one_file import classify_file
    from stance.model.classifier import StanceClassifier

    source = write_jsonl(tmp_path / "c.jsonl", [{"text": f"comment {i}", "target": "the plan"} for i in range(700)])

    class Recorder:
        def __init__(self) -> None:
            self.events: list[tuple[str, int | None]] = []

        def begin(self, total: int | None) -> None:
            self.events.append(("begin", total))

        def advance(self, count: int) -> None:
            self.events.append(("advance", count))

        def end(self) -> None:
            self.events.append(("end", None))

    recorder = Recorder()
    classify_file(str(source), StanceClassifier.from_pretrained(tiny_classifier_dir), str(tmp_path / "out.jsonl"), progress=recorder)
    # the first chunks are small, so that a person hears soon: 256, then 444 (the rest)
    assert recorder.events == [("begin", 700), ("advance", 256), ("advance", 444), ("end", None)]


def test_records_are_counted_where_it_is_cheap(tmp_path: Path) -> None:
    import gzip

    from stance.extract import count_records

    (tmp_path / "a.csv").write_text("text,target\none,x\n\"two,\nlines\",x\nthree,x", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"text": "one"}\n{"text": "two"}\n', encoding="utf-8")
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(b'{"text": "one"}\n'))
    assert count_records(str(tmp_path / "a.jsonl")) == 2
    assert count_records(str(tmp_path / "a.csv")) == 4  # lines less the header: about, where a text holds a newline
    assert count_records(str(tmp_path / "a.jsonl.gz")) is None and count_records("-") is None
    (tmp_path / "comments.dat").write_text("body\ttarget\none\tx\n", encoding="utf-8")
    assert count_records(str(tmp_path / "comments.dat"), "tsv") == 1  # a forced format
    assert count_records(str(tmp_path / "comments.dat"), text_column="body") == 1  # sniffed by its header
    (tmp_path / "page.html").write_text("<html>\n<body>\n<p>no comments</p>\n</body>\n</html>\n", encoding="utf-8")
    assert count_records(str(tmp_path / "page.html")) is None  # a page is read whole: its lines are not comments
