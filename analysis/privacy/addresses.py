"""Addresses a person can be reached at: e-mail, web addresses, social media ids.

Matched on the folded text (``folding.fold``: full-width ``＠`` and letters, Unicode spaces), hits
point at the original. E-mail also as people write it to dodge spam: ``nok @ gmail.com``,
``nok (at) gmail (dot) com``, ``nok at gmail dot com`` (spelled-out "at" only with a known mail
domain or "dot com"), Thai ``แอท``/``ดอท``. Social ids after a label (LINE, IG, เฟส, แอดไลน์มาที่…).
"""

from __future__ import annotations

import re

from analysis.privacy.folding import Folded, fold
from analysis.privacy.hits import Hit

MAIL_DOMAINS = ("gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "ymail", "icloud", "me",
                "msn", "aol", "proton", "protonmail", "gmx", "mail", "zoho", "yandex", "qq", "163")
_LOCAL = r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*"
_AT_WORD = r"(?:\s?[(\[{<]\s?(?i:at|แอท)\s?[)\]}>]\s?|\s(?i:at)\s|\s?แอท\s?)"
_DOT_WORD = r"(?:\s?[(\[{<]\s?(?i:dot|ดอท|จุด)\s?[)\]}>]\s?|\s(?i:dot)\s|\s?(?:ดอท|จุด)\s?|\.)"
_TLD = r"[A-Za-z]{2,24}(?![A-Za-z0-9])"
_PATTERNS = {
    "email": re.compile(rf"{_LOCAL}(?: @ |@)[\w-]+(?:\.[\w-]+)+", re.ASCII),
    "spelled": re.compile(
        rf"{_LOCAL}({_AT_WORD})([A-Za-z0-9-]+)((?:{_DOT_WORD}[A-Za-z0-9-]+)*{_DOT_WORD}{_TLD})", re.ASCII),
    "url": re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+|\b(?:facebook|fb|instagram|tiktok|line|twitter|x)"
                      r"\.(?:com|me|ee)/[^\s<>\"')\]]+", re.I),
}
_HANDLE = r"@?[A-Za-z0-9][A-Za-z0-9_.\-]{1,}"
_LATIN_LABEL = (r"(?<![A-Za-z])(?i:line\s?id|id\s?line|line|facebook|fb|whatsapp|instagram|insta|ig|telegram"
                r"|tiktok|wechat|viber|twitter|signal|messenger)(?![A-Za-z])")
_THAI_LABEL = (r"(?:แอด|แอ๊ด|แอดด์|add\s?)?(?:ไอดีไลน์|ไลน์|ไลน|ไอดี|เฟซบุ๊ก|เฟสบุ๊ก|เฟสบุ๊ค|เฟซบุ๊ค|เฟซ|เฟส"
               r"|วอทส์แอป|วอทส์แอพ|วอทสแอป|วอทแอป|อินสตาแกรม|อินสตา|ไอจี|ติ๊กต๊อก|ติ๊กต็อก|เทเลแกรม|วีแชท)")
_FILLER = r"(?:\s?(?:[:：]|มาที่|มาได้ที่|ได้ที่|มา|ที่|ชื่อ|คือ|ว่า|เป็น|นะ|(?i:is|me|at|on|id|name))\s?)*"
_SOCIAL = {
    "label": re.compile(rf"(?:(?i:add\s(?:me\s)?(?:on\s)?)?{_LATIN_LABEL}|{_THAI_LABEL})\s?{_FILLER}\s?"
                        rf"(?<![A-Za-z0-9_.@])({_HANDLE})"),
    "after_is": re.compile(rf"(?:ไลน์|ไอดี|เฟซ|เฟส|{_LATIN_LABEL})[^\n:：]{{0,25}}?(?:คือ|\bis\b)\s*"
                           r"(@?[A-Za-z0-9]*[\d_.][A-Za-z0-9_.\-]*[A-Za-z0-9])"),
}
_COMMON = frozenset("""a an the and or but to of in on at for with from by is are was were be been it its this
that these those my your his her our their me him us them i you he she we they not no yes so as if
then than too very can could will would should may might must do does did done have has had group
chat call message account page app number name only also just all any some again there here what
when where who how why one two ok okay please thanks thank hi hello bye with""".split())


def _spelled_ok(match: re.Match) -> bool:
    """A spelled-out "at" counts only with a known mail domain or a "dot com" after it."""
    if "@" in match.group(1) or re.search(r"[(\[{<]|แอท", match.group(1)):
        return True
    return match.group(2).lower() in MAIL_DOMAINS or re.search(r"(?i:com)$", match.group(3)) is not None


def _emails(folded: Folded) -> list[Hit]:
    hits = [folded.hit(m.start(), m.end(), "email") for m in _PATTERNS["email"].finditer(folded.text)]
    for match in _PATTERNS["spelled"].finditer(folded.text):
        if _spelled_ok(match):
            hits.append(folded.hit(match.start(), match.end(), "email", 0.9, "spelled-out e-mail"))
    return hits


def find_emails(text: str) -> list[Hit]:
    """E-mail addresses in ``text``, also spelled out (``nok (at) gmail (dot) com``)."""
    return _emails(fold(text))


def _social_confidence(handle: str, label: str) -> float:
    """1.0 for what looks like an id (a digit, ``_``, ``.``, ``@``, or after LINE in capitals); 0.6 for
    a plain word after a Thai label or a colon; 0 for an everyday word after "line" in a sentence."""
    if re.search(r"[\d_.@]", handle):
        return 1.0
    if handle.lower() in _COMMON or len(handle) < 3:
        return 0.0
    if label.lstrip().startswith("LINE"):
        return 0.9
    return 0.6 if re.search(r"[:：]|[ก-๛]", label) else 0.0


def _socials(folded: Folded) -> list[Hit]:
    hits = []
    for pattern in _SOCIAL.values():
        for match in pattern.finditer(folded.text):
            handle = match.group(1).rstrip(".-_")  # a full stop ends the sentence, not the id
            confidence = _social_confidence(handle, match.group())
            if confidence:
                hits.append(folded.hit(match.start(1), match.start(1) + len(handle), "social", confidence,
                                       "after a social media label"))
    return hits


def find_addresses(text: str) -> list[Hit]:
    """E-mail addresses, web addresses and social media ids in ``text``."""
    folded = fold(text)
    hits = _emails(folded)
    for match in _PATTERNS["url"].finditer(folded.text):
        url = match.group().rstrip(".,;:!?")
        hits.append(folded.hit(match.start(), match.start() + len(url), "url"))
    return hits + _socials(folded)
