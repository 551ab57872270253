"""The Ray engine under faults, each in a `stance classify --engine ray` process of its own (a local cluster it
starts): a labelling worker killed with SIGKILL mid-run, the driver killed and the run resumed. Every record
comes out once, labelled as an undisturbed local run labels it. Skipped where Ray is not installed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, assert_same_records, kill_when, read_jsonl, run, write_jsonl

pytest.importorskip("ray")
pytest.importorskip("ray.data")

pytestmark = pytest.mark.slow

LABELLER = "ray::MapWorker(MapBatches(_Labeller))"
TEXTS = ["I love this plan", "This is a terrible idea", "When does it start?", "Good for some, bad for others"]


def comment_files(folder: Path, files: int, per_file: int) -> Path:
    for f in range(files):
        write_jsonl(folder / f"part{f}.jsonl", [
            {"id": f"p{f}-{i}", "text": f"{TEXTS[i % 4]} ({f}-{i})", "parent": f"p{f}-{i - 1}" if i % 3 else None}
            for i in range(per_file)
        ])
    return folder


def ray_processes(title: str, under: int) -> dict[int, str]:
    """pid → process title of the processes descended from ``under`` (the run's own Ray cluster, not another's on
    this machine) whose title starts with ``title``."""
    parents, titles = {}, {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                titles[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):  # ended while we looked
            continue

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == under:
                return True
        return False

    return {pid: name for pid, name in titles.items() if name.startswith(title) and descends(pid)}


def start_on_ray(inputs: Path, output: Path, model: Path, log: Path, *more: str) -> subprocess.Popen:
    """The run in a process of its own, its stderr going to ``log`` (a pipe nobody reads could fill and stall it)."""
    command = [sys.executable, "-m", "stance", "classify", str(inputs), "-o", str(output), "--engine", "ray",
               "--workers", "2", "--model", str(model), "--precision", "fp32", "--target", "the plan", *more]
    with open(log, "w") as stderr:
        return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr)


def local_outputs(inputs: Path, output: Path, model: Path, capsys) -> Path:
    code, _, err = run(["classify", str(inputs), "-o", str(output), "--model", str(model), "--precision", "fp32",
                        "--target", "the plan"], capsys)
    assert code == 0, err
    return output


def assert_same_outputs(ours: Path, undisturbed: Path, files: int, per_file: int) -> None:
    for f in range(files):
        written = read_jsonl(ours / f"part{f}.jsonl")
        assert [r["id"] for r in written] == [f"p{f}-{i}" for i in range(per_file)]  # every record, once, in order
        assert_same_records(written, read_jsonl(undisturbed / f"part{f}.jsonl"))
    assert not [p.name for p in ours.iterdir() if p.name.endswith(".partial")]


def test_a_worker_killed_mid_run_is_replaced_and_the_run_finishes(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    inputs = comment_files(tmp_path / "in", files=4, per_file=3000)
    log = tmp_path / "stderr.txt"
    process = start_on_ray(inputs, tmp_path / "ray", tiny_classifier_dir, log)
    workers: dict[int, str] = {}

    def both_workers_up_and_one_labelling() -> bool:  # the pool of --workers 2, whole, before anything is killed
        workers.clear()
        workers.update(ray_processes(LABELLER, under=process.pid))
        return len(workers) == 2 and any(title.endswith(".submit") for title in workers.values())

    deadline = time.monotonic() + 600
    while process.poll() is None and not both_workers_up_and_one_labelling() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) == 2, f"no labelling worker was seen at work (the run {'ended' if process.poll() is not None else 'still runs'}): {log.read_text()}"
    victim = next(pid for pid, title in workers.items() if title.endswith(".submit"))
    os.kill(victim, signal.SIGKILL)
    replacements: set[int] = set()
    while process.poll() is None and time.monotonic() < deadline + 600:
        replacements |= set(ray_processes(LABELLER, under=process.pid)) - set(workers)
        time.sleep(0.05)
    code, err = process.wait(timeout=60), log.read_text()
    assert code == 0, err
    assert replacements, "Ray did not start a worker in place of the killed one"
    assert "4 files classified" in err and "12000 comments" in err
    assert_same_outputs(tmp_path / "ray", local_outputs(inputs, tmp_path / "local", tiny_classifier_dir, capsys), 4, 3000)


def test_a_killed_driver_leaves_whole_files_and_resume_finishes_the_rest(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    inputs = comment_files(tmp_path / "in", files=6, per_file=2000)
    output = tmp_path / "ray"
    process = start_on_ray(inputs, output, tiny_classifier_dir, tmp_path / "killed.txt")
    workers: set[int] = set()

    def first_file_whole() -> bool:
        workers.update(ray_processes(LABELLER, under=process.pid))  # noted now: orphans are not the driver's descendants
        return (output / "part0.jsonl").exists()

    assert kill_when(process, first_file_whole), "the run ended before the driver could be killed"
    complete = sorted(p.name for p in output.glob("part*.jsonl"))
    assert workers and complete and len(complete) < 6
    before = {name: (output / name).read_bytes() for name in complete}
    deadline = time.monotonic() + 30  # Ray's own processes go with the driver that started them
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "the killed driver's Ray workers lived on"

    log = tmp_path / "resumed.txt"
    resumed = start_on_ray(inputs, output, tiny_classifier_dir, log, "--resume")
    code, err = resumed.wait(timeout=600), log.read_text()
    assert code == 0, err
    assert f"{6 - len(complete)} files classified" in err and f"{len(complete)} complete before, skipped" in err
    assert {name: (output / name).read_bytes() for name in complete} == before  # kept, not redone
    assert_same_outputs(output, local_outputs(inputs, tmp_path / "local", tiny_classifier_dir, capsys), 6, 2000)

