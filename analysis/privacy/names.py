"""Names of people: after Thai titles, kin terms and naming phrases, after English titles and
"my name is"; and a name found once, everywhere else in the same text."""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.privacy.hits import Hit, token_edges, word_pattern
from analysis.privacy.places import provinces

# Ranks (police and army, abbreviated and spelt out), formal titles, kin terms used as titles.
RANKS = ("พล.ต.อ.", "พล.ต.ท.", "พล.ต.ต.", "พ.ต.อ.", "พ.ต.ท.", "พ.ต.ต.", "ร.ต.อ.", "ร.ต.ท.", "ร.ต.ต.",
         "ด.ต.", "จ.ส.ต.", "ส.ต.อ.", "ส.ต.ท.", "ส.ต.ต.", "จ.ส.อ.", "ส.อ.", "พลตำรวจ", "ดาบตำรวจ",
         "จ่าสิบตำรวจ", "สิบตำรวจเอก", "สิบตำรวจโท", "สิบตำรวจตรี", "สิบตำรวจ", "ร้อยตำรวจเอก",
         "ร้อยตำรวจโท", "ร้อยตำรวจตรี", "พันตำรวจเอก", "พันตำรวจโท", "พันตำรวจตรี", "สารวัตร", "ผู้หมวด",
         "ผู้กอง", "ผู้การ", "หมวด", "จ่า", "ดาบ", "กำนัน", "ผู้ใหญ่")
KIN = ("คุณป้า", "คุณลุง", "คุณน้า", "คุณยาย", "คุณตา", "คุณแม่", "คุณพ่อ", "พี่สาว", "พี่ชาย", "น้องสาว",
       "น้องชาย", "แม่เล้า", "พี่", "น้อง", "ป้า", "ลุง", "น้า", "อา", "แม่", "พ่อ", "ยาย", "ตา", "เจ๊", "เฮีย",
       "เสี่ย", "ป๋า", "เจ้", "อี", "ไอ้")
THAI_TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "คุณ", "ทนาย", "หมอ", "ครู", "อาจารย์", *RANKS, *KIN)
# Titles that are also the start of many words ("ตาย", "อาหาร", "อีก"): they count only as whole tokens.
SHORT_TITLES = frozenset({"ตา", "อา", "อี", "น้า", "ป๋า", "หมวด", "จ่า", "ดาบ", "พ่อ", "ไอ้", "เจ้"})
NOT_NAMES = frozenset({"Thai", "Burmese", "Lao", "Shan", "Cambodian", "Khmer", "Myanmar", "Karen", "Hmong",
                       "Akha", "Lahu", "Not", "Here", "There", "Sorry", "Very", "Just", "Still", "So", "Now",
                       "The", "A", "An", "In", "At", "From", "Afraid", "Sure", "Fine", "Okay", "Ok"})
ENGLISH_TITLES = (r"Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Officer|Sgt|Sergeant|Capt|Captain|Lt|Lieutenant|Col|Colonel"
                  r"|Maj|Major|Gen|General|Inspector|Superintendent|Pol|Cpl|Corporal|Khun|K|Auntie|Aunty|Aunt"
                  r"|Uncle|Mama-?san|Mamasan|Mama|Papa-?san|Papa|Boss|Madam|Madame|Sister|Brother|Sis|Bro"
                  r"|Phi|P|Nong|Mae|Ajarn|Ajahn|Teacher|Lawyer|Jeh|Sia|Hia|Lung|Yai")
_RANK_RUN = rf"(?:(?:{ENGLISH_TITLES})\.?'?[ \-]?)+"
_ENGLISH_NAME = re.compile(
        rf"(?<![A-Za-z])(?:{_RANK_RUN}|(?i:my name is|my name's|call me|named|I am|I'm|called)\s+)"
        r"([A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2})")
_LOWER_NAME = re.compile(r"(?i:\b(?:my (?:nick)?name is|my (?:nick)?name's|(?:my )?name:|call me|they call me"
                         r"|i am|i'm|im|this is)\s+)([a-z]{2,})\b")


