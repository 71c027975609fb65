"""High-recall guesses: words that may be names although nothing says so for sure.

A missed name is worse than ten false alarms a reviewer rejects, so these are proposed with a low
confidence (the review table sorts by it): a Thai word in no dictionary, a capitalised Latin word
that is not an ordinary English word, and any word right after a title, rank or kin term.
Pseudonyms (``[NAME-01]``, ``[PHONE]``) are never guesses.
"""

from __future__ import annotations

import calendar
import re

from analysis.privacy.hits import Hit
from analysis.privacy.names import NAMED_THINGS, NOT_NAMES, PARTICLES, THAI_TITLES, thai_names
from analysis.privacy.vocabulary import KNOWN, english_word, thai_dictionary, thai_stopwords

# Kin terms that are also "I" and "you": a dictionary word after them is a verb, not a name
# ("พี่ทำงาน"), unless it is a listed given name.
PRONOUN_KIN = frozenset({"พี่", "น้อง", "แม่", "พ่อ", "ป้า", "ลุง", "ยาย", "ตา", "น้า", "อา", "หนู"})

# The dictionary words that follow พี่/น้อง/แม่… most often in the demo transcripts and are never names:
# verbs and adverbs of "I/you do…", measured by listing the 0.3 kin guesses on data/transcripts/*.md.
# (ขอบ: "พี่ขอบคุณ" is cut "ขอบ|คุณ".) Dropping these 15 took the demo's kin guesses from 76 to 41.
KIN_VERBS = frozenset({"ทำงาน", "ทำ", "รู้สึก", "รู้", "ได้ยิน", "เล่าเรื่อง", "โดน", "โทร", "ยืน", "สอน", "ฟัง",
                       "เหมือน", "ยกมือ", "ถาม", "ขอบ"})

_THAI_WORD = re.compile(r"[\u0e01-\u0e4e]{2,}")
_PSEUDONYM = re.compile(r"\[[A-Z_]+(?:-\d+)?\]")
_CAPITALISED = re.compile(r"(?<![A-Za-z0-9'’])[A-Z][a-z]+(?:[A-Z][a-z]+)?(?![A-Za-z0-9])")
_WORD_GAP = re.compile(r"[ \-]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\"“(]\s*|\n\s*|^\s*[A-Z]{1,3}:\s*)$")
# Capitalised words that are not names even though the list calls them rare.
NOT_GUESSES = frozenset({"Facebook", "Line", "Messenger", "Whatsapp", "Instagram", "Tiktok", "Grab",
                         "Covid", "Ok", "Okay", "Mm", "Hmm", "Um", "Uh", "Ah", "Oh", "Ja", "Ka", "Krub",
                         "Khrap", "Kha", "Na", "Naa", "Baht", "Isaan", "Isan", "Soi", "Thailand"}
                        | set(calendar.day_name) | set(calendar.month_name[1:]))


def guesses(text: str, tokens: dict[int, str]) -> list[Hit]:
    """Every high-recall guess in ``text`` (``tokens``: start offset → token of the tokenizer)."""
    hidden = [m.span() for m in _PSEUDONYM.finditer(text)]
    found = unknown_thai(tokens) + capitalised(text) + after_titles(text, tokens) + by_context(text, tokens)
    return [h for h in found if not any(s < h.end and h.start < e for s, e in hidden)]


def unknown_thai(tokens: dict[int, str]) -> list[Hit]:
    """Thai tokens of two letters or more that are in no dictionary and are not function words; and
    runs of short pieces around a lone letter, which is how the tokenizer chops a word it does not know
    ("ปุ๊" "ก" "กี้")."""
    known, stop = thai_dictionary(), thai_stopwords()
    hits = [Hit(at, at + len(token), token, "name", 0.4, "unknown Thai word")
            for at, token in tokens.items()
            if _THAI_WORD.fullmatch(token) and token not in known and token not in stop]
    return hits + [Hit(run[0][0], run[-1][0] + len(run[-1][1]), "".join(t for _, t in run), "name", 0.4,
                       "unknown Thai word (split)") for run in _chopped_runs(tokens)]


def _chopped_runs(tokens: dict[int, str]) -> list[list[tuple[int, str]]]:
    """Runs of adjacent short Thai pieces (three letters or fewer) that hold a lone letter."""
    runs, run = [], []
    for at, token in sorted(tokens.items()):
        if len(token) <= 3 and re.fullmatch(r"[\u0e01-\u0e4e]+", token) and (not run or run[-1][0] + len(
                run[-1][1]) == at):
            run.append((at, token))
            continue
        runs.append(run)
        run = [(at, token)] if len(token) <= 3 and re.fullmatch(r"[\u0e01-\u0e4e]+", token) else []
    runs.append(run)
    return [r for r in runs if len(r) >= 2 and any(re.fullmatch("[ก-ฮ]", t) for _, t in r)]


