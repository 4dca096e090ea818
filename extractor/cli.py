"""Command line: a thin layer over :func:`extractor.screen.run`.

Exit codes: 0 done (per-note problems are listed in OUT/errors.csv); 2 bad usage or unreadable
input (nothing written); 3 invalid criteria or pattern file (nothing written); 4 the Dask
scheduler cannot be reached or Dask is not installed.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Pre-screen lupus nephritis trial candidates from clinical notes.\n\n"
                       "Example:\n\n  python -m extractor run corpus/synthetic_notes --out out\n\n"
                       "  python -m extractor evaluate out --gold corpus/synthetic_notes")

EXIT_INPUT, EXIT_RULES, EXIT_SCHEDULER = 2, 3, 4


@app.callback()
def _root() -> None:
    """Pre-screen lupus nephritis trial candidates from clinical notes."""


@contextmanager
def _exit_on(*codes: tuple):
    """``(exception type or types, exit code)`` pairs: such an error becomes one line
    ``error: ...`` on stderr and that exit code; any other exception goes on up."""
    try:
        yield
    except Exception as exc:
        code = next((c for errors, c in codes if isinstance(exc, errors)), None)
        if code is None:
            raise
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code) from None


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"--column expects OURS=THEIRS, e.g. note_text=NOTE_BODY; got {pair!r}")
        ours, theirs = pair.split("=", 1)
        mapping[ours.strip()] = theirs.strip()
    return mapping


@app.command()
def run(
    input: Path = typer.Argument(..., help="Corpus folder (manifest.csv or <patient>/<YYYY-MM-DD>*.txt) or a note export (.csv, .parquet, .jsonl)."),
    out: Path = typer.Option(..., "--out", help="Output folder for patients.csv, criteria.csv, evidence.csv, errors.csv, run.json."),
    patients: Optional[Path] = typer.Option(None, "--patients", help="patients.csv (patient_id,birth_date,sex,index_date); default: INPUT/patients.csv if present."),
    index_date: Optional[str] = typer.Option(None, "--index-date", help="Screening date YYYY-MM-DD for patients without one in patients.csv (default: each patient's latest note)."),
    criteria: Optional[Path] = typer.Option(None, "--criteria", help="Criteria YAML (default: the packaged patterns/criteria.yaml)."),
    column: List[str] = typer.Option([], "--column", help="Map a column: OURS=THEIRS, e.g. --column patient_id=MRN --column text=NOTE_BODY."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes, one pipeline each; output is identical to --workers 1."),
    report: bool = typer.Option(False, "--report", help="Also write the HTML evidence report to OUT/report/ (see the report command)."),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted run into the same OUT: keep its finished partitions (same input and options required)."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Notes per partition (default 1000, or 200 with --workers/--scheduler)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (e.g. tcp://10.0.0.5:8786): run the pipeline on that cluster's workers; needs ln-screener[dask]."),
) -> None:
    """Screen notes and write per-patient eligibility with evidence.

    Example:

      python -m extractor run corpus/synthetic_notes --out out --index-date 2024-11-06

      python -m extractor run notes.parquet --out out --scheduler tcp://10.0.0.5:8786

      python -m extractor run notes.parquet --out out --resume   # after an interruption
    """
    from .criteria import CriteriaError
    from .readers import InputError
    from .rules import RuleFileError
    from .screen import ResumeError, SchedulerError, run as run_screen

    if index_date:
        from .dates import parse_iso_date
        try:
            parse_iso_date(index_date)
        except ValueError as exc:
            typer.echo(f"error: --index-date: {exc}", err=True)
            raise typer.Exit(EXIT_INPUT)
    bar = _progress()
    try:
        with _exit_on(((RuleFileError, CriteriaError), EXIT_RULES), ((InputError, ResumeError), EXIT_INPUT),
                      (SchedulerError, EXIT_SCHEDULER)):
            info = run_screen(input, out, patients=patients, index_date=index_date, criteria=criteria,
                              column_map=_column_map(column) or None, progress=bar.update,
                              workers=workers, batch_size=batch_size or (200 if workers > 1 or scheduler else 1000),
                              scheduler=scheduler, resume=resume)
    finally:
        bar.close()
    counts = info["counts"]
    by_status = counts["patients_by_status"]
    typer.echo(
        f"\nScreened {counts['patients']} patients from {counts['notes_processed']} notes "
        f"({counts['notes_failed']} failed, see errors.csv) in {info['seconds']} s\n"
        + "".join(f"  {s:<16}{by_status.get(s, 0)}\n" for s in ("likely_eligible", "needs_review", "not_eligible"))
        + f"  evidence rows   {counts['evidence']}\n"
        f"Tables in {out}/: patients.csv, criteria.csv, evidence.csv, errors.csv, warnings.csv, run.json",
        err=True,
    )
    if report:
        from .report import write_report

        typer.echo(f"Report: {write_report(out, notes_source=input)}", err=True)


@app.command()
def report(
    out: Path = typer.Argument(..., help="Output folder of a run (patients.csv, criteria.csv, evidence.csv, run.json)."),
    notes: Optional[Path] = typer.Option(None, "--notes", help="The run's input, if it has moved (default: the input named in run.json)."),
    dest: Optional[Path] = typer.Option(None, "--dest", help="Folder for the HTML report (default: OUT/report)."),
) -> None:
    """Write a self-contained HTML evidence report: an index of patients and one page per patient
    with the criteria checklist and every evidence span highlighted in its note.

    Example:

      python -m extractor report out        # then open out/report/index.html
    """
    from .report import ReportError, write_report

    with _exit_on((ReportError, EXIT_INPUT)):
        index = write_report(out, notes_source=notes, dest=dest)
    typer.echo(f"Report: {index}", err=True)


@app.command()
def export(
    out: Path = typer.Argument(..., help="Output folder of a run."),
    format: str = typer.Option(..., "--format", help="labelstudio (tasks.json + labelling config), brat (.txt/.ann + annotation.conf) or note_nlp (OMOP CDM v5.4 NOTE_NLP, CSV and Parquet)."),
    dest: Path = typer.Option(..., "--dest", help="Folder to write the export into."),
    notes: Optional[Path] = typer.Option(None, "--notes", help="The run's input, if it has moved (default: the input named in run.json)."),
) -> None:
    """Export the evidence for review in the abstractors' tools.

    Example:

      python -m extractor export out --format labelstudio --dest out/labelstudio
    """
    from .exports import export as write_export

    with _exit_on(((ValueError, OSError), EXIT_INPUT)):
        written = write_export(out, format, dest, notes_source=notes)
    typer.echo(f"Wrote {len(written)} files to {dest}", err=True)


@app.command()
def adjudicate(
    out: Path = typer.Argument(..., help="Output folder of a run."),
    decisions: Path = typer.Option(..., "--decisions", help="Abstractors' verdicts: a Label Studio export (JSON) or a CSV of evidence_id,verdict,comment."),
    notes: Optional[Path] = typer.Option(None, "--notes", help="The run's input, if it has moved (default: the input named in run.json)."),
) -> None:
    """Read abstractors' verdicts on the evidence: per-criterion precision, and the patients whose
    status would change without the rejected evidence (OUT/adjudication.json).

    Example:

      python -m extractor adjudicate out --decisions verdicts.csv
    """
    from .adjudication import adjudicate as read_verdicts, format_summary

    with _exit_on(((ValueError, OSError), EXIT_INPUT)):
        result = read_verdicts(out, decisions, notes_source=notes)
    typer.echo(format_summary(result))


@app.command()
def evaluate(
    out: Path = typer.Argument(..., help="Output folder of a run (criteria.csv, patients.csv, evidence.csv)."),
    gold: Path = typer.Option(..., "--gold", help="Folder with gold_criteria.csv and gold_patients.csv, or the gold_criteria.csv path."),
    report: Optional[Path] = typer.Option(None, "--report", help="Where to write the JSON report (default: OUT/eval.json)."),
    show: int = typer.Option(50, "--show", help="How many disagreements to print (all are in the JSON)."),
) -> None:
    """Score a run against gold labels: per-criterion P/R/F1, confusion, patient accuracy.

    Example:

      python -m extractor evaluate out --gold corpus/synthetic_notes
    """
    from .evaluation import GoldError, evaluate as score, format_report, write_report

    with _exit_on((GoldError, EXIT_INPUT)):
        result = score(out, gold)
    target = report or out / "eval.json"
    write_report(result, target)
    typer.echo(format_report(result, show))
    typer.echo(f"\nReport: {target}")


def _progress():
    from tqdm import tqdm

    return tqdm(unit="note", file=sys.stderr, disable=None, leave=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
