"""Choosing, reading and creating study folders."""

from pathlib import Path

import pytest

from analysis.errors import StudyError
from analysis.study import find_study_root, init_study, load_study, read_study_file
from conftest import REPO


def test_study_demo_settings(demo_study) -> None:
    assert demo_study.root == REPO
    assert demo_study.figure_formats == ("png", "svg", "pdf")
    assert demo_study.segment_unit == "turn"
    assert demo_study.min_cell == 3
    assert {"site", "group"} <= set(demo_study.attributes)
    assert demo_study.transcripts_dir == REPO / "data" / "transcripts"


def test_study_found_from_a_subfolder(tmp_path: Path) -> None:
    study = init_study(tmp_path / "s")
    assert find_study_root(start=study.transcripts_dir) == study.root


def test_study_explicit_beats_environment(tmp_path: Path, monkeypatch) -> None:
    first, second = init_study(tmp_path / "a"), init_study(tmp_path / "b")
    monkeypatch.setenv("SITTHI_STUDY", str(first.root))
    assert load_study(start=tmp_path).root == first.root
    assert load_study(second.root).root == second.root


def test_study_missing_names_the_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SITTHI_STUDY", raising=False)
    with pytest.raises(StudyError, match="no study.toml") as err:
        load_study(start=tmp_path)
    assert str(tmp_path) in err.value.message


def test_study_init_creates_layout_and_gitignore(tmp_path: Path) -> None:
    study = init_study(tmp_path / "new", name="Field study")
    assert study.name == "Field study"
    for kind in ("raw", "transcripts", "codings", "cache", "codebooks", "outputs"):
        assert study.path(kind).is_dir()
    ignored = (study.root / ".gitignore").read_text().split()
    assert {"/data/raw/", "/data/cache/", "/outputs/"} <= set(ignored)


def test_study_init_copies_codebooks(tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    (books / "rights.yaml").write_text("version: 1\n")
    study = init_study(tmp_path / "new", codebooks=books)
    assert (study.codebooks_dir / "rights.yaml").read_text() == "version: 1\n"


def test_study_init_never_overwrites(tmp_path: Path) -> None:
    study = init_study(tmp_path / "s")
    study.config_file.write_text(study.config_file.read_text() + "# my notes\n")
    with pytest.raises(StudyError, match="already exists"):
        init_study(study.root)
    assert study.config_file.read_text().endswith("# my notes\n")


@pytest.mark.parametrize(("text", "line", "what"), [
    ('[study]\nname = "x"\nmin_cell = \n', 3, "not valid TOML"),
    ('[study]\nname = "x"\nsegment_unit = "page"\n', 3, "unknown segment_unit"),
    ('[study]\nname = "x"\n\nmin_cell = 0\n', 4, "min_cell"),
    ('[study]\nname = "x"\nlanguages = ["th", "lo"]\n', 3, "unknown language"),
    ('[study]\nlanguages = ["th"]\n', None, "no name"),
    ('[study]\nname = "x"\n[report]\nfigure_formats = ["svg", "pdf"]\n', 4, "must list \"png\""),
    ('[study]\nname = "x"\n[report]\nfigure_formats = ["png", "gif"]\n', 4, "any of svg, pdf"),
    ('[study]\nname = "x"\n[report]\nfigure_formats = "png"\n', 4, "figure_formats"),
])
def test_study_bad_settings_name_file_and_line(tmp_path: Path, text: str, line, what: str) -> None:
    config = tmp_path / "study.toml"
    config.write_text(text)
    with pytest.raises(StudyError, match=what) as err:
        read_study_file(config)
    assert err.value.path == config
    assert err.value.line == line


def test_study_labels_of_attribute_values(tmp_path: Path, demo_study) -> None:
    config = tmp_path / "study.toml"
    config.write_text('[study]\nname = "x"\nattributes = ["site", "group"]\n\n[labels.site]\n'
                      '"Chiang Mai" = { th = " เชียงใหม่ ", en = "Chiang Mai" }\nPattaya = { th = "พัทยา" }\n'
                      '[labels.group]\nmigrant = { th = "แรงงานข้ามชาติ", en = "migrant" }\n', encoding="utf-8")
    study = read_study_file(config)
    assert study.value_labels("site") == {"Chiang Mai": {"th": "เชียงใหม่", "en": "Chiang Mai"},
                                          "Pattaya": {"th": "พัทยา"}}
    assert study.value_labels("group")["migrant"]["th"] == "แรงงานข้ามชาติ" and study.value_labels("age") == {}
    assert read_study_file(_write(tmp_path, '[study]\nname = "x"\n')).labels == {}
    for attribute in demo_study.attributes:  # the demo labels every value it has, but age bands in English
        assert demo_study.value_labels(attribute), attribute
    assert demo_study.value_labels("group")["migrant"] == {"th": "แรงงานข้ามชาติ", "en": "migrant"}


def _write(folder: Path, text: str) -> Path:
    config = folder / "study.toml"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.mark.parametrize(("labels", "line", "what"), [
    ('[labels.place]\nBangkok = { th = "กรุงเทพฯ" }\n', 4, "'place' is not one of the study's attributes"),
    ('[labels.site]\nBangkok = "กรุงเทพฯ"\n', 5, "'Bangkok' needs a Thai and/or English label"),
    ('[labels.site]\n"Mae Sai" = { th = "แม่สาย", fr = "Mae Sai" }\n', 5, "'Mae Sai' needs"),
    ('[labels.site]\nPhuket = { th = "" }\n', 5, "'Phuket' needs"),
    ('[labels]\nsite = "x"\n', 4, r"\[labels.site\] must be a table of values"),
])
def test_study_bad_labels_name_file_and_line(tmp_path: Path, labels: str, line: int, what: str) -> None:
    config = _write(tmp_path, '[study]\nname = "x"\nattributes = ["site"]\n' + labels)
    with pytest.raises(StudyError, match=what) as err:
        read_study_file(config)
    assert err.value.path == config and err.value.line == line
    config = _write(tmp_path, 'labels = 3\n[study]\nname = "x"\n')
    with pytest.raises(StudyError, match="labels must be a table") as err:
        read_study_file(config)
    assert err.value.line == 1
