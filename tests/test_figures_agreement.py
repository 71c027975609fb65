"""Figures of agreement (analysis.report.figures.agreement), drawn with real matplotlib."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.agreement.table import TABLE_COLUMNS, by_right, reliability_data
from analysis.codebook.model import load_codebook
from analysis.report.figures import agreement_alpha, agreement_pages, figure_png

A4_INCHES = (8.27, 11.69)


def _table(n: int, *, undefined: int = 0) -> pd.DataFrame:
    """``n`` codes with α from 0.1 up (the last ``undefined`` without α) and a pooled row."""
    rows = []
    for i in range(n):
        alpha = np.nan if i >= n - undefined else round(0.1 + 0.85 * i / max(n - 1, 1), 4)
        rows.append({"id": f"C{i:03d}", "label_en": f"Code number {i} with a long English label to wrap",
                     "label_th": "ถูกตรวจสุขภาพโดยไม่ยินยอมและไม่ได้รับแจ้งผลการตรวจ", "unit": "segment",
                     "n_segments": 40, "n_coders": 2, "used_by": 2, "percent_agreement": 0.9, "kappa": alpha,
                     "alpha": alpha, "alpha_low": alpha - 0.1, "alpha_high": min(alpha + 0.05, 1),
                     "verdict": "x"})
    rows.append({**rows[0], "id": "(pooled)", "alpha": 0.5})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _ticks(figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].get_yticklabels()]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_figures_agreement_pages_fit_a4_without_missing_glyphs(lang) -> None:
    table = _table(80, undefined=3)
    pages = agreement_pages(table)
    assert pages == 3
    drawn = []
    for page in range(1, pages + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing Thai glyph or α would be a UserWarning
            figure = agreement_alpha(table, lang=lang, page=page)
            assert figure_png(figure, dpi=40).startswith(b"\x89PNG")
        width, height = figure.get_size_inches()
        assert width <= A4_INCHES[0] and height <= A4_INCHES[1]
        drawn += [t.split()[0] for t in _ticks(figure)]
    assert sorted(drawn) == [f"C{i:03d}" for i in range(77)]  # each rated code once; undefined left out
    assert "(pooled)" not in drawn


def test_figures_agreement_lowest_alpha_first_and_on_top() -> None:
    table = _table(60)
    first = agreement_alpha(table, lang="en", page=1)
    assert _ticks(first)[-1].startswith("C000 ")  # the lowest α is the top row of the first page
    assert "(page 1 of 3)" in first._suptitle.get_text()
    last = agreement_alpha(table, lang="en", page=3)
    assert _ticks(last)[0].startswith("C059 ")  # the highest is the bottom row of the last page
    assert first.axes[0].get_xlim() == last.axes[0].get_xlim()  # one scale on every page
    with pytest.raises(ValueError, match="page"):
        agreement_alpha(table, page=4)


def test_figures_agreement_labels_wrap_on_words_never_cut_mid_word() -> None:
    figure = agreement_alpha(_table(5), lang="th")
    for tick in _ticks(figure):
        assert tick.count("\n") <= 1
        assert tick.replace("\n", "").replace(" ", "").startswith("C00")
        assert "ถูกตรวจสุขภาพ" in tick and ("\n" not in tick or tick.split("\n")[1][0] not in "่้๊๋ิีึืุู")
    english = agreement_alpha(_table(5), lang="en")
    words = set("Code number with a long English label to wrap".split()) | {str(i) for i in range(5)}
    for tick in _ticks(english):
        assert all(w in words or w.startswith("C00") or w == "…" for w in tick.replace("…", " …").split())
    assert "Agreement between coders by code" == english._suptitle.get_text()  # one page: no page number


CODEBOOK = Path(__file__).parent / "fixtures" / "codebooks" / "study" / "rights-violations.yaml"


def test_figures_agreement_right_used_only_through_its_codes_is_not_zero() -> None:
    """LIB applied on its own once by one coder has α ≈ 0 as a code; as a right it agrees well."""
    from analysis.agreement.table import agreement_table

    codebook = load_codebook(CODEBOOK)
    segments = pd.DataFrame({"transcript_id": "t", "segment_id": [f"t:{i:04d}" for i in range(12)]})
    applied = [(coder, f"t:{i:04d}", "LIB-SHEL" if i % 2 else "LIB-DET")
               for coder in ("a", "b") for i in range(6)] + [("a", "t:0010", "LIB")]
    codings = pd.DataFrame(applied, columns=["coder_id", "segment_id", "code_id"])
    data = reliability_data(codings, segments, {"a": {"t"}, "b": {"t"}}, ["LIB", "LIB-SHEL", "LIB-DET"])
    per_code = agreement_table(data, codebook, samples=50).set_index("id")
    per_right = agreement_table(by_right(data, codebook), codebook, samples=50)
    assert per_code.loc["LIB", "alpha"] <= 0.05
    assert per_right.set_index("id").loc["LIB", "alpha"] > 0.8
    figure = agreement_alpha(per_right, lang="en", by="right")
    x = figure.axes[0].collections[-1].get_offsets()[:, 0]
    assert list(x) == [per_right.set_index("id").loc["LIB", "alpha"]]
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend[0] == "unreliable (α < 0.667)" and len(legend) == 3  # every colour of a point is explained
    assert "any of its codes" in figure.texts[-1].get_text().replace("\n", " ")
    assert "รายสิทธิ" in agreement_alpha(per_right, lang="th", by="right")._suptitle.get_text()
    with pytest.raises(ValueError, match="by"):
        agreement_alpha(per_right, by="coder")