@lru_cache(maxsize=1)
def thai_names() -> frozenset[str]:
    """Given and family names bundled with pythainlp (offline), two letters or longer."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    names = set(thai_female_names()) | set(thai_male_names()) | set(thai_family_names())
    return frozenset(n for n in names if len(n) >= 2)


@lru_cache(maxsize=1)
def thai_words() -> frozenset[str]:
    """pythainlp's bundled Thai dictionary."""
    from pythainlp.corpus import thai_words as bundled

    return frozenset(bundled())


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | {"ชื่อ", "เรียก", "จริง", "เล่น", "แก", "เขา", "เธอ", "หนู", "ฉัน"}


NAMED_THINGS = frozenset({"ร้าน", "โรงแรม", "บาร์", "บริษัท", "มูลนิธิ", "หมู่บ้าน", "ถนน", "ซอย", "จังหวัด",
                          "อำเภอ", "เพื่อน", "ตัวเอง", "ใคร", "อะไร", "เต็ม", "จริง", "เล่น", "ใน", "บน",
                          "คน", "ตำรวจ", "เจ้าหน้าที่", "ลูกค้า", "ปลอม", "ใหม่", "เดิม"})
FORMAL_TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "คุณ")
# Kin terms that are titles only (never "I" or "you"): the word after them is a name even when it is
# also a function word ("เจ๊หน่อย"), unless it is one of these particles.
FIRM_KIN = frozenset({"เจ๊", "เฮีย", "เสี่ย", "แม่เล้า", "ป๋า", "เจ้", "คุณป้า", "คุณลุง", "คุณน้า", "คุณยาย"})
PARTICLES = frozenset({"ก็", "ค่ะ", "คะ", "ครับ", "นะ", "จ้ะ", "จ้า", "เขา", "แก", "เค้า", "มัน", "บอก", "ว่า",
                        "ที่", "ไม่", "จะ", "ได้", "เป็น", "คือ", "มา", "ไป", "ให้", "กับ", "และ", "แล้ว"})
# Titles after which any word is a name (a rank or a formal title is never followed by a verb).
OPEN_TITLES = frozenset(FORMAL_TITLES + RANKS) - SHORT_TITLES
_WHOSE = r"(?:ของ)?(?:หนู|ฉัน|แก|เขา|เธอ|ผม|พี่|น้อง|เค้า|มัน|เรา|ดิฉัน|กู)?"  # "ชื่อเขา ถาม…" is no name
NAMING = rf"(?:ชื่อจริง|ชื่อเล่น|นามสกุล|ชื่อ|เรียก)(?:{_WHOSE}\s?(?:ก็)?(?:ว่า|คือ))?"
_THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")


def _longest_at(text: str, at: int, words: frozenset[str] | dict, edges: set[int], longest: int) -> int:
    """End of the longest word of ``words`` starting at ``at`` and ending on a word boundary, or -1."""
    for end in range(min(len(text), at + longest), at + 1, -1):
        if end in edges and text[at:end] in words:
            return end
    return -1


def _name_tokens(text: str, at: int, tokens: dict[int, str], *, most: int = 2) -> int:
    """End of up to ``most`` Thai tokens from ``at`` that are not function words, or -1."""
    end, taken = at, 0
    while (taken < most and end in tokens and _THAI_RUN.fullmatch(tokens[end])
           and tokens[end] not in _stopwords()):
        end, taken = end + len(tokens[end]), taken + 1
    return end if taken and end - at >= 2 else -1


