"""Recall of the identifier finder, per kind, on FICTIONAL raw interviews it was not tuned on
(tests/fixtures/raw-unseen), scored by benchmarks/pii_score.py like the benchmark."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from pii_score import SETS, check_gold, gold_files, score_set  # noqa: E402

from analysis.privacy.pii import KINDS, Hit  # noqa: E402

UNSEEN = SETS["unseen"]


def test_pii_score_gold_of_the_unseen_set_is_consistent() -> None:
    errors, kinds, files = check_gold().check(UNSEEN)
    assert errors == []
    assert files == 7 and all(kinds[kind] >= 3 for kind in KINDS)


def test_pii_score_perfect_finder_scores_one_and_partial_hits_score_nothing() -> None:
    files = gold_files(UNSEEN)
    by_text = {text: spans for text, _, spans in files.values()}

    def perfect(text: str, **_) -> list[Hit]:
        return [Hit(s, e, text[s:e], k) for s, e, k in by_text[text] if k != "not_id"]

    def halves(text: str, **_) -> list[Hit]:
        return [Hit(s, e - 1, text[s:e - 1], k) for s, e, k in by_text[text] if k != "not_id"]

    best, worst = score_set(UNSEEN, perfect), score_set(UNSEEN, halves)
    assert {m["recall"] for m in best["recall"].values()} == {1.0} and best["not_id_flagged"] == 0
    assert {m["precision"] for m in best["precision"].values()} == {1.0}
    assert {m["recall"] for m in worst["recall"].values()} == {0.0}
    assert {m["precision"] for m in worst["precision"].values()} == {0.0}


def test_privacy_recall_per_kind_on_unseen_fixtures() -> None:
    result = score_set(UNSEEN)
    assert set(result["recall"]) == set(KINDS)
    low = {kind: (measured["recall"], result["missed"].get(kind, []))
           for kind, measured in result["recall"].items() if measured["recall"] < 0.98}
    assert not low, low


def test_privacy_apply_leaves_no_gold_identifier_in_unseen_interviews(make_study, tmp_path,
                                                                      monkeypatch) -> None:
    """End to end as a reviewer who accepts every proposal: propose, apply, then no key original and no
    gold identifier stands as a word anywhere in a written file (front matter included)."""
    import shutil

    from analysis.privacy.anonymise import apply_key, read_key, write_proposal
    from analysis.privacy.replace import Replacer

    study = make_study()
    monkeypatch.setenv("SITTHI_SECRETS", str(tmp_path / "secrets"))
    (tmp_path / "secrets").mkdir()
    shutil.copy(UNSEEN / "study-names.txt", tmp_path / "secrets" / "names.txt")
    files = gold_files(UNSEEN)
    for name in files:
        shutil.copy(UNSEEN / name, study.raw_dir / name)
    write_proposal(study)
    applied = apply_key(study)
    assert applied.problems == [] and len(applied.written) == len(files)
    key = Replacer(read_key(study))
    for path in applied.written:
        output = path.read_text(encoding="utf-8")
        assert not key.find(output), path.name
        raw_text, _, spans = next(v for n, v in files.items() if Path(n).stem == path.stem)
        gold = {raw_text[s:e] for s, e, kind in spans if kind != "not_id"}
        survivors = Replacer({g: "" for g in gold}).find(output)
        assert not survivors, (path.name, [output[o.start:o.end] for o in survivors])
