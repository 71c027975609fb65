"""Finding identifiers in Thai and English text: ID numbers, phones, e-mail, URLs, social ids,
names after titles, provinces and the study's own list of names and places.

Thai digits count as digits everywhere (they map one to one onto 0-9, so offsets are unchanged).
Thai words have no spaces between them, so a Thai name or province only counts when the tokenizer
puts a word boundary on both sides of it: "แม่น้ำ" (river) is one word, "แม่มาลัย" is a title and a
name. Hits are ``[start, end)`` code-point offsets into the text, overlaps resolved longest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

KINDS = ("id_card", "phone", "email", "url", "social", "name", "place", "custom")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
THAI_TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "คุณ", "พี่", "น้อง", "ป้า", "ลุง", "แม่", "ยาย", "เจ๊",
               "ทนาย", "หมอ", "ครู", "จ่า", "ดาบ", "สารวัตร", "ผู้กอง")
# Provinces whose names are also everyday words: only with "จังหวัด" / "จ." before them.
AMBIGUOUS_PROVINCES = frozenset({"เลย", "ตาก", "น่าน", "แพร่", "ตราด", "ลำปาง"})
NOT_NAMES = frozenset({"Thai", "Burmese", "Lao", "Shan", "Cambodian", "Khmer", "Myanmar", "Karen", "Hmong",
                       "Akha", "Lahu", "Not", "Here", "There", "Sorry", "Very", "Just", "Still", "So", "Now",
                       "The", "A", "An", "In", "At", "From", "Afraid", "Sure", "Fine", "Okay", "Ok"})

_SEP = r"[ \t\-\.]?"
_BEFORE, _AFTER = r"(?<![A-Za-z\d+/])", r"(?![A-Za-z\d])"  # not inside a longer number or a code
_PATTERNS = {
    "id_card": re.compile(rf"{_BEFORE}\d(?:[ \-]?\d){{12}}{_AFTER}"),
    "phone": re.compile(
        rf"{_BEFORE}(?:(?:\+|00)66{_SEP}\(?0?\)?|0)(?:[689](?:{_SEP}\d){{8}}|[2-7](?:{_SEP}\d){{7}}){_AFTER}"
        rf"|{_BEFORE}(?:\+|00)(?!66)\d{{1,3}}(?:{_SEP}\d){{6,12}}{_AFTER}"),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII),
    "url": re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+|\b(?:facebook|fb|instagram|tiktok|line|twitter|x)"
                      r"\.(?:com|me|ee)/[^\s<>\"')\]]+", re.I),
    "social": re.compile(
        r"(?:(?i:line\s*id|line|facebook|fb|whatsapp|instagram|ig|telegram|tiktok|wechat)\s*[:：]"
        r"|(?i:line\s*id|id\s*line)"
        r"|ไอดีไลน์|ไลน์|ไอดี|เฟซบุ๊ก|เฟสบุ๊ก|เฟสบุ๊ค|เฟซ|วอทส์แอป|วอทส์แอพ|วอทสแอป|อินสตาแกรม|ไอจี)"
        r"\s*[:：]?\s*(@?[A-Za-z0-9][A-Za-z0-9_.\-]{2,})"
        r"|(?:ไลน์|ไอดี|เฟซ|(?<![A-Za-z])(?i:line|facebook)(?![A-Za-z]))[^\n:：]{0,25}?(?:คือ|\bis\b)\s*"
        r"(@?[A-Za-z0-9]*[\d_.][A-Za-z0-9_.\-]*[A-Za-z0-9])"),
    "english_name": re.compile(
        r"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?|(?i:my name is|call me|named|I am|I'm|called))\s+"
        r"([A-Z][a-z]+(?:[ \-][A-Z][a-z]+)?)"),
}


@dataclass(frozen=True)
class Hit:
    """One identifier found: ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    kind: str