def _name_at(text: str, at: int, tokens: dict[int, str], *, open_class: bool) -> int:
    """End of the name starting at ``at``: a listed name, a Latin name, or (``open_class``) any word."""
    latin = re.match(r"[A-Z][a-z]+", text[at:at + 30])
    if latin:
        return at + latin.end()
    edges = token_edges(tokens) | {at}
    end = _longest_at(text, at, thai_names(), edges, 20)
    if end > 0 and text[at:end] not in _stopwords():
        return end
    if open_class:
        return _name_tokens(text, at, tokens)
    end = _name_tokens(text, at, tokens, most=1)  # after a kin term: an unknown word is most likely a name
    if end > 0 and text[at:end] not in thai_words():
        return end
    return _repeated_after_kin(text, at, tokens)


def _repeated_after_kin(text: str, at: int, tokens: dict[int, str]) -> int:
    """A word after a kin term that comes back after a kin term ("น้องขวัญ" twice) is taken for a
    nickname, even when it is also an ordinary word. The price: "พี่ทำ…" said twice is flagged too,
    which the reviewer clears (about one such hit per interview on the demo)."""
    end = _name_tokens(text, at, tokens, most=2)
    if end < 0:
        return -1
    word = text[at:end]
    kin = "|".join(re.escape(t) for t in THAI_TITLES)
    return end if len(re.findall(rf"(?:{kin}){re.escape(word)}", text)) >= 2 else -1


@lru_cache(maxsize=1)
def _family_names() -> frozenset[str]:
    from pythainlp.corpus import thai_family_names

    return frozenset(thai_family_names())


@lru_cache(maxsize=1)
def _family_pieces() -> tuple[frozenset[str], frozenset[str]]:
    """Words that often start and that often end a listed family name ("ศรี…", "…วงศ์"), by the
    tokenizer: an unlisted family name is made of them ("ศรี|วงศ์", "ใจ|งาม")."""
    from collections import Counter

    from pythainlp.corpus import thai_family_names
    from pythainlp.tokenize import word_tokenize

    first, last = Counter(), Counter()
    for name in thai_family_names():
        pieces = word_tokenize(name, engine="newmm")
        first[pieces[0]] += 1
        last[pieces[-1]] += 1
    return (frozenset(w for w, n in first.items() if n >= 3), frozenset(w for w, n in last.items() if n >= 3))


def _family_like(chunk: str, pieces: list[str]) -> bool:
    """Whether a space-separated Thai word after a given name is a family name: listed, or in no
    dictionary and either one unknown word or made of the usual pieces of family names."""
    from analysis.privacy.vocabulary import thai_dictionary

    if chunk in thai_dictionary():
        return chunk in _family_names()  # "ใจดี" is a family name; "อายุ" only a listed given name
    if chunk in thai_names():
        return True
    if len(chunk) < 3 or not 1 <= len(pieces) <= 3 or any(
            p in _stopwords() for p in pieces):
        return False
    starts, ends = _family_pieces()
    return len(pieces) == 1 or (pieces[0] in starts and pieces[-1] in ends)


def family_end(text: str, end: int, tokens: dict[int, str]) -> int:
    """End of " <family name>" after a name ending at ``end`` ("Jane| Porter", "ปัณณพร| ศรีวงศ์"), or
    ``end``: a capitalised Latin word that is not a common English word, a Thai word that is a listed
    family name or looks like one (``_family_like``)."""
    from analysis.privacy.vocabulary import english_word

    if text[end:end + 1] != " ":
        return end
    at = end + 1
    latin = re.match(r"[A-Z][a-z]+(?![A-Za-z0-9])", text[at:at + 30])
    if latin:
        return at + latin.end() if text[end - 1:end].isascii() and not english_word(latin.group()) else end
    run = _THAI_RUN.match(text, at)
    if not run or text[end - 1:end].isascii():
        return end
    pieces = [t for p, t in sorted(tokens.items()) if at <= p < run.end()]
    if _family_like(run.group(), pieces):
        return run.end()
    edges = token_edges(tokens)
    listed = _longest_at(text, at, thai_names(), edges, 25)
    return listed if listed > 0 and _family_like(text[at:listed], []) else end


