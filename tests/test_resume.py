"""Interrupted runs: a real run killed with SIGKILL, then finished with --resume."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from extractor.screen import WORK_DIR

TABLES = ("patients.csv", "criteria.csv", "evidence.csv", "errors.csv")


def _run(source, out, *extra):
    return [sys.executable, "-m", "extractor", "run", str(source), "--out", str(out), "--batch-size", "20", *extra]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_killed_run_resumes_to_identical_tables(tmp_path, pytestconfig, workers):
    source = pytestconfig.rootpath / "corpus" / "synthetic_notes"
    subprocess.run(_run(source, tmp_path / "whole"), check=True, capture_output=True)

    out = tmp_path / "killed"
    parts = out / WORK_DIR / "parts"
    proc = subprocess.Popen(_run(source, out, "--workers", workers), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(parts.glob("*.pkl"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)  # the main process; pool workers die with their pipe
    proc.wait()
    done = len(list(parts.glob("*.pkl")))
    assert 3 <= done < 14 and not (out / "run.json").exists()

    subprocess.run(_run(source, out, "--workers", workers, "--resume"), check=True, capture_output=True)
    info = json.loads((out / "run.json").read_text())
    assert info["counts"]["partitions_reused"] >= done  # finished partitions were not redone
    assert info["counts"]["notes_in"] == info["counts"]["notes_processed"] + info["counts"]["notes_failed"] == 271
    for name in TABLES:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert not (out / WORK_DIR).exists()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
