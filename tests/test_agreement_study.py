"""From codings to agreement: the value array (1 / 0 / missing), tables, disagreements, CLI."""

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from analysis.agreement.study import study_agreement
from analysis.agreement.table import AgreementError
from analysis.cli import app
from analysis.coding.rows import new_coding
from analysis.coding.store import CodingStore
from analysis.text.corpus import read_transcript
from analysis.text.segments import segment_body


@pytest.fixture
def coded_study(make_study):
    """nok and mai coded GOOD-TH; fon coded GOOD-EN only."""
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    store = CodingStore(study)
    th = read_transcript(study.transcripts_dir / "GOOD-TH.md")
    en = read_transcript(study.transcripts_dir / "GOOD-EN.md")
    th_segments, en_segments = segment_body(th.id, th.body), segment_body(en.id, en.body)
    for coder, segment, code in [("nok", 1, "LIB-SHEL"), ("nok", 3, "FTR-INTERP"), ("mai", 1, "LIB-SHEL"),
                                 ("mai", 1, "ACT-POLICE")]:
        store.add(new_coding(th, th_segments[segment], code, coder))
    store.add(new_coding(en, en_segments[3], "FTR-INTERP", "fon"))
    return study


def test_agreement_study_values_are_one_zero_or_missing(coded_study) -> None:
    from analysis.agreement.table import reliability_data
    from analysis.codebook.model import study_codebook
    from analysis.coding.status import study_codings
    from analysis.text.pipeline import study_text

    codings = study_codings(coded_study)[0]
    segments = study_text(coded_study).segments
    coded = {"nok": {"GOOD-TH"}, "mai": {"GOOD-TH"}, "fon": {"GOOD-EN"}}
    codes = ["LIB-SHEL", "FTR-INTERP"]
    data = reliability_data(codings, segments, coded, codes)
    assert data.coders == ["fon", "mai", "nok"] and len(data.segments) == 8
    en, th = slice(0, 4), slice(4, 8)  # GOOD-EN's segments come first
    interp = data.values[1]
    assert interp[2, th].tolist() == [0, 0, 0, 1] and interp[1, th].tolist() == [0, 0, 0, 0]  # nok, mai
    assert np.isnan(interp[0, th]).all() and interp[0, en].tolist() == [0, 0, 0, 1]  # fon
    assert np.isnan(interp[1:, en]).all()
    assert study_codebook(coded_study).right_of("FTR-INTERP") == "FTR"


def test_agreement_study_table(coded_study) -> None:
    result = study_agreement(coded_study, coders=["nok", "mai"], samples=200)
    table = result.table.set_index("id")
    columns = ["alpha", "kappa", "percent_agreement", "verdict"]
    assert table.loc["LIB-SHEL", columns].tolist() == [1.0, 1.0, 1.0, "reliable"]
    assert table.loc["LIB-SHEL", "n_segments"] == 4 and table.loc["LIB-SHEL", "unit"] == "segment"
    assert table.loc["FTR-INTERP", "percent_agreement"] == 0.75
    assert table.loc["FTR-INTERP", "alpha"] < 0.1
    assert table.loc["LIB-DET", "verdict"] == "not used" and math.isnan(table.loc["LIB-DET", "alpha"])
    assert "(pooled)" in table.index
    assert sorted(result.disagreements["code_id"]) == ["ACT-POLICE", "FTR-INTERP"]
    row = result.disagreements.set_index("code_id").loc["FTR-INTERP"]
    assert (row["applied_by"], row["not_applied_by"]) == ("nok", "mai") and "ไม่มีล่าม" in row["text"]
    chars = result.character_kappa.set_index("code_id")
    assert chars.loc["LIB-SHEL", "kappa_chars"] == 1.0


def test_agreement_study_by_right_and_one_coder(coded_study) -> None:
    rights = study_agreement(coded_study, coders=["nok", "mai"], by="right", samples=100).table
    rights = rights.set_index("id")
    assert rights.loc["LIB", "alpha"] == 1.0 and "LIB-SHEL" not in rights.index
    with pytest.raises(AgreementError, match="at least two coders"):
        study_agreement(coded_study, coders=["nok", "fon"])  # they never coded the same transcript
    with pytest.raises(AgreementError, match="'zed' has no codings"):
        study_agreement(coded_study, coders=["nok", "zed"])


def test_agreement_study_cli(coded_study) -> None:
    runner = CliRunner()
    base = ["--study", str(coded_study.root), "agree", "--coders", "nok,mai", "--samples", "100"]
    result = runner.invoke(app, base)
    assert result.exit_code == 0, result.output
    assert "LIB-SHEL" in result.output and "Unit: segment" in result.output
    assert (coded_study.outputs_dir / "agreement" / "disagreements.xlsx").is_file()
    csv = runner.invoke(app, [*base, "--format", "csv", "--by", "right"])
    assert csv.output.splitlines()[0].startswith("id,label_en,label_th,unit")


def test_agreement_alpha_chart_labels_thresholds_and_glyphs(coded_study) -> None:
    import warnings

    from analysis.report.figures import agreement_alpha, figure_png, shorten

    table = study_agreement(coded_study, coders=["nok", "mai"], samples=100).table
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (Thai or α) would be a UserWarning
        figure = agreement_alpha(table, lang="th")
        assert figure_png(figure).startswith(b"\x89PNG")
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    lowest = table[table["id"] != "(pooled)"].dropna(subset=["alpha"]).sort_values(["alpha", "id"]).iloc[0]
    assert labels[-1].startswith(f"{lowest['id']} ") and lowest["label_th"] in labels[-1]  # lowest α on top
    assert [line.get_xdata()[0] for line in ax.get_lines()[-2:]] == [0.667, 0.8]
    assert "α undefined" in agreement_alpha(table, lang="en").texts[-1].get_text().replace("\n", " ")
    assert shorten("ถูกตรวจสุขภาพโดยไม่ยินยอม", 16) == "ถูกตรวจสุขภาพโดย…"  # a Thai word is never cut