def syllables_end(text: str, start: int, end: int, tokens: dict[int, str], *, most: int = 3) -> int:
    """End of a spaced Burmese, Karen or Shan name written in Thai ("เอ่| เอ่ มอ"): up to ``most``
    short syllables one space apart, not function words, one of them at least in no dictionary."""
    from analysis.privacy.vocabulary import thai_dictionary

    short = re.compile(r"[\u0e01-\u0e4e]{1,4}")
    if not short.fullmatch(text[start:end]):
        return end
    words, stop = [text[start:end]], end
    while len(words) < most and text[stop:stop + 1] == " ":
        word = tokens.get(stop + 1, "")
        if not short.fullmatch(word) or word in _stopwords() or _THAI_RUN.match(text, stop + 1).end() != (
                stop + 1 + len(word)):
            break
        words.append(word)
        stop += 1 + len(word)
    return stop if len(words) > 1 and any(w not in thai_dictionary() for w in words) else end


def extended(text: str, hits: list[Hit], tokens: dict[int, str]) -> list[Hit]:
    """Name hits extended over the rest of a spaced name and a following family name: one hit."""
    out = []
    for hit in hits:
        if hit.kind != "name":
            out.append(hit)
            continue
        end = family_end(text, syllables_end(text, hit.start, hit.end, tokens), tokens)
        out.append(hit if end == hit.end else Hit(hit.start, end, text[hit.start:end], "name", hit.confidence,
                                                  hit.why))
    return out


def thai_names_in(text: str, tokens: dict[int, str]) -> tuple[list[Hit], set[str]]:
    """Names after a naming phrase ("ชื่อ…", "เรียก…"), a formal title or a kin term used as one;
    and the names that were introduced as names (safe to look for everywhere, however short)."""
    titles = "|".join(re.escape(t) for t in sorted(THAI_TITLES, key=len, reverse=True))
    edges = token_edges(tokens)
    hits, named = [], set()
    for match in re.finditer(rf"(?:(?P<naming>{NAMING})\s?)?(?P<title>{titles})?\s?", text):
        naming, title = match.group("naming"), match.group("title")
        if not match.group() or (naming is None and title is None):
            continue
        if naming and naming == "เรียก" and title is None:
            continue  # "เรียกเงิน" asks for money; "เรียกพี่นก", "เรียกหนูว่าใหม่" name someone
        if match.start() not in edges:
            continue  # "ขอบคุณ" (thank you) holds คุณ, but not as a title
        if title in SHORT_TITLES and match.end("title") not in edges:
            continue  # "ตาย", "อาหาร": a word, not ตา or อา before a name
        at, title = match.end(), match.group("title") or ""
        firm = title in FIRM_KIN or bool(naming and re.search(r"(?:ว่า|คือ|ชื่อเล่น|ชื่อจริง)$", naming))
        if tokens.get(at) in NAMED_THINGS and not firm:
            continue  # "ชื่อร้าน": the name of a bar, found by the study's list instead
        open_class = match.group("naming") is not None or title in OPEN_TITLES or title in FIRM_KIN
        end = _name_at(text, at, tokens, open_class=open_class)
        if end < 0 and firm and _THAI_RUN.fullmatch(tokens.get(at, "")) and tokens[at] not in PARTICLES:
            end = at + len(tokens[at])
        if end < 0 or (not match.group("naming") and _is_word_or_place(text[match.start():end])):
            continue  # "แม่น้ำ" is a word and "แม่สาย" a district, not แม่ + a name
        given, end = end, family_end(text, syllables_end(text, at, end, tokens), tokens)
        hits.append(Hit(at, end, text[at:end], "name"))
        if open_class:
            named |= {text[at:end], text[at:given]}  # "ขวัญ" alone later, too
    return hits, named


def _is_word_or_place(text: str) -> bool:
    from analysis.privacy.places import districts

    return text in thai_words() or text in districts() or text in provinces()


GENERIC_GUESSES = ("unknown Thai word", "capitalised word")


