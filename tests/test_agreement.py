"""Agreement statistics against published reference values (shared/testdata/irr) and by hand."""

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from analysis.agreement.stats import (
    LEVELS,
    bootstrap_alpha,
    cohen_kappa,
    fleiss_kappa,
    kappa_from_table,
    krippendorff_alpha,
    percent_agreement,
    verdict,
)
from conftest import REPO

REFERENCE = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared")) / "testdata" / "irr" / \
    "reference_values.json"
needs_reference = pytest.mark.skipif(not REFERENCE.is_file(),
                                     reason=f"{REFERENCE} not found (set SITTHI_SHARED)")


@pytest.fixture(scope="module")
def cases():
    return {case["id"]: case for case in json.loads(REFERENCE.read_text())["cases"]}


def matrix(case) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in case["data"]], dtype=float)


@needs_reference
@pytest.mark.parametrize("level", LEVELS)
def test_agreement_krippendorff_2011_all_levels(cases, level) -> None:
    case = cases["krippendorff2011_C_4coders_12units"]
    expected = case["expected"][f"alpha_{level}"]
    assert krippendorff_alpha(matrix(case), level) == pytest.approx(expected, abs=5e-5)


@needs_reference
def test_agreement_wikipedia_and_percent_agreement(cases) -> None:
    wiki = cases["wikipedia_3coders_15units"]
    for level, expected in {**wiki["expected"], **wiki["computed_only_not_published"]}.items():
        alpha = krippendorff_alpha(matrix(wiki), level.removeprefix("alpha_"))
        assert alpha == pytest.approx(expected, abs=5e-5)
    k2011 = cases["krippendorff2011_C_4coders_12units"]
    published = k2011["other_coefficients_irrCAC_README"]["percent_agreement"]
    assert percent_agreement(matrix(k2011)) == pytest.approx(published, abs=5e-5)


@needs_reference
def test_agreement_cohen_and_fleiss(cases) -> None:
    table = cases["sas_table10_3x3"]["contingency_table"]
    assert kappa_from_table(table) == pytest.approx(cases["sas_table10_3x3"]["expected"]["kappa"], abs=5e-5)
    labels = [(r, c) for r, row in enumerate(table) for c, n in enumerate(row) for _ in range(n)]
    assert cohen_kappa([r for r, _ in labels], [c for _, c in labels]) == pytest.approx(0.4842, abs=5e-5)
    fleiss = cases["wikipedia_fleiss_kappa_10x5"]
    assert fleiss_kappa(fleiss["counts_table"]) == pytest.approx(fleiss["expected"]["fleiss_kappa"], abs=5e-3)


@needs_reference
def test_agreement_single_rated_unit_is_ignored(cases) -> None:
    case = cases["nltk_dress_example"]
    coders = sorted({c for c, _, _ in case["triples_coder_item_label"]})
    items = sorted({i for _, i, _ in case["triples_coder_item_label"]})
    data = np.full((len(coders), len(items)), np.nan)
    for coder, item, label in case["triples_coder_item_label"]:
        data[coders.index(coder), items.index(item)] = label == "YES"
    assert krippendorff_alpha(data) == pytest.approx(case["expected"]["alpha_nominal"], abs=5e-5)
    assert krippendorff_alpha(data[:, :2]) == pytest.approx(krippendorff_alpha(data))


def test_agreement_by_hand_and_edge_cases() -> None:
    # Two coders, four units, one disagreement on binary codes: by hand α = 1 − 3·(2/ (8·... )).
    data = np.array([[1, 0, 0, 1], [1, 0, 1, 1]], dtype=float)
    # o(0,1)=o(1,0)=1, n0=3, n1=5, n=8: α = 1 − (n−1)·(o01+o10) / (2·n0·n1) = 1 − 7·2/30
    assert krippendorff_alpha(data) == pytest.approx(1 - 7 * 2 / 30)
    assert percent_agreement(data) == pytest.approx(0.75)
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))  # no variation: undefined
    assert verdict(float("nan")) == "undefined"
    assert math.isnan(krippendorff_alpha([[1, 0, 1]]))  # one coder only
    assert [verdict(a) for a in (0.9, 0.7, 0.2)] == ["reliable", "tentative", "unreliable"]
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(data, "cardinal")


def test_agreement_bootstrap_is_seeded_and_brackets_alpha() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 2, 200).astype(float)
    data = np.vstack([truth, np.where(rng.random(200) < 0.1, 1 - truth, truth)])
    low, high = bootstrap_alpha(data, samples=500, seed=7)
    assert (low, high) == bootstrap_alpha(data, samples=500, seed=7)
    assert low < krippendorff_alpha(data) < high and 0.5 < low


def test_agreement_bootstrap_in_blocks_gives_the_same_interval(monkeypatch) -> None:
    """Resampling weights are kept as small integers and multiplied a block of samples at a time."""
    from analysis.agreement import stats

    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 300).astype(float)
    data = np.vstack([truth, np.where(rng.random(300) < 0.2, (truth + 1) % 3, truth)])
    whole = bootstrap_alpha(data, samples=400, seed=2)
    monkeypatch.setattr(stats, "_BLOCK_CELLS", 7 * 300)  # blocks of 7 samples, the last one shorter
    stats._resampling_weights.cache_clear()  # drawn again, block by block: the same draws
    assert bootstrap_alpha(data, samples=400, seed=2) == pytest.approx(whole, abs=1e-12)
    stats._resampling_weights.cache_clear()
    assert stats._resampling_weights(300, 400, 2).dtype.itemsize == 1
