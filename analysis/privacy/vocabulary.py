"""Which words are ordinary words: the Thai dictionary (pythainlp's lists and the tokenizer's) and an
English frequency list (pyspellchecker's, offline), so that a word that is in neither may be a name."""

from __future__ import annotations

from functools import lru_cache

# An English word at least this frequent in pyspellchecker's list (counts from film subtitles:
# "tired" 118,218, "john" 6,920, "mai" 1,724, "noi" 0) is an ordinary word, not a name.
COMMON = 10_000
# Enough to say a lower-case word after "my name is" is an ordinary word ("busy", "here") and not a name.
KNOWN = 2_000


@lru_cache(maxsize=1)
def _english() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en").word_frequency.dictionary)


def english_frequency(word: str) -> int:
    """How often ``word`` (any case) occurs in the English list; 0 when it is not an English word."""
    return _english().get(word.lower(), 0)


def english_word(word: str, *, at_least: int = COMMON) -> bool:
    """Whether ``word`` is an ordinary English word (frequent enough in the list)."""
    return english_frequency(word) >= at_least


@lru_cache(maxsize=1)
def thai_dictionary() -> frozenset[str]:
    """The Thai words the project knows: pythainlp's word list (the tokenizer's dictionary) and the
    Royal Institute's list. Not Volubilis: it lists given names (สมชาย) as words."""
    from pythainlp.corpus import thai_orst_words, thai_words

    return frozenset(thai_words()) | frozenset(thai_orst_words())


@lru_cache(maxsize=1)
def thai_stopwords() -> frozenset[str]:
    """pythainlp's Thai stopwords and the pronouns and particles of speech around names."""
    from pythainlp.corpus import thai_stopwords as bundled

    return frozenset(bundled()) | {"ชื่อ", "เรียก", "จริง", "เล่น", "แก", "เขา", "เธอ", "หนู", "ฉัน", "ค่ะ",
                                   "คะ", "ครับ", "นะ", "จ้ะ", "จ้า", "อะ", "เค้า", "มัน", "ผม", "กู", "มึง"}
