"""The CLI: help with examples, exit codes, and a run over a folder."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from extractor.cli import EXIT_INPUT, EXIT_RULES, EXIT_SCHEDULER, app

runner = CliRunner()


@pytest.mark.parametrize("args, example", [(["--help"], "python -m extractor run"),
                                           (["run", "--help"], "python -m extractor run"),
                                           (["report", "--help"], "python -m extractor report"),
                                           (["evaluate", "--help"], "python -m extractor evaluate"),
                                           (["export", "--help"], "python -m extractor export"),
                                           (["adjudicate", "--help"], "python -m extractor adjudicate")])
def test_help_has_an_example(args, example):
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert example in result.output


def test_help_is_fast_and_imports_nothing_heavy():
    code = "import sys; import extractor.cli; print(any(m.startswith(('spacy','medspacy','pandas')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_input_exits_2(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_INPUT
    assert "nope" in result.output


def test_bad_index_date_exits_2(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--index-date", "2024-02-30"])
    assert result.exit_code == EXIT_INPUT


def test_broken_criteria_exits_3(tmp_path):
    from pathlib import Path

    broken = Path(__file__).parent / "data" / "broken_criteria" / "unknown_rule.yaml"
    (tmp_path / "P1").mkdir()
    (tmp_path / "P1" / "2024-01-01.txt").write_text("SLE.")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--criteria", str(broken)])
    assert result.exit_code == EXIT_RULES
    assert "unknown rule" in result.output
    assert not (tmp_path / "o").exists()


def test_unreachable_scheduler_exits_4(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from extractor import screen

    real = screen._dask_client
    monkeypatch.setattr(screen, "_dask_client", lambda address: real(address, timeout="1s"))
    (tmp_path / "P1").mkdir()
    (tmp_path / "P1" / "2024-01-01.txt").write_text("SLE.")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == EXIT_SCHEDULER
    assert "cannot reach the Dask scheduler" in result.output
    assert not (tmp_path / "o").exists()


def test_run_with_report_then_report_command(tmp_path):
    (tmp_path / "in" / "P1").mkdir(parents=True)
    (tmp_path / "in" / "P1" / "2024-05-01.txt").write_text("Rituximab 1 g IV given 2024-04-01. <script>x</script>\n")
    result = runner.invoke(app, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--report"])
    assert result.exit_code == 0, result.output
    page = next((tmp_path / "o" / "report" / "patients").glob("*.html")).read_text()
    assert 'id="ev-' in page and "<script>x" not in page
    result = runner.invoke(app, ["report", str(tmp_path / "o"), "--dest", str(tmp_path / "r")])
    assert result.exit_code == 0 and (tmp_path / "r" / "index.html").exists()
    result = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert result.exit_code == EXIT_INPUT and "error:" in result.output


def test_export_and_adjudicate_commands(tmp_path):
    (tmp_path / "in" / "P1").mkdir(parents=True)
    (tmp_path / "in" / "P1" / "2024-05-01.txt").write_text("Rituximab 1 g IV given 2024-04-01.\n")
    assert runner.invoke(app, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "o")]).exit_code == 0
    for fmt, name in (("labelstudio", "tasks.json"), ("brat", "annotation.conf"), ("note_nlp", "note_nlp.csv")):
        result = runner.invoke(app, ["export", str(tmp_path / "o"), "--format", fmt, "--dest", str(tmp_path / fmt)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / fmt / name).exists()
    result = runner.invoke(app, ["export", str(tmp_path / "o"), "--format", "xml", "--dest", str(tmp_path / "x")])
    assert result.exit_code == EXIT_INPUT and "labelstudio" in result.output
    ids = (tmp_path / "o" / "evidence.csv").read_text().splitlines()[1].split(",")[0]
    (tmp_path / "v.csv").write_text(f"evidence_id,verdict,comment\n{ids},incorrect,not given\n")
    result = runner.invoke(app, ["adjudicate", str(tmp_path / "o"), "--decisions", str(tmp_path / "v.csv")])
    assert result.exit_code == 0, result.output
    assert "1 incorrect" in result.output and (tmp_path / "o" / "adjudication.json").exists()


def test_run_over_a_dated_folder(tmp_path):
    (tmp_path / "P1").mkdir()
    (tmp_path / "P1" / "2024-05-01_neph.txt").write_text("Rituximab 1 g IV given 2024-04-01.\n")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Screened 1 patients from 1 notes" in result.output
    assert "b_cell_biologic_12mo" in (tmp_path / "o" / "patients.csv").read_text()
