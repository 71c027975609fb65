"""Addresses a person can be reached at: e-mail, web addresses, social media ids."""

from __future__ import annotations

import re

from analysis.privacy.hits import Hit

_PATTERNS = {
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
}


def find_emails(text: str) -> list[Hit]:
    """E-mail addresses in ``text``."""
    return [Hit(m.start(), m.end(), m.group(), "email") for m in _PATTERNS["email"].finditer(text)]


def find_addresses(text: str) -> list[Hit]:
    """E-mail addresses, web addresses and social media ids in ``text``."""
    hits = find_emails(text)
    for match in _PATTERNS["url"].finditer(text):
        url = match.group().rstrip(".,;:!?")
        hits.append(Hit(match.start(), match.start() + len(url), url, "url"))
    for match in _PATTERNS["social"].finditer(text):
        group = 1 if match.group(1) else 2
        handle = match.group(group).rstrip(".-_")  # a full stop ends the sentence, not the id
        hits.append(Hit(match.start(group), match.start(group) + len(handle), handle, "social"))
    return hits