def everywhere(text: str, hits: list[Hit], named: set[str], tokens: dict[int, str]) -> list[Hit]:
    """Other occurrences of a name or id found once (people are named without a title, too): social ids,
    names introduced as names, other sure names that are not ordinary words, and names guessed from
    their context ("ฝน's", "หมอเก๋"; not the 0.3 guesses); each at the confidence of its surest
    occurrence, at most 0.6 for an ordinary word not introduced as a name ("หวัง"). A Thai occurrence
    must be a whole token and not part of a compound with its neighbour ("ฝนตก", "หน้าฝน")."""
    ends = {p + len(t): t for p, t in tokens.items()}
    edges = set(tokens) | set(ends)
    best: dict[tuple[str, str], float] = {}
    for h in hits:
        guessed = 0.6 <= h.confidence < 0.9
        if h.kind == "social" or (h.kind == "name" and not h.why.startswith(GENERIC_GUESSES) and (
                h.text in named or guessed or (len(h.text) >= 3 and h.text not in thai_words()))):
            best[h.text, h.kind] = max(h.confidence, best.get((h.text, h.kind), 0.0))
    for h in hits:  # a guess elsewhere keeps the confidence of the sure occurrence
        if (h.text, h.kind) in best:
            best[h.text, h.kind] = max(h.confidence, best[h.text, h.kind])
    more = []
    for (value, kind), confidence in best.items():
        if kind == "name" and value not in named and value in thai_words():
            confidence = min(confidence, 0.6)
        for match in re.finditer(word_pattern(value), text):
            start, end = match.span()
            if value.isascii() or (start in edges and end in edges and not _in_compound(
                    text[start:end], ends.get(start, ""), tokens.get(end, ""))):
                why = "found elsewhere" if confidence < 0.9 else ""
                more.append(Hit(start, end, value, kind, confidence, why))
    return more


def _in_compound(word: str, before: str, after: str) -> bool:
    """Whether ``word`` and the start of the token after it, or the end of the token before it, make a
    dictionary word ("ฝน|ตกหนัก" holds ฝนตก, "หน้า|ฝน" is หน้าฝน)."""
    words = thai_words()
    return any(word + after[:k] in words for k in range(1, len(after) + 1)) or any(
        before[k:] + word in words for k in range(len(before)))


def english_names(text: str) -> list[Hit]:
    """Latin names after a title or rank (Mr, Dr, Officer, Pol. Lt. Col., Khun, Auntie, Mama…) or a
    naming phrase ("my name is", "call me"); lower-case too when the word is not an English word."""
    from analysis.privacy.vocabulary import KNOWN, english_word

    hits = []
    for match in _ENGLISH_NAME.finditer(text):
        name = _spaced_latin(match.group(1))
        if name.split()[0] in NOT_NAMES or name in provinces() or _is_word_or_place(match.group()):
            continue  # "Mae Sai" is a district
        sure = not english_word(name.split()[0])  # "Officer Rose" is likely, "General Hospital" is not
        hits.append(Hit(match.start(1), match.start(1) + len(name), name, "name", 1.0 if sure else 0.6,
                        "after a title" if sure else "common word after a title"))
    for match in _LOWER_NAME.finditer(text):
        name = match.group(1)
        if not english_word(name, at_least=KNOWN) and name not in _ENGLISH_STOP:
            hits.append(Hit(match.start(1), match.end(1), name, "name", 0.9, "lower-case name after naming"))
    return hits


def _spaced_latin(name: str) -> str:
    """Two words of a name after a title, three when the third is a short syllable that is not an
    English word ("Aye Aye Maw", not "Somchai Jaidee Then")."""
    from analysis.privacy.vocabulary import english_word

    words = re.split(r"(?<=[a-z])(?=[ \-])", name)
    if len(words) == 3 and (len(words[2].strip(" -")) > 4 or english_word(words[2].strip(" -"))):
        words = words[:2]
    return "".join(words)


_ENGLISH_STOP = frozenset({"gonna", "gotta", "wanna", "sooo", "soo", "ok", "okk", "okay", "fine", "tired"})
