"""Benchmarks run on ../shared/data where it exists and skip cleanly where it does not."""

import pytest


@pytest.fixture
def shared(pytestconfig, monkeypatch):
    path = pytestconfig.rootpath.parent / "shared" / "data"
    if not path.exists():
        pytest.skip("../shared/data is not here")
    monkeypatch.setenv("LN_SHARED_DATA", str(path))
    return path


def test_negex_benchmark_runs(shared, capsys):
    from benchmarks import negex

    assert negex.main(["--limit", "200"]) == 0
    out = capsys.readouterr().out
    assert "ln-screener ConText         negation" in out and "genConText" in out


def test_negex_negation_stays_above_gennegex(shared):
    """A regression floor on the whole set (measured 0.957; GenNegEx's published F is 0.947)."""
    from benchmarks.negex import load, predict, scores
    from extractor.pipeline import build_nlp

    rows = load(shared / "negex" / "rsAnnotations-1-120-random.txt")
    found = [r for r in predict(build_nlp(), rows) if r is not None]
    _, _, f1, *_ = scores([(row.negated, neg) for row, neg, _, _ in found])
    assert f1 >= 0.947


def test_e3c_benchmark_runs(shared, capsys):
    from benchmarks import e3c_timex

    assert e3c_timex.main([]) == 0
    assert "DURATION" in capsys.readouterr().out


def test_false_positive_review_runs(shared, capsys):
    from benchmarks import false_positives

    assert false_positives.main(["--limit", "5", "--samples", "1"]) == 0
    assert "documents" in capsys.readouterr().out


def test_benchmarks_skip_cleanly_without_data(tmp_path, monkeypatch, capsys):
    from benchmarks import e3c_timex, negex

    monkeypatch.setenv("LN_SHARED_DATA", str(tmp_path / "absent"))
    assert negex.main([]) == 0 and e3c_timex.main([]) == 0
    assert "skipped" in capsys.readouterr().out
