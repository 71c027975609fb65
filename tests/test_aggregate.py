"""Report tables against hand counts on a tiny study, and disclosure control that cannot be undone."""

import pandas as pd
import pytest

from analysis.codebook.model import study_codebook
from analysis.coding.status import study_codings
from analysis.coding.store import CodingStore
from analysis.report.aggregate import (
    breakdown,
    cooccurrence,
    counted_codings,
    frequencies,
    participant_rights,
    quote_bank,
)
from analysis.report.disclosure import hide_small_cells
from analysis.text.corpus import read_corpus
from analysis.text.pipeline import study_text

SITES = ["P1", "P2", "P3", "P4", "P5", "P6"]


@pytest.fixture
def tiny(coded_tiny_study):
    return coded_tiny_study, read_corpus(coded_tiny_study), study_codebook(coded_tiny_study)

def _counted(tiny, **rule):
    study, corpus, codebook = tiny
    codings, problems = study_codings(study)
    assert problems == []
    return counted_codings(codings, CodingStore(study).coverage(), corpus, codebook, **rule)


def _by_id(table: pd.DataFrame) -> pd.DataFrame:
    """Rights from the right rows, codes from the code rows (a right is also a code that can be applied)."""
    rights = table.loc[table["level"] == "right", "id"]
    return table[(table["level"] == "right") | ~table["id"].isin(rights)].set_index("id")


def test_aggregate_frequencies_by_rule(tiny) -> None:
    codebook = tiny[2]
    majority = _by_id(frequencies(_counted(tiny, rule="majority"), codebook))
    assert majority.loc["LIB-SHEL", ["segments", "participants"]].tolist() == [5, 5]
    assert majority.loc["LIB", ["segments", "participants"]].tolist() == [5, 5]  # P2:0002 once
    assert majority.loc["FTR", "participants"] == 1 and majority.loc["LIB-DET", "participants"] == 1
    assert majority.loc["LIB", "share"] == pytest.approx(5 / 6)
    assert majority.loc["ACT-POLICE", "participants"] == 0
    union = _by_id(frequencies(_counted(tiny, rule="union"), codebook))
    assert union.loc["FTR", "participants"] == 2
    final = _counted(tiny, rule="final", final_coder="fon")
    assert final.participants["transcript_id"].tolist() == ["P1"]
    assert _by_id(frequencies(final, codebook)).loc["LIB-SHEL", "participants"] == 1
    assert "more than half" in _counted(tiny, rule="majority").rule_text()["en"]


def test_aggregate_breakdown_hides_small_groups_for_good(tiny) -> None:
    codebook = tiny[2]
    counted = _counted(tiny, rule="majority")
    table = breakdown(counted, codebook, "site", level="right", min_cell=3)
    lib = table[table["id"] == "LIB"].set_index("group")
    assert lib.loc["A", ["group_size", "participants", "segments"]].tolist() == [3, 3, 3]
    assert lib.loc["B"].isna()[["group_size", "participants", "segments", "share"]].all()  # one person
    assert lib.loc["C", "suppressed"] and pd.isna(lib.loc["C", "participants"])
    totals = _by_id(frequencies(counted, codebook))["participants"]
    for right, rows in table.groupby("id"):
        shown = rows["participants"].dropna()
        assert not shown.between(1, 2).any()
        assert rows["suppressed"].sum() != 1  # a single hidden cell would be total minus the others
        if rows["suppressed"].any():
            assert totals[right] - shown.sum() >= 0


def test_disclosure_secondary_suppression_by_hand() -> None:
    values = pd.DataFrame([[5, 1, 4], [0, 0, 6], [2, 0, 7]], index=["r1", "r2", "r3"], columns=list("xyz"))
    hidden, sizes = hide_small_cells(values, pd.Series({"x": 10, "y": 10, "z": 10}), 3)
    assert hidden.to_numpy().tolist() == [[False, True, True], [False, False, False], [True, True, False]]
    assert not sizes.any()
    hidden, sizes = hide_small_cells(values, pd.Series({"x": 10, "y": 1, "z": 12}), 3)
    assert hidden["y"].all() and sizes.tolist() == [True, True, False]  # y's size, and the next smallest


def test_aggregate_cooccurrence_matrix_and_quotes(tiny) -> None:
    study, corpus, codebook = tiny
    union = _counted(tiny, rule="union")
    assert cooccurrence(union, codebook).loc["LIB", "FTR"] == 1  # P1
    assert cooccurrence(_counted(tiny, rule="majority"), codebook).loc["LIB", "FTR"] == 0
    assert cooccurrence(union, codebook, unit="segment").loc["LIB", "LIB"] == 5
    matrix = participant_rights(union, codebook)
    assert matrix.index.tolist() == SITES and matrix.loc["P1"].tolist() == [1, 1]
    quotes = quote_bank(union, corpus, codebook, study_text(study).segments, attributes=("site",),
                        min_cell=3).set_index(["transcript_id", "code_id"])
    assert quotes.loc[("P2", "LIB-SHEL"), "quote"] == "shelter"
    assert quotes.loc[("P1", "LIB-SHEL"), "quote"] == "ตำรวจพาไปบ้านพัก อยู่สองเดือน"
    assert quotes.loc[("P1", "LIB-SHEL"), "translation"] == "The police took me to a shelter for two months."
    assert quotes.loc[("P1", "LIB-SHEL"), "attributes"] == "site: A"
    assert quotes.loc[("P4", "LIB-SHEL"), "attributes"] == ""  # site B has one participant


def test_aggregate_quote_attributes_never_narrow_below_min_cell() -> None:
    from analysis.report.aggregate import _safe_attributes

    people = pd.DataFrame({"transcript_id": list("uvwxyz"), "site": list("AAABBB"), "group": list("mttmmt")})
    shown = _safe_attributes(people, ("site", "group"), 3)
    assert shown["u"] == "site: A"  # group m is common (3), but A and m together is her alone
    assert _safe_attributes(people, ("group", "site"), 3)["u"] == "group: m"
    assert _safe_attributes(people, ("site",), 4)["u"] == ""
