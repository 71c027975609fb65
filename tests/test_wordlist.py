"""The team's word list: reading and its rules, the study setting, joining the tokenizer, --diff."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.errors import StudyError
from analysis.study import init_study, read_study_file
from analysis.text.pipeline import study_text
from analysis.text.wordlist import WordListError, read_word_list, study_word_list
from analysis.text.words import format_word_list_changes, word_list_changes

runner = CliRunner()
PLACE = "ม่อนแจ่ม"  # a village name the dictionary splits as ม่อน|แจ่ม
BODY = f"I: ไปไหนมา\n\nR: ไป{PLACE}มาค่ะ ที่{PLACE}หนาวมาก\n\nI: แล้วไปกับใคร\n\nR: ไปกับเพื่อนค่ะ"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def village(make_study):
    """A study with one Thai transcript that mentions ม่อนแจ่ม twice."""
    study = make_study()
    _write(study.transcripts_dir / "V-01.md",
           "---\nid: V-01\nlanguage: th\nanonymised: true\nfictional: true\nsite: North\ngroup: thai\n"
           f"---\n\n{BODY}\n")
    return study


def test_wordlist_reads_words_comments_and_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path / "words.txt", f"\ufeff# places\n\n{PLACE}  # a village\n  ค้ากาม\n")
    assert [(w.word, w.line) for w in read_word_list(path)] == [(PLACE, 3), ("ค้ากาม", 4)]
    assert read_word_list(tmp_path / "missing.txt") == []


def test_wordlist_words_are_normalised_like_transcripts(tmp_path: Path) -> None:
    # tone mark typed before the vowel sign: the same word once normalised
    path = _write(tmp_path / "words.txt", "ที่นี่\n")
    typed = _write(tmp_path / "typed.txt", "ท\u0e48\u0e35น\u0e35\u0e48\n")
    assert [w.word for w in read_word_list(typed)] == [w.word for w in read_word_list(path)]


@pytest.mark.parametrize(("text", "line", "what"), [
    ("# ok\nม่อน แจ่ม\n", 2, "has a space inside"),
    ("UNHCR\n", 1, "not Thai ('U')"),
    ("ค้ากาม2\n", 1, "not Thai ('2')"),
    ("่บ้าน\n", 1, "starts with a vowel sign or tone mark"),
    (f"{PLACE}\n\n{PLACE} # again\n", 3, "listed twice (also on line 1)"),
])
def test_wordlist_bad_lines_name_file_and_line(tmp_path: Path, text: str, line: int, what: str) -> None:
    path = _write(tmp_path / "words.txt", text)
    with pytest.raises(WordListError, match=re.escape(what)) as err:
        read_word_list(path)
    assert (err.value.path, err.value.line) == (path, line)
    assert err.value.message.startswith(f"{path}:{line}: ") and "\n" not in err.value.message


def test_wordlist_not_utf8_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_bytes("ม่อนแจ่ม\n".encode("cp874"))
    with pytest.raises(WordListError, match="not UTF-8"):
        read_word_list(path)


def test_wordlist_init_writes_a_commented_empty_list(tmp_path: Path) -> None:
    study = init_study(tmp_path / "s")
    assert study.word_list_path == study.codebooks_dir / "words.txt"
    assert study.word_list_path.read_text(encoding="utf-8").startswith("#")
    assert study_word_list(study) == []


def test_wordlist_study_setting_points_elsewhere(tmp_path: Path) -> None:
    study = init_study(tmp_path / "s")
    _write(study.codebooks_dir / "team.txt", f"{PLACE}\n")
    config = study.config_file
    config.write_text(config.read_text().replace("[study]\n", '[study]\nword_list = "team.txt"\n'))
    assert [w.word for w in study_word_list(read_study_file(config))] == [PLACE]


@pytest.mark.parametrize(("setting", "what"), [
    ('word_list = "nowhere.txt"', "word list 'nowhere.txt' not found in codebooks/"),
    ("word_list = 3", "word_list must be a file name"),
])
def test_wordlist_bad_study_setting_names_its_line(tmp_path: Path, setting: str, what: str) -> None:
    config = _write(tmp_path / "study.toml", f'[study]\nname = "x"\n{setting}\n')
    with pytest.raises(StudyError, match=what) as err:
        read_study_file(config)
    assert (err.value.path, err.value.line) == (config, 3)


def test_wordlist_words_are_never_split(village) -> None:
    def tokens_of_place(study):
        tokens = study_text(study).tokens
        return tokens[tokens["text"].str.contains("แจ่ม")]["text"].tolist()

    assert PLACE not in tokens_of_place(village)
    _write(village.word_list_path, f"{PLACE}\n")
    assert tokens_of_place(village) == [PLACE, PLACE]  # a new list: new tokens, not the cached ones


def test_wordlist_diff_shows_what_the_list_changed(village) -> None:
    _write(village.word_list_path, f"{PLACE}\nหนาว\nเชียงดาว\n")
    changes = word_list_changes(village).set_index("word")
    assert changes.loc[PLACE, ["line", "found", "changed"]].tolist() == [1, 2, 2]
    split = changes.loc[PLACE, "before"]
    assert split.endswith(" ×2") and split.replace("|", "").startswith(PLACE)
    lines = format_word_list_changes(changes.reset_index())
    assert lines[0] == f"{PLACE}: {split} → {PLACE}"
    assert "already one word ×1" in lines[1]
    assert "not in the text" in lines[2]


def test_wordlist_cli_diff_and_bad_list(village) -> None:
    result = runner.invoke(app, ["--study", str(village.root), "words", "--diff"])
    assert result.exit_code == 0 and "No words in" in result.output
    _write(village.word_list_path, f"{PLACE}\n")
    result = runner.invoke(app, ["--study", str(village.root), "words", "--diff"])
    assert result.exit_code == 0 and f"→ {PLACE}" in result.output
    _write(village.word_list_path, "ม่อน แจ่ม\n")
    result = runner.invoke(app, ["--study", str(village.root), "kwic", "หนาว"])
    assert isinstance(result.exception, WordListError)  # `run` prints it as one line, exit 1
    assert result.exception.message.startswith(f"{village.word_list_path}:1: 'ม่อน แจ่ม' has a space inside")


def test_wordlist_demo_list_is_valid_and_changes_splits(demo_study) -> None:
    changes = word_list_changes(demo_study)
    assert len(changes) >= 3 and (changes["changed"] > 0).all()


def test_wordlist_check_lists_every_bad_line_through_the_installed_script(village) -> None:
    import subprocess
    import sys

    _write(village.word_list_path, f"{PLACE}\nม่อน แจ่ม\nabc\n{PLACE}\n")
    script = Path(sys.executable).with_name("sitthi")
    result = subprocess.run([str(script), "--study", str(village.root), "check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    found = [line for line in result.stdout.splitlines() + result.stderr.splitlines()
             if str(village.word_list_path) in line]
    assert [re.search(r"words\.txt:(\d+)", line).group(1) for line in found] == ["2", "3", "4"]