def capitalised(text: str) -> list[Hit]:
    """Capitalised Latin words that are not ordinary English words; less sure at a sentence start."""
    hits = []
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        if word in NOT_GUESSES or word in NOT_NAMES or english_word(word, at_least=KNOWN) or len(word) < 2:
            continue
        start = bool(_SENTENCE_START.search(text[max(0, match.start() - 12):match.start()]))
        hits.append(Hit(match.start(), match.end(), word, "name", 0.3 if start else 0.4,
                        "capitalised word at a sentence start" if start else "capitalised word"))
    return _joined(text, hits)


def _joined(text: str, hits: list[Hit]) -> list[Hit]:
    """Capitalised guesses one space or hyphen apart are one name ("Vilayvanh Sisouk")."""
    joined: list[Hit] = []
    for hit in hits:
        last = joined[-1] if joined else None
        if last and hit.start == last.end + 1 and _WORD_GAP.fullmatch(text[last.end]):
            joined[-1] = Hit(last.start, hit.end, text[last.start:hit.end], "name",
                             max(last.confidence, hit.confidence), last.why)
        else:
            joined.append(hit)
    return joined


def after_titles(text: str, tokens: dict[int, str]) -> list[Hit]:
    """The Thai word right after a title, rank or kin term (a whole token), unless it is a function word,
    a thing that has a name ("ร้าน") or the title and word together make a dictionary word. After a kin
    term that is also "I" or "you" ("พี่", "น้อง"), a dictionary word may be a nickname ("พี่นก"): it is
    proposed at 0.3 unless it is one of the verbs that follow those words most (``KIN_VERBS``)."""
    titles, known = frozenset(THAI_TITLES), thai_dictionary()
    hits = []
    for at, token in tokens.items():
        if token not in titles:
            continue
        following = at + len(token) + (text[at + len(token):at + len(token) + 1] == " ")
        word = _word_after(tokens, following, two=token not in PRONOUN_KIN)
        if not word or word in thai_stopwords() or word in NAMED_THINGS or word in KIN_VERBS \
                or token + word in known:
            continue
        if word != tokens[following] or (word in known and token in PRONOUN_KIN and word not in thai_names()):
            hits.append(Hit(following, following + len(word), word, "name", 0.3, "word after a kin term"))
        else:
            hits.append(Hit(following, following + len(word), word, "name", 0.6, f"after {token}"))
    return hits


def _word_after(tokens: dict[int, str], at: int, *, two: bool) -> str:
    """The Thai word at ``at`` as a name would be: the token; a token the tokenizer glued to a function
    word split off it ("นก|จาก"); (``two``) a function word and the word after it ("หน่อย|แก้ว")."""
    word = tokens.get(at, "")
    if not _THAI_WORD.fullmatch(word):
        return ""
    stop = thai_stopwords()
    following = tokens.get(at + len(word), "")
    glued = _THAI_WORD.fullmatch(following) and following not in stop
    if two and word in stop and word not in PARTICLES and glued:
        return word + following
    if word not in thai_dictionary() or word in thai_names():
        return word
    for cut in range(len(word) - 1, 1, -1):
        if word[cut:] in stop and word[:cut] in thai_dictionary():
            return word[:cut]
    return word




# A Thai word is a person when the English around it says so: "my friend ฝน", "ฝน's", "who is ฝน";
# or the Thai question "ฝนเป็นใคร" (who is ฝน).
_RELATIONS = (r"(?i:\b(?:my|her|his|our|their|your) (?:friend|sister|brother|cousin|boss|aunt|auntie|uncle"
              r"|mamasan|agent|colleague|roommate|neighbou?r|daughter|son|husband|wife|boyfriend|girlfriend)"
              r"|\bwho is|\bwho's)\s+$")


def by_context(text: str, tokens: dict[int, str]) -> list[Hit]:
    """Thai words that the words around them make a person: after "my friend", before an English
    possessive ("ฝน's") or before "เป็นใคร" (who is); 0.6, function words excepted."""
    hits = []
    for at, token in tokens.items():
        if not _THAI_WORD.fullmatch(token) or token in thai_stopwords() or token in NAMED_THINGS:
            continue
        end = at + len(token)
        why = ("before 's" if re.match(r"['’]s\b", text[end:end + 3])
               else "before เป็นใคร" if text.startswith("เป็นใคร", end)
               else "after a relation" if re.search(_RELATIONS, text[max(0, at - 30):at]) else "")
        if why:
            hits.append(Hit(at, end, token, "name", 0.6, why))
    return hits
