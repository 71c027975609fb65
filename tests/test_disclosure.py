"""Disclosure control (analysis.report.disclosure): merged groups, marks, and an LP audit nobody can undo."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.report.disclosure import (
    KEYS,
    OTHER,
    SECONDARY,
    Tables,
    audit,
    merge_small_groups,
    suppress,
)

FAMILY = {"R1": ["R1-a", "R1-b"], "R2": ["R2-a"]}


def _tables(people: pd.DataFrame, min_cell: int = 3, family: dict | None = None) -> Tables:
    """True counts from participant-level data: ``group`` plus one 0/1 column per code, and
    ``seg:<code>`` columns (segments of that code in her interview)."""
    family = FAMILY if family is None else family
    group_of = merge_small_groups(people["group"], min_cell)
    people = people.loc[group_of.index].assign(group=group_of)
    groups = sorted(set(group_of))
    codes = [c for codes in family.values() for c in codes]
    told = {"code": people[codes],
            "right": pd.DataFrame({r: people[cs].max(axis=1) for r, cs in family.items()})}
    segs = {"code": pd.DataFrame({c: people[f"seg:{c}"] for c in codes}),
            "right": pd.DataFrame({r: people[[f"seg:{c}" for c in cs]].max(axis=1)
                                   for r, cs in family.items()})}
    values, totals = {}, {}
    for level in ("right", "code"):
        for measure, frame in (("participants", told[level]), ("segments", segs[level])):
            values[(level, measure)] = frame.groupby(people["group"]).sum().T.reindex(columns=groups)
            totals[(level, measure)] = frame.sum()
    sizes = group_of.value_counts().reindex(groups)
    return Tables(values, {}, sizes, totals, family, min_cell)


def _people(sizes: dict[str, int], told: dict[str, list[int]]) -> pd.DataFrame:
    """Participants of groups ``sizes``; ``told[code]`` lists how many in each group told of it."""
    rows = []
    for g, (group, n) in enumerate(sizes.items()):
        for k in range(n):
            row = {"group": group}
            for code, counts in told.items():
                row[code] = int(k < counts[g])
                row[f"seg:{code}"] = row[code]
            rows.append(row)
    return pd.DataFrame(rows)


def _check(tables: Tables) -> pd.DataFrame:
    """Suppress, then audit exactly: every hidden cell safe, no group smaller than min_cell shown."""
    suppress(tables)
    result = audit(tables)
    assert result["safe"].all(), result[~result["safe"]]
    assert (tables.sizes >= tables.min_cell).all()
    for key in KEYS:
        shown = tables.values[key].where(tables.marks[key] == "")
        assert not ((shown >= 1) & (shown < tables.min_cell)).any().any()
    return result


def test_disclosure_issue_reproduction_cannot_be_undone() -> None:
    """A=1, B=9, C=10: B's size used to be hidden beside a shown 9, so A = 20 - 10 - 9 = 1."""
    people = _people({"A": 1, "B": 9, "C": 10}, {"R1-a": [1, 9, 4], "R1-b": [0, 2, 10], "R2-a": [1, 0, 0]})
    merged = merge_small_groups(people["group"], 3)
    assert sorted(merged.value_counts().items()) == [("C", 10), (OTHER, 10)]  # A alone would be 1: B joins
    tables = _tables(people)
    _check(tables)
    assert tables.sizes.to_dict() == {"C": 10, OTHER: 10}  # every size shown, none hidden
    assert "A" not in tables.values[("code", "participants")].columns


def _marks(tables: Tables, key: tuple[str, str], i: str) -> list[str]:
    return tables.marks[key].loc[i].tolist()


def test_disclosure_two_ones_in_a_row_are_not_pinned() -> None:
    """The old rule hid 1 and 1 and showed a total of 2: both were 1. Now a third cell joins them."""
    for told, marks in (([1, 1, 6], ["<3", "<3", SECONDARY]),
                        ([1, 0, 6], ["<3", "", SECONDARY])):  # hiding the 0 would pin the 1 (1 + 0 = 1)
        people = _people({"X": 3, "Y": 3, "Z": 8}, {"R1-a": told, "R1-b": [0, 0, 0], "R2-a": [3, 3, 3]})
        tables = _tables(people)
        _check(tables)
        assert _marks(tables, ("code", "participants"), "R1-a") == marks


def test_disclosure_safe_rows_hide_nothing_more() -> None:
    """Cells already safe from their rows and links hide nothing beside them: R2-a told by 1, 2 and 0
    (total 3: each of the two is 1 or 2), one segment each; R2 = R2-a. No ×, not even the segment
    counts next to hidden participants (3 and 5 say nothing: a cell of participants is at most its
    segments); nor anything in R1, which has no small count."""
    people = _people({"X": 3, "Y": 4, "Z": 3}, {"R1-a": [3, 4, 3], "R1-b": [0, 0, 0], "R2-a": [1, 2, 0]})
    people.loc[people["R2-a"] == 1, "seg:R2-a"] = [5, 2, 1]  # X's one tells 5 times, Y's two 3 times
    tables = _tables(people)
    assert tables.values[("code", "segments")].loc["R2-a"].tolist() == [5, 3, 0]
    _check(tables)
    for key in KEYS:
        assert SECONDARY not in tables.marks[key].to_numpy(), key
    assert _marks(tables, ("right", "participants"), "R2") == ["<3", "<3", ""]
    assert _marks(tables, ("right", "segments"), "R2") == ["", "", ""]


