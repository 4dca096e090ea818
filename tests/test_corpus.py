"""End to end over corpus/synthetic_notes against its gold labels (gold_criteria.csv,
gold_patients.csv): the 16 development patients (P001-P016) must match exactly; the whole corpus
(61 patients, three parts written without seeing the rules) must meet issue 3's targets."""

import csv

import pytest


def _corpus(config):
    return config.rootpath / "corpus" / "synthetic_notes"


def _gold(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def corpus_run(pytestconfig, tmp_path_factory):
    from extractor.screen import run

    out = tmp_path_factory.mktemp("corpus_out")
    info = run(_corpus(pytestconfig), out)
    return out, info


DEV_PATIENTS = [f"P{i:03d}" for i in range(1, 17)]


def pytest_generate_tests(metafunc):
    if "patient_id" in metafunc.fixturenames:
        metafunc.parametrize("patient_id", DEV_PATIENTS)


def test_every_note_processed(corpus_run, pytestconfig):
    _, info = corpus_run
    manifest = _gold(_corpus(pytestconfig) / "manifest.csv")
    assert info["counts"]["notes_in"] == len(manifest) == info["counts"]["notes_processed"]
    assert info["counts"]["notes_failed"] == 0


def test_patient_matches_gold(corpus_run, pytestconfig, patient_id):
    out, _ = corpus_run
    gold = {(r["criterion_id"]): r for r in _gold(_corpus(pytestconfig) / "gold_criteria.csv") if r["patient_id"] == patient_id}
    got = {r["criterion_id"]: r for r in _gold(out / "criteria.csv") if r["patient_id"] == patient_id}
    wrong = [f"{cid}: gold {g['status']} ({g['rationale']}) / got {got[cid]['status']} ({got[cid]['reason']})"
             for cid, g in gold.items() if got[cid]["status"] != g["status"]]
    assert not wrong, "\n".join(wrong)
    gold_status = next(r["status"] for r in _gold(_corpus(pytestconfig) / "gold_patients.csv") if r["patient_id"] == patient_id)
    status = next(r["status"] for r in _gold(out / "patients.csv") if r["patient_id"] == patient_id)
    assert status == gold_status


def test_decided_criteria_carry_evidence(corpus_run):
    out, _ = corpus_run
    evidence = {r["evidence_id"]: r for r in _gold(out / "evidence.csv")}
    for row in _gold(out / "criteria.csv"):
        for eid in filter(None, row["evidence_ids"].split(";")):
            assert eid in evidence, (row["patient_id"], row["criterion_id"], eid)
        if row["status"] in ("met", "not_met") and row["criterion_id"] not in ("adult", "contraception", "lactating"):
            assert row["evidence_ids"], (row["patient_id"], row["criterion_id"])


def test_corpus_meets_accuracy_targets(corpus_run, pytestconfig):
    """Issue 3: patient status accuracy >= 0.95 and met F1 >= 0.9 over the corpus; every
    criterion's met F1 stays at or above 0.85 (investigational_agent_3mo is 0.857: its missed case
    needs coreference, 'his last dose' of a trial drug named in another sentence)."""
    from extractor.evaluation import evaluate

    out, _ = corpus_run
    report = evaluate(out, _corpus(pytestconfig))
    assert report["patients"]["accuracy"] >= 0.95
    assert report["met"]["f1"] >= 0.9 and report["criterion_accuracy"] >= 0.98
    low = {cid: c["met"]["f1"] for cid, c in report["criteria"].items()
           if c["met"]["f1"] is not None and c["met"]["f1"] < 0.85}
    assert not low, low
