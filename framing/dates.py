"""Dates as they appear in Arabic news, parsed to ISO 8601.

Handles day/month-name/year in Modern Standard (يوليو), Levantine/Iraqi
(تموز) and Maghrebi (جويلية) month names, numeric dates, ISO strings, RFC 822
(``Mon, 24 Sep 2018 14:26:52 GMT``) and a 12-hour clock with ص/م.
"""
from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from .text import normalize_text

_MONTHS_RAW = {
    1: ["يناير", "كانون الثاني", "جانفي", "January", "Jan"],
    2: ["فبراير", "شباط", "فيفري", "February", "Feb"],
    3: ["مارس", "آذار", "March", "Mar"],
    4: ["أبريل", "ابريل", "نيسان", "أفريل", "افريل", "April", "Apr"],
    5: ["مايو", "أيار", "ماي", "May"],
    6: ["يونيو", "يونيه", "حزيران", "جوان", "June", "Jun"],
    7: ["يوليو", "يوليه", "تموز", "جويلية", "جويلة", "July", "Jul"],
    8: ["أغسطس", "اغسطس", "آب", "أوت", "August", "Aug"],
    9: ["سبتمبر", "أيلول", "September", "Sep", "Sept"],
    10: ["أكتوبر", "اكتوبر", "تشرين الأول", "October", "Oct"],
    11: ["نوفمبر", "تشرين الثاني", "November", "Nov"],
    12: ["ديسمبر", "كانون الأول", "December", "Dec"],
}
MONTHS: dict[str, int] = {normalize_text(name): m for m, names in _MONTHS_RAW.items() for name in names}
_MONTH_ALT = "|".join(sorted((re.escape(k) for k in MONTHS), key=len, reverse=True))

_NAMED = re.compile(
    rf"(?P<d>\d{{1,2}})\s*[/\-. ]?\s*(?P<m>{_MONTH_ALT})\s*[/\-. ,]?\s*(?P<y>\d{{4}})", re.IGNORECASE
)
_NUMERIC = re.compile(r"(?P<d>\d{1,2})[/\-.](?P<m>\d{1,2})[/\-.](?P<y>\d{4})")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[Tt ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?")
_RFC822 = re.compile(r"^[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}")
_TIME = re.compile(r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?\s*(?P<ampm>ص|م|am|pm)?(?!\w)", re.IGNORECASE)
_WEEKDAYS = ["الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت", "الاحد"]
_DATE_LINE_HINT = re.compile(rf"\d{{4}}|{'|'.join(map(normalize_text, _WEEKDAYS))}")


def parse_date(text: str) -> str | None:
    """Parse a date (and time, when given) to ISO 8601; ``None`` when no date is found."""
    raw = text.strip()
    if not raw:
        return None
    if _RFC822.match(raw):
        try:
            return parsedate_to_datetime(raw).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    norm = normalize_text(raw)
    m = _ISO.search(norm)
    if m:
        date = _build(m["y"], m["m"], m["d"])
        if date and m["H"]:
            return f"{date}T{m['H']}:{m['M']}:{m['S'] or '00'}"
        return date
    m = _NAMED.search(norm)
    date = _build(m["y"], str(MONTHS[m["m"].lower()]), m["d"]) if m else None
    if date is None:
        m = _NUMERIC.search(norm)
        date = _build(m["y"], m["m"], m["d"]) if m else None
    if date is None:
        try:
            return parsedate_to_datetime(raw).isoformat()
        except (TypeError, ValueError, IndexError):
            return None
    rest = norm[: m.start()] + " " + norm[m.end():]
    t = _TIME.search(rest)
    if t:
        hour = int(t["H"])
        ampm = (t["ampm"] or "").lower()
        if ampm in ("م", "pm") and hour < 12:
            hour += 12
        elif ampm in ("ص", "am") and hour == 12:
            hour = 0
        if hour < 24:
            return f"{date}T{hour:02d}:{t['M']}:00"
    return date


def looks_like_date_line(line: str) -> bool:
    """True for a short line that holds a date (the second line of the seed layout)."""
    return len(line) < 80 and bool(_DATE_LINE_HINT.search(normalize_text(line))) and parse_date(line) is not None


def _build(y: str, m: str, d: str) -> str | None:
    try:
        return datetime(int(y), int(m), int(d)).date().isoformat()
    except ValueError:
        return None