def test_disclosure_hierarchy_cannot_pin_a_code() -> None:
    """A right shown as 7 beside its codes 5 and 2: code b >= 7 - 5 = 2 pins it, unless more is hidden."""
    people = _people({"X": 9, "Y": 9}, {"R1-a": [5, 6], "R1-b": [2, 7], "R2-a": [3, 4]})
    people.loc[[0, 1], "R1-b"], people.loc[[5, 6], "R1-b"] = 0, 1  # in X, b's two are not a's five: R1 is 7
    people["seg:R1-b"] = people["R1-b"]
    tables = _tables(people)
    assert tables.values[("right", "participants")].loc["R1", "X"] == 7
    _check(tables)
    assert tables.marks[("code", "participants")].loc["R1-b", "X"] != ""


def test_disclosure_small_totals_and_tiny_studies() -> None:
    tables = _tables(_people({"X": 3, "Y": 4}, {"R1-a": [1, 0], "R1-b": [0, 0], "R2-a": [1, 1]}))
    _check(tables)
    assert merge_small_groups(pd.Series(["a", "b", "b"]), 3).empty  # one group of 3: nothing to break down


def test_disclosure_audit_reads_published_tables(coded_tiny_study) -> None:
    from analysis.codebook.model import study_codebook
    from analysis.coding.status import study_codings
    from analysis.coding.store import CodingStore
    from analysis.report.aggregate import breakdowns, counted_codings, frequencies
    from analysis.report.content import hidden_as_text
    from analysis.text.corpus import read_corpus

    study, codebook = coded_tiny_study, study_codebook(coded_tiny_study)
    codings, _ = study_codings(study)
    counted = counted_codings(codings, CodingStore(study).coverage(), read_corpus(study), codebook,
                              rule="union")
    long = breakdowns(counted, codebook, "site", min_cell=3)
    assert sorted(set(long["right"]["group"])) == ["A", OTHER]  # B (1) and C (2) together
    published = {level: hidden_as_text(frame, 3) for level, frame in long.items()}
    family = {r: [c for c in long["code"]["id"].unique() if codebook.right_of(c) == r]
              for r in long["right"]["id"].unique()}
    result = audit(Tables.from_long(published, frequencies(counted, codebook), family, 3))
    assert result["safe"].all() and len(result)
    assert set(published["right"]["participants"].astype(str)) <= {"<3", SECONDARY} | set(map(str, range(99)))
    assert not published["right"]["participants"].astype(str).isin(["1", "2"]).any()


@pytest.mark.parametrize("by", ["site", "group", "nationality", "age_band"])
def test_disclosure_demo_breakdowns_pass_the_audit(demo_study, by) -> None:
    from analysis.coding.loaded import loaded
    from analysis.report.aggregate import counted_codings, disclosure_tables

    data = loaded(demo_study)
    study = data.study
    counted = counted_codings(data.codings, data.coverage, data.corpus, data.codebook, rule=study.rule,
                              coders=study.coders, final_coder=study.final_coder)
    tables = disclosure_tables(counted, data.codebook, by, min_cell=study.min_cell)
    assert (tables.sizes >= study.min_cell).all()
    result = audit(tables, exact=False)  # proves every cell safe; exact bounds for any it cannot
    assert result["safe"].all(), result[~result["safe"]]


@st.composite
def _random_people(draw) -> pd.DataFrame:
    n_groups = draw(st.integers(2, 5))
    n_codes = draw(st.integers(2, 6))
    sizes = [draw(st.integers(0, 12)) for _ in range(n_groups)]
    codes = [f"c{k}" for k in range(n_codes)]
    rows = []
    for g, n in enumerate(sizes):
        for _ in range(n):
            row = {"group": f"g{g}"}
            for code in codes:
                row[code] = draw(st.integers(0, 1))
                row[f"seg:{code}"] = row[code] * draw(st.integers(1, 3))
            rows.append(row)
    return pd.DataFrame(rows, columns=["group", *codes, *(f"seg:{c}" for c in codes)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_random_people(), st.integers(2, 4))
def test_disclosure_property_audit_passes_on_random_tables(people, min_cell) -> None:
    codes = [c for c in people.columns if not c.startswith(("group", "seg:"))]
    family = {"R1": codes[: len(codes) // 2 + 1], "R2": codes[len(codes) // 2 + 1:]}
    family = {r: cs for r, cs in family.items() if cs}
    if merge_small_groups(people["group"].astype(str), min_cell).empty:
        return  # fewer than two groups of min_cell: the attribute is not broken down at all
    _check(_tables(people, min_cell, family))