def thai_id_valid(digits: str) -> bool:
    """True for 13 digits whose last is the Thai national ID check digit."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


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
def provinces() -> dict[str, str]:
    """Every province name (Thai and English, and common short forms) → its English name."""
    from pythainlp.corpus import provinces as bundled

    found = {}
    for row in bundled(details=True):
        english = row["name_en"]
        found[row["name_th"]] = found[english] = found[english.replace(" ", "")] = english
    found.update({"กรุงเทพฯ": "Bangkok", "กรุงเทพ": "Bangkok", "กทม.": "Bangkok", "Phang Nga": "Phangnga",
                  "Ayutthaya": "Phra Nakhon Si Ayutthaya", "Korat": "Nakhon Ratchasima"})
    return found


def _grouped(number: str) -> bool:
    """Written as numbers are (at most four separators), not digits spaced out one by one in a table."""
    return len(re.findall(r"[ \t\-.]", number)) <= 4


def _digits_hits(ascii_text: str, text: str) -> list[Hit]:
    hits = []  # ID numbers first: on a tie of length they win over phones ("00…" pink-card numbers)
    for match in _PATTERNS["id_card"].finditer(ascii_text):
        if _grouped(match.group()) and thai_id_valid(re.sub(r"\D", "", match.group())):
            hits.append(Hit(match.start(), match.end(), text[match.start():match.end()], "id_card"))
    for match in _PATTERNS["phone"].finditer(ascii_text):
        if _grouped(match.group()):
            hits.append(Hit(match.start(), match.end(), text[match.start():match.end()], "phone"))
    return hits


def _pattern_hits(text: str) -> list[Hit]:
    hits = []
    hits += [Hit(m.start(), m.end(), m.group(), "email") for m in _PATTERNS["email"].finditer(text)]
    for match in _PATTERNS["url"].finditer(text):
        url = match.group().rstrip(".,;:!?")
        hits.append(Hit(match.start(), match.start() + len(url), url, "url"))
    for match in _PATTERNS["social"].finditer(text):
        group = 1 if match.group(1) else 2
        handle = match.group(group).rstrip(".-_")  # a full stop ends the sentence, not the id
        hits.append(Hit(match.start(group), match.start(group) + len(handle), handle, "social"))
    for match in _PATTERNS["english_name"].finditer(text):
        name = match.group(1)
        if name.split()[0] not in NOT_NAMES and name not in provinces():
            hits.append(Hit(match.start(1), match.end(1), name, "name"))
    return hits


def _tokens(text: str) -> dict[int, str]:
    """Start offset → token, from the study tokenizer (newmm for Thai runs)."""
    from analysis.text.tokenise import default_tokenizer

    return dict(default_tokenizer().pieces(text))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | {"ชื่อ", "เรียก", "จริง", "เล่น", "แก", "เขา", "เธอ", "หนู", "ฉัน"}


NAMED_THINGS = frozenset({"ร้าน", "โรงแรม", "บาร์", "บริษัท", "มูลนิธิ", "หมู่บ้าน", "ถนน", "ซอย", "จังหวัด",
                          "อำเภอ", "เพื่อน", "ตัวเอง", "ใคร", "อะไร", "เต็ม", "จริง", "เล่น", "ใน", "บน",
                          "คน", "ตำรวจ", "เจ้าหน้าที่", "ลูกค้า", "ปลอม", "ใหม่", "เดิม"})
FORMAL_TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "คุณ")
NAMING = r"(?:ชื่อจริง|ชื่อเล่น|ชื่อ|เรียก)(?:ว่า|คือ|แกคือ|เขาคือ|ของแกคือ|ของเขาคือ)?"
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
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()} | {at}
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


def _with_surname(text: str, end: int, tokens: dict[int, str]) -> int:
    """Extend a name over " <family name>" when one follows."""
    if text[end:end + 1] == " " and (end + 1) in tokens:
        edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
        family = _longest_at(text, end + 1, thai_names(), edges, 25)
        if family > 0:
            return family
    return end


def _thai_name_hits(text: str, tokens: dict[int, str]) -> tuple[list[Hit], set[str]]:
    """Names after a naming phrase ("ชื่อ…", "เรียก…"), a formal title or a kin term used as one;
    and the names that were introduced as names (safe to look for everywhere, however short)."""
    titles = "|".join(re.escape(t) for t in sorted(THAI_TITLES, key=len, reverse=True))
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
    hits, named = [], set()
    for match in re.finditer(rf"(?:(?P<naming>{NAMING})\s?)?(?P<title>{titles})?\s?", text):
        naming, title = match.group("naming"), match.group("title")
        if not match.group() or (naming is None and title is None):
            continue
        if naming and naming.startswith("เรียก") and title is None:
            continue  # "เรียกเงิน" asks for money; "เรียกพี่นก" names someone
        if match.start() not in edges:
            continue  # "ขอบคุณ" (thank you) holds คุณ, but not as a title
        at, title = match.end(), match.group("title") or ""
        if tokens.get(at) in NAMED_THINGS:
            continue  # "ชื่อร้าน": the name of a bar, found by the study's list instead
        open_class = match.group("naming") is not None or title in FORMAL_TITLES
        end = _name_at(text, at, tokens, open_class=open_class)
        if end < 0 or (not match.group("naming") and text[match.start():end] in thai_words()):
            continue  # "แม่น้ำ" is a word, not แม่ + a name
        end = _with_surname(text, end, tokens)
        hits.append(Hit(at, end, text[at:end], "name"))
        if open_class:
            named.add(text[at:end])
    return hits, named


def _everywhere(text: str, hits: list[Hit], named: set[str], tokens: dict[int, str]) -> list[Hit]:
    """Other occurrences of a name or id found once (people are named without a title, too):
    names introduced as names, social ids, and other names that are not ordinary words."""
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
    more = []
    found = {(h.text, h.kind) for h in hits if h.kind == "social" or (h.kind == "name" and (
        h.text in named or (len(h.text) >= 3 and h.text not in thai_words())))}
    for value, kind in found:
        for match in re.finditer(_word_pattern(value), text):
            if value.isascii() or (match.start() in edges and match.end() in edges):
                more.append(Hit(match.start(), match.end(), value, kind))
    return more


def _place_hits(text: str, edges: set[int], keep: set[str]) -> list[Hit]:
    hits = []
    for name, english in provinces().items():
        if english in keep or name in keep:
            continue
        for match in re.finditer(_word_pattern(name), text):
            start, end = match.span()
            if not name.isascii():
                if start not in edges or end not in edges:
                    continue
                before = text[max(0, start - 8):start]
                if name in AMBIGUOUS_PROVINCES and not re.search(r"(จังหวัด|จ\.)\s?$", before):
                    continue
            hits.append(Hit(start, end, name, "place"))
    return hits


def _word_pattern(name: str) -> str:
    """A Latin name as a whole word (Thai letters may touch it: Thai puts no space before it)."""
    return rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])" if name.isascii() else re.escape(name)


def _custom_hits(text: str, custom: dict[str, str]) -> list[Hit]:
    hits = []
    for name in custom:
        flags = re.I if name.isascii() else 0
        found = re.finditer(_word_pattern(name), text, flags)
        hits += [Hit(m.start(), m.end(), m.group(), "custom") for m in found]
    return hits


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """Longest first wins; the rest must not overlap it."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def find_identifiers(text: str, *, custom: dict[str, str] | None = None,
                     keep_places: tuple[str, ...] = ()) -> list[Hit]:
    """Every identifier in ``text``; ``custom`` maps the study's own names to their kind
    (person, place, bar, hotel, org); ``keep_places`` are provinces left as they are."""
    ascii_text = text.translate(THAI_DIGITS)
    tokens = _tokens(text)
    edges = set(tokens) | {p + len(t) for p, t in tokens.items()}
    keep = set(keep_places) | {provinces().get(p, p) for p in keep_places}
    names, named = _thai_name_hits(text, tokens)
    hits = (_digits_hits(ascii_text, text) + _pattern_hits(text) + names
            + _place_hits(text, edges, keep) + _custom_hits(text, custom or {}))
    return _without_overlaps(hits + _everywhere(text, hits, named, tokens))


def numbers_and_addresses(text: str) -> list[Hit]:
    """Only the patterns that are never acceptable in any output: ID numbers, phones, e-mail."""
    ascii_text = text.translate(THAI_DIGITS)
    return _without_overlaps(_digits_hits(ascii_text, text)
                             + [Hit(m.start(), m.end(), m.group(), "email")
                                for m in _PATTERNS["email"].finditer(text)])
