"""Saving files safely: the atomic write, the lock, and two `sitthi report` runs at once on one study."""

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from filelock import FileLock

import analysis.files as files
from analysis.coding.store import coder_lock
from analysis.files import BusyError, atomic_target, hold_lock, write_atomic
from analysis.study import init_study
from conftest import REPO, build_tiny_study


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if ".tmp" in p.name]


def test_files_write_atomic_replaces_content_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "notes.csv"
    assert write_atomic(path, "ก,b\r\nc\n") == path  # folders made, newlines kept as they are
    assert path.read_bytes() == "ก,b\r\nc\n".encode()
    write_atomic(path, b"\x00bytes")
    assert path.read_bytes() == b"\x00bytes"
    if os.name == "posix":
        path.chmod(0o640)
        write_atomic(path, "again")
        assert path.stat().st_mode & 0o777 == 0o640  # the mode of the file it replaces
    assert _leftovers(tmp_path) == []


def test_files_write_atomic_keeps_the_old_file_when_the_rename_fails(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "codings.csv"
    path.write_text("old\n", encoding="utf-8")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "old\n" and _leftovers(tmp_path) == []


def test_files_atomic_target_keeps_the_suffix_and_the_old_file_on_an_error(tmp_path: Path) -> None:
    import pandas as pd
    from openpyxl import load_workbook

    workbook = tmp_path / "tables.xlsx"
    with atomic_target(workbook) as temporary, pd.ExcelWriter(temporary, engine="openpyxl") as writer:
        assert temporary.parent == tmp_path and temporary.name.startswith(".tables.xlsx.")
        assert temporary.name.endswith(".tmp.xlsx")
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="old", index=False)
    with pytest.raises(RuntimeError), atomic_target(workbook) as temporary:
        temporary.write_bytes(b"PK\x03\x04 half a workbook")
        raise RuntimeError("the library failed midway")
    assert load_workbook(workbook, read_only=True).sheetnames == ["old"]
    assert _leftovers(tmp_path) == []


def test_files_concurrent_writers_use_their_own_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    contents = [json.dumps({"writer": n, "pad": "x" * 200_000}) for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda text: [write_atomic(path, text) for _ in range(5)], contents))
    assert path.read_text(encoding="utf-8") in contents  # one writer's whole file
    with atomic_target(path) as first, atomic_target(path) as second:
        assert first != second
    assert _leftovers(tmp_path) == []


def test_files_lock_timeout_is_one_line_naming_the_lock_file(tmp_path: Path) -> None:
    lock_path = tmp_path / "outputs" / ".report.lock"
    lock_path.parent.mkdir()
    waits = []
    with FileLock(lock_path), pytest.raises(BusyError) as err:  # another Sitthi holds it
        with hold_lock(lock_path, timeout=0.2, what="this study's report", on_wait=lambda: waits.append(1)):
            pass
    message = err.value.message
    assert "\n" not in message and message.startswith(f"{lock_path}: this study's report is in use")
    assert "another Sitthi (a notebook or terminal)" in message and "delete this file" in message
    assert waits == [1]


def test_files_lock_waits_for_the_other_holder(tmp_path: Path) -> None:
    lock_path, waits, order = tmp_path / ".lock", [], []
    other = FileLock(lock_path, thread_local=False)  # released by another thread
    other.acquire()

    def release_soon():
        time.sleep(0.3)
        order.append("released")
        other.release()

    threading.Thread(target=release_soon).start()
    with hold_lock(lock_path, timeout=30, what="x", on_wait=lambda: waits.append(1)):
        order.append("held")
    assert order == ["released", "held"] and waits == [1]
    with hold_lock(lock_path, timeout=30, what="x", on_wait=lambda: waits.append(1)):
        pass  # free: no waiting, no message
    assert waits == [1]


def test_files_coder_lock_says_whose_codings_are_busy(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "codings" / "nok"
    with coder_lock(folder), pytest.raises(BusyError) as err, coder_lock(folder, timeout=0.1):
        pass
    assert err.value.message.startswith(f"{folder / '.lock'}: nok's codings folder is in use by another")


def test_files_lock_and_temporary_files_are_ignored_by_git(tmp_path: Path) -> None:
    study = init_study(tmp_path / "study")
    subprocess.run(["git", "init", "-q"], cwd=study.root, check=True)
    names = ["data/codings/nok/.lock", "outputs/.report.lock", "data/codings/nok/.P1.csv.0a1b2c.tmp",
             "codebooks/.rights.yaml.0a1b2c.tmp", "data/transcripts/.P1.md.0a1b2c.tmp"]
    done = subprocess.run(["git", "check-ignore", *names], cwd=study.root, capture_output=True, text=True)
    assert done.stdout.split() == names
    kept = subprocess.run(["git", "check-ignore", "requirements.lock", "data/codings/nok/P1.csv"],
                          cwd=study.root, capture_output=True, text=True)
    assert kept.stdout == ""
    tracked = subprocess.run(["git", "ls-files", "--", "*.lock"], cwd=REPO, capture_output=True, text=True)
    assert [n for n in tracked.stdout.split() if Path(n).name.startswith(".")] == []


def _sitthi() -> list[str]:
    """The installed console script, as a user runs it."""
    script = Path(sys.executable).parent / "sitthi"
    assert script.exists(), f"install Sitthi first: {script} is missing"
    return [str(script)]


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_files_two_sitthi_report_runs_at_once(tmp_path: Path) -> None:
    study = build_tiny_study(tmp_path / "study")
    lock_path = study.outputs_dir / ".report.lock"
    logs = [(tmp_path / f"out{n}.txt", tmp_path / f"err{n}.txt") for n in range(2)]
    with FileLock(lock_path):  # held until both runs are waiting, so they run at once for sure
        runs = []
        for out, err in logs:
            with open(out, "w") as stdout, open(err, "w") as stderr:
                runs.append(subprocess.Popen([*_sitthi(), "--study", str(study.root), "report"],
                                             stdout=stdout, stderr=stderr))
        _wait_for(lambda: all("Waiting for another Sitthi" in err.read_text(encoding="utf-8")
                              or run.poll() is not None for run, (_, err) in zip(runs, logs, strict=True)),
                  180, "both runs say that they wait")
    codes = [run.wait(timeout=600) for run in runs]
    outputs = [out.read_text(encoding="utf-8") for out, _ in logs]
    errors = [err.read_text(encoding="utf-8") for _, err in logs]
    assert codes == [0, 0], errors
    assert all("Traceback" not in text and "Waiting for another Sitthi" in text for text in errors), errors
    assert sorted("up to date" in text for text in outputs) == [False, True], outputs  # one built
    manifest = json.loads((study.outputs_dir / "report.json").read_text(encoding="utf-8"))
    assert all((study.outputs_dir / name).is_file() for name in manifest["files"])
    from openpyxl import load_workbook

    assert "rights" in load_workbook(study.outputs_dir / "tables.xlsx", read_only=True).sheetnames
    assert _leftovers(study.root) == []
