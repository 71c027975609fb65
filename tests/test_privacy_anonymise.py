"""The anonymiser: word-boundary replacement, front matter, the reviewer's key, memos, the study id."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from test_exchange_qdpx_import import nvivo_project, write_qdpx
from typer.testing import CliRunner

from analysis.cli import app
from analysis.coding.imported import raw_store
from analysis.coding.store import CodingStore
from analysis.errors import SitthiError, StudyError
from analysis.exchange.qdpx_import import import_qdpx
from analysis.privacy.anonymise import apply_key, propose, read_key, write_proposal
from analysis.privacy.replace import Replacer
from analysis.study import init_study, read_study_file
from analysis.text.corpus import read_transcript

PHONE = "0891234567"
RAW_FILE = f"""---
id: FM-01
language: en
anonymised: false
interviewer: Somchai Jaidee
participant_phone: {PHONE}
site: A
---

I: Thanks, Khun Somchai Jaidee is here too.

R: I am Nok. I still have my Nokia phone and the Annual report.
"""


@pytest.fixture
def study(make_study, tmp_path, monkeypatch):
    """A study with one raw file whose front matter names people; secrets outside it."""
    made = make_study()
    monkeypatch.setenv("SITTHI_SECRETS", str(tmp_path / "secrets"))
    (made.raw_dir / "FM-01.md").write_text(RAW_FILE, encoding="utf-8")
    return made


def _key_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_key(path: Path, rows: list[dict[str, str]], *, bom: bool = False) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8-sig" if bom else "utf-8")


def test_privacy_anonymise_replaces_whole_words_only() -> None:
    key = {"ใหม่": "[NAME-01]", "ดาว": "[NAME-05]", "Ann": "[NAME-02]", "Nok": "[SOCIAL]"}
    text = "ไปเชียงใหม่กับใหม่ วันนั้นดาวเทียมตก พี่ดาวบอก\nAnnual report by Ann, a Nokia phone, nok and NOK."
    new, changes, counts = Replacer(key).replace(text)
    assert new == ("ไปเชียงใหม่กับ[NAME-01] วันนั้นดาวเทียมตก พี่[NAME-05]บอก\n"
                   "Annual report by [NAME-02], a Nokia phone, [SOCIAL] and [SOCIAL].")
    assert counts == {"ใหม่": 1, "ดาว": 1, "Ann": 1, "Nok": 2} and len(changes) == 5


def test_privacy_anonymise_longest_first_and_thai_touching_latin() -> None:
    key = {"Somchai": "[NAME-01]", "Somchai Jaidee": "[NAME-02]", "0812345678": "[PHONE]"}
    new, _, counts = Replacer(key).replace("คุณSomchai Jaidee โทร0812345678 และ Somchai")
    assert new == "คุณ[NAME-02] โทร[PHONE] และ [NAME-01]"
    assert counts == {"Somchai Jaidee": 1, "0812345678": 1, "Somchai": 1}


def test_privacy_anonymise_excel_bom_key_and_unnormalised_originals(study, tmp_path) -> None:
    misordered = "น" + "\u0e48" + "\u0e34" + "ม"  # tone mark before the vowel: normalises to นิ่ม
    nfd = "Zoe\u0301"  # an accent as a separate mark
    raw = study.raw_dir / "FM-01.md"
    raw.write_text(RAW_FILE + "\nR: พี่นิ่มกับ Zoé ไปด้วย\n", encoding="utf-8")
    rows = [{"original": o, "kind": "name", "replacement": r, "count": "1", "files": "x"}
            for o, r in ((misordered, "[NAME-01]"), (nfd, "[NAME-02]"), ("Somchai Jaidee", "[NAME-03]"),
                         ("Nok", "[NAME-04]"), (PHONE, "[PHONE]"))]
    _write_key(tmp_path / "secrets" / "key.csv", rows, bom=True)
    assert set(read_key(study)) >= {"นิ่ม", "Zoé", "Somchai Jaidee"}
    applied = apply_key(study)
    assert applied.problems == [], [p.message for p in applied.problems]
    body = read_transcript(applied.written[0]).body
    assert "พี่[NAME-01]กับ [NAME-02] ไปด้วย" in body and "Nokia" in body and "Annual" in body


def test_privacy_anonymise_front_matter_scanned_and_pseudonymised(study) -> None:
    key, review = propose(study)
    found = {(r["original"], r["file"], r["line"]) for _, r in review.iterrows()}
    assert ("Somchai Jaidee", "FM-01.md", 5) in found and (PHONE, "FM-01.md", 6) in found
    assert not any(r["original"] in {"FM-01", "en", "false"} for _, r in review.iterrows())
    write_proposal(study)
    applied = apply_key(study)
    assert applied.problems == [] and len(applied.written) == 1
    text = applied.written[0].read_text(encoding="utf-8")
    assert "Somchai" not in text and PHONE not in text
    transcript = read_transcript(applied.written[0])  # still valid YAML, anonymised: true
    replacement = read_key(study)["Somchai Jaidee"]
    assert transcript.attributes["interviewer"] == replacement  # a quoted string, not a list
    assert transcript.attributes["participant_phone"] == "[PHONE]" and transcript.attributes["site"] == "A"
    assert text.splitlines()[3] == "anonymised: true"  # in place: file lines keep their numbers
    rows = {r["original"]: r for r in _key_rows(study.secrets_dir / "key.csv")}
    assert rows["Somchai Jaidee"]["count"] == "2" and rows[PHONE]["count"] == "1"  # really replaced


def test_privacy_anonymise_front_matter_survivor_refuses_the_file_masked(study) -> None:
    key_path, _, _ = write_proposal(study)
    rows = _key_rows(key_path)
    for row in rows:
        if row["original"] == PHONE:
            row["status"] = "rejected"  # a reviewer's mistake: the phone must still be caught
    _write_key(key_path, rows)
    applied = apply_key(study)
    assert applied.written == [] and len(applied.problems) == 1
    problem = applied.problems[0]
    assert problem.line == 6 and "'08…67' would remain" in problem.what and PHONE not in problem.message


def test_privacy_anonymise_propose_merges_into_the_reviewers_key(study) -> None:
    key_path, review_path, first = write_proposal(study)
    rows = _key_rows(key_path)
    assert first == len(rows) > 0 and {r["status"] for r in rows} == {"new"}
    by_original = {r["original"]: r for r in rows}
    by_original["Somchai Jaidee"]["replacement"] = "[INTERVIEWER]"
    by_original["Somchai Jaidee"]["note"] = "the interviewer"  # a column the reviewer added
    by_original["Nok"]["status"] = "keep"
    rows = [{**r, "note": r.get("note", "")} for r in rows]
    rows.append({"original": "Annual", "kind": "name", "replacement": "[REPORT]", "status": "confirmed",
                 "confidence": "", "count": "", "files": "", "note": "added by hand"})
    _write_key(key_path, rows, bom=True)  # saved by Excel
    (study.raw_dir / "FM-02.md").write_text(RAW_FILE.replace("FM-01", "FM-02") + "\nR: Kanya Srisuk came.\n",
                                            encoding="utf-8")
    _, _, added = write_proposal(study)
    merged = _key_rows(key_path)
    assert [r["original"] for r in merged[:len(rows)]] == [r["original"] for r in rows]  # every row kept
    again = {r["original"]: r for r in merged}
    assert again["Somchai Jaidee"]["replacement"] == "[INTERVIEWER]"
    assert again["Somchai Jaidee"]["note"] == "the interviewer" and again["Nok"]["status"] == "rejected"
    assert again["Annual"]["count"] == "2" and again["Somchai Jaidee"]["count"] == "4"  # counts refreshed
    assert again["Nok"]["count"] == "0"
    assert added >= 1 and all(r["status"] == "new" for r in merged[len(rows):])
    assert "Kanya Srisuk" in {r["original"] for r in merged[len(rows):]}
    review = list(csv.DictReader(io.StringIO(review_path.read_text(encoding="utf-8-sig"))))
    assert "Nok" not in {r["original"] for r in review}  # rejected: never proposed again
    applied = apply_key(study)
    assert applied.problems == []
    body = read_transcript(study.transcripts_dir / "FM-02.md").body
    assert "I am Nok." in body and "[REPORT]" in body and "[INTERVIEWER]" in body


def test_privacy_anonymise_review_table_decisions_and_order(study) -> None:
    key_path, review_path, _ = write_proposal(study)
    review = list(csv.DictReader(io.StringIO(review_path.read_text(encoding="utf-8-sig"))))
    status = next(c for c in review[0] if c.startswith("status"))
    assert "rejected" in status and "empty replacement" in status  # the header says what it means
    confidences = [float(r["confidence"]) for r in review if r[status] == "new"]
    assert confidences == sorted(confidences, reverse=True)  # surest first, guesses last
    for row in review:
        row[status] = "rejected" if row["original"] == "Nok" else row[status]
    _write_key(review_path, review, bom=True)
    assert "Nok" not in read_key(study)  # a decision in review.csv counts while key.csv says "new"
    write_proposal(study)
    assert {r["original"]: r["status"] for r in _key_rows(key_path)}["Nok"] == "rejected"


def test_privacy_anonymise_bad_status_and_undecodable_key(study, tmp_path) -> None:
    path = tmp_path / "secrets" / "key.csv"
    _write_key(path, [{"original": "Nok", "kind": "name", "replacement": "[N]", "status": "maybe"}])
    with pytest.raises(SitthiError, match="unknown status 'maybe'") as err:
        read_key(study)
    assert err.value.line == 2
    path.write_bytes("original,replacement\nน้อย,[N]\n".encode("cp874"))
    with pytest.raises(SitthiError, match="not UTF-8"):
        read_key(study)


def test_privacy_anonymise_memos_proposed_replaced_and_checked(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SITTHI_SECRETS", str(tmp_path / "secrets"))
    result = import_qdpx(write_qdpx(tmp_path / "p.qdpx", nvivo_project()), tmp_path / "study")
    study = result.study
    path = raw_store(study).path("mai", "Interview-A")
    memo = "ask Khun Pranee at pranee@example.org"
    path.write_text(path.read_text(encoding="utf-8").replace("memo 2", memo), encoding="utf-8")
    key, review = propose(study)
    memo_hits = review[review["file"] == "codings/mai/Interview-A.csv"]
    assert {"Pranee", "pranee@example.org"} <= set(memo_hits["original"])  # only in a memo, still proposed
    write_proposal(study)
    run = CliRunner().invoke(app, ["--study", str(study.root), "anonymise", "--apply"])
    assert run.exit_code == 0, run.output
    memos = {c.memo for c in CodingStore(read_study_file(study.config_file)).codings_of("mai")}
    assert not any("Pranee" in m or "pranee" in m for m in memos) and any("[EMAIL]" in m for m in memos)


def test_privacy_anonymise_qdpx_import_anonymised_checks_memos(tmp_path) -> None:
    project = nvivo_project().replace("memo 1", "call 081-234-5678")
    refused = r"a memo on its codings holds an ID or phone number \(08…78\)"
    with pytest.raises(SitthiError, match=refused) as err:
        import_qdpx(write_qdpx(tmp_path / "p.qdpx", project), tmp_path / "s", anonymised=True)
    assert "081-234-5678" not in err.value.message
    assert not (tmp_path / "s" / "data").exists()


def test_study_id_names_the_key_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SITTHI_SECRETS", raising=False)
    first = init_study(tmp_path / "a" / "interviews", name="A")
    second = init_study(tmp_path / "b" / "interviews", name="B")
    assert first.id and first.id.startswith("st-") and first.id != second.id
    assert first.secrets_dir != second.secrets_dir and first.secrets_dir.name == first.id
    config = first.config_file.read_text(encoding="utf-8")
    first.config_file.write_text(config.replace(f'id = "{first.id}"\n', ""), encoding="utf-8")
    older = read_study_file(first.config_file)
    assert older.id is None and older.secrets_dir.name.startswith("path-")
    assert older.secrets_dir != read_study_file(second.config_file.parent / "study.toml").secrets_dir
    first.config_file.write_text(config.replace(f'id = "{first.id}"', 'id = "../up"'), encoding="utf-8")
    with pytest.raises(StudyError, match="not a plain id"):
        read_study_file(first.config_file)


def test_privacy_anonymise_cli_tells_a_study_without_id(study, tmp_path) -> None:
    config = study.config_file.read_text(encoding="utf-8")
    study.config_file.write_text(config.replace(f'id = "{study.id}"\n', ""), encoding="utf-8")
    run = CliRunner().invoke(app, ["--study", str(study.root), "anonymise", "--propose"])
    assert run.exit_code == 0 and "has no id" in run.output


def test_privacy_anonymise_apply_goes_on_after_a_transcript_check_refuses(study) -> None:
    """A raw file without speaker labels in a study coded by turn (as `sitthi add` writes one):
    it is anonymised and written, its problem is reported, and the other files are still written."""
    (study.raw_dir / "AA-01.md").write_text(
        "---\nid: AA-01\nlanguage: en\nanonymised: false\n---\n\nWe waited all night.\n\nNobody came.\n",
        encoding="utf-8")
    write_proposal(study)
    applied = apply_key(study)
    assert sorted(p.name for p in applied.written) == ["AA-01.md", "FM-01.md"]
    assert [p.path.name for p in applied.problems] == ["AA-01.md"]
    assert "label" in applied.problems[0].message
