"""Safety: no network at run time, no note text in messages, no paths from identifiers."""

import json
import subprocess
import sys
import textwrap

import pandas as pd

BLOCK_SOCKETS = textwrap.dedent("""
    import socket, sys

    class Blocked(OSError):
        pass

    def refuse(*args, **kwargs):
        raise Blocked("network use at run time: " + repr(args[:2]))

    class NoSocket(socket.socket):
        connect = connect_ex = sendto = sendmsg = refuse

    socket.socket = NoSocket
    socket.create_connection = socket.getaddrinfo = socket.gethostbyname = refuse
    from extractor.cli import main
    sys.argv = ["extractor"] + sys.argv[1:]
    main()
""")


def test_whole_run_with_sockets_blocked(tmp_path, pytestconfig):
    """Imports, pipeline build, screening and writing, with every way out to the network refused."""
    source = pytestconfig.rootpath / "corpus" / "synthetic_notes"
    done = subprocess.run([sys.executable, "-c", BLOCK_SOCKETS, "run", str(source), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "network use" not in done.stderr
    counts = json.loads((tmp_path / "out" / "run.json").read_text())["counts"]
    assert counts["notes_processed"] == 271


def test_identifiers_never_become_paths(tmp_path):
    """Note and patient ids that look like paths are data: nothing is written outside OUT."""
    export = tmp_path / "in" / "notes.csv"
    export.parent.mkdir()
    pd.DataFrame({"note_id": ["../../escape", "/etc/passwd"], "person_id": ["../p", "C:\\\\x"],
                  "note_date": ["2024-01-01", "2024-01-02"],
                  "note_text": ["Rituximab 1 g IV given 2023-12-01.", "No history of TB."]}).to_csv(export, index=False)
    before = {p for p in tmp_path.rglob("*")}
    done = subprocess.run([sys.executable, "-m", "extractor", "run", str(export), "--out", str(tmp_path / "a" / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    created = {p for p in tmp_path.rglob("*")} - before
    assert all(p == tmp_path / "a" or (tmp_path / "a" / "out") in [p, *p.parents] for p in created), created
    assert set(pd.read_csv(tmp_path / "a" / "out" / "evidence.csv").note_id) <= {"../../escape", "/etc/passwd"}
