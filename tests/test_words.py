"""Word frequencies, keyness and keyword in context."""

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.errors import SitthiError
from analysis.report.figures import figure_png, top_words
from analysis.text.words import (
    keyness,
    log_likelihood,
    word_frequencies,
    words_table,
)

runner = CliRunner()


@pytest.fixture
def small(make_study):
    return make_study("GOOD-TH.md", "GOOD-EN.md", "TIS-01.txt")


def test_words_leave_out_stopwords_punctuation_and_labels(small) -> None:
    words = words_table(small)
    assert {"interpreter", "police", "ล่าม", "ตำรวจ"} <= set(words["norm"])
    assert not {"the", "ที่", ".", "?", "I", "R"} & set(words["norm"])
    assert set(words["group"]) == {"thai", "migrant"}


def test_words_frequencies_by_attribute(small) -> None:
    table = word_frequencies(words_table(small), by="language", top=3)
    assert set(table["group"]) == {"th", "en"}
    assert table.groupby("group").size().max() <= 3
    english = table[table["group"] == "en"]
    assert (english["per_1000"] == (1000 * english["count"] / english["group_words"]).round(2)).all()
    with pytest.raises(SitthiError, match="unknown attribute 'sex'"):
        word_frequencies(words_table(small), by="sex")


def test_words_log_likelihood_matches_a_hand_computation() -> None:
    # 10 of 1,000 words against 2 of 1,000: expected 6 each.
    by_hand = 2 * (10 * math.log(10 / 6) + 2 * math.log(2 / 6))
    assert log_likelihood(10, 2, 1000, 1000) == pytest.approx(by_hand)
    assert log_likelihood(5, 0, 100, 100) == pytest.approx(2 * 5 * math.log(5 / 2.5))


def test_words_keyness_orders_by_g2() -> None:
    words = pd.DataFrame({"transcript_id": ["a"] * 6 + ["b"] * 6, "segment_id": "s",
                          "norm": ["raid"] * 5 + ["day"] + ["day"] * 5 + ["raid"],
                          "site": ["X"] * 6 + ["Y"] * 6})
    table = keyness(words, by="site", first="X", second="Y", min_count=1)
    assert table["more_in"].tolist() == ["X", "Y"] or table["more_in"].tolist() == ["Y", "X"]
    assert table.set_index("word").loc["raid", "more_in"] == "X"
    with pytest.raises(SitthiError, match="no transcripts with site = 'Z'"):
        keyness(words, by="site", first="X", second="Z")


def test_words_cli(small) -> None:
    result = runner.invoke(app, ["--study", str(small.root), "words", "--by", "group", "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "migrant" in result.output and "per_1000" in result.output


def test_words_top_words_figure_renders_thai(small) -> None:
    figure = top_words(word_frequencies(words_table(small), by="group", top=5), lang="th")
    fonts = {t.get_fontname() for ax in figure.axes for t in ax.get_yticklabels()}
    assert fonts == {"Sarabun"}
    assert "คำ" in figure.axes[0].get_title()
    assert figure_png(figure).startswith(b"\x89PNG")
