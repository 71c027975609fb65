"""The team's word list (``codebooks/words.txt``): Thai words the tokenizer must never split.

One word per line; ``#`` starts a comment (a whole line or the rest of one); blank lines are
ignored. Words are normalised like transcripts. The list joins pythainlp's dictionary (with the
codebook's keywords) as extra words, so a place name, slang or an organisation's name stays one
token. Every rule below is an error naming the file and line, because a silently skipped word
would give a split the team believes is fixed:

- only Thai letters, vowel signs, tone marks and Thai digits (Latin words are already split at
  spaces and punctuation; the list changes nothing for them);
- no spaces inside (a token never holds a space: write ``ม่อนแจ่ม``, not ``ม่อน แจ่ม``);
- no vowel sign or tone mark first (no Thai word starts with one);
- each word once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.errors import SitthiError
from analysis.study import Study
from analysis.text.normalise import normalise
from analysis.text.script import THAI_MARKS, is_thai

# Thai characters that cannot begin a word: above/below marks, and following vowels such as ะ า ำ.
NOT_FIRST = THAI_MARKS | frozenset("\u0e30\u0e32\u0e33\u0e45\u0e46")


class WordListError(SitthiError):
    """A line of the team's word list breaks a rule."""


@dataclass(frozen=True)
class ListedWord:
    """One word of the list and the line it is on (1-based)."""

    word: str
    line: int


def read_word_list(path: Path) -> list[ListedWord]:
    """The words of a word-list file, in file order; a missing file is an empty list.

    Raises ``WordListError`` (file, line, what to do) for the first bad line.
    """
    words, problems = _read(path)
    if problems:
        raise problems[0]
    return words


def word_list_problems(path: Path) -> list[WordListError]:
    """Every bad line of a word-list file (for ``sitthi check``: all at once)."""
    return _read(path)[1]


def _read(path: Path) -> tuple[list[ListedWord], list[WordListError]]:
    if not path.is_file():
        return [], []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [WordListError("not UTF-8 text", path=path,
                                  fix="save the word list as UTF-8 (plain text, one word per line)")]
    words: list[ListedWord] = []
    problems: list[WordListError] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        word = normalise(raw.split("#", 1)[0]).strip()
        if not word:
            continue
        try:
            _check_word(word, path, number, seen)
        except WordListError as err:
            problems.append(err)
            continue
        seen[word] = number
        words.append(ListedWord(word, number))
    return words, problems


def _check_word(word: str, path: Path, line: int, seen: dict[str, int]) -> None:
    def fail(what: str, fix: str) -> WordListError:
        return WordListError(what, path=path, line=line, fix=fix)

    if any(c.isspace() for c in word):
        raise fail(f"'{word}' has a space inside: a word of the list is one token",
                   f"write it without spaces ('{''.join(word.split())}') or put each word on its own line")
    if not all(is_thai(c) for c in word):
        odd = next(c for c in word if not is_thai(c))
        raise fail(f"'{word}' has a character that is not Thai ('{odd}')",
                   "list only Thai words (Latin words and numbers are split at spaces and punctuation)")
    if word[0] in NOT_FIRST:
        raise fail(f"'{word}' starts with a vowel sign or tone mark", "write the whole word")
    if word in seen:
        raise fail(f"'{word}' is listed twice (also on line {seen[word]})", "delete one of the two lines")


def study_word_list(study: Study) -> list[ListedWord]:
    """The study's word list (``word_list`` in study.toml, default ``codebooks/words.txt``)."""
    return read_word_list(study.word_list_path)


def study_list_words(study: Study) -> list[str]:
    """Just the words of the study's word list."""
    return [entry.word for entry in study_word_list(study)]
