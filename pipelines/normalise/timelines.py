"""Timeline text -> due_start, due_end, recurrence. Event-relative forms keep the event and no date:
a date is never guessed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from pipelines.normalise.provinces import fold

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Timeline:
    due_start: dt.date | None
    due_end: dt.date | None
    recurrence: str | None  # continuous | annual | semiannual | quarterly | monthly, comma-separated
    kind: str  # dated | deadline | recurring | event | phased | unparsed | empty
    event: str | None = None  # the event a date depends on, as written


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _recurrence(k: str) -> list[str]:
    # folded text: "hàng" and "hằng" both read "hang"
    out = []
    if "thuong xuyen" in k or "lien tuc" in k:
        out.append("continuous")
    if re.search(r"\b6 thang\b|\bsau thang\b|hang 6 thang", k):
        out.append("semiannual")
    if re.search(r"\bhang quy\b|\bmoi quy\b", k):
        out.append("quarterly")
    if re.search(r"\bhang thang\b", k):
        out.append("monthly")
    if re.search(r"\bhang nam\b|cac nam tiep theo|(^|[;,]\s*)nam\s*$|(^|[;,]\s*)nam\s*[;,]", k):
        out.append("annual")
    return out


_EVENT = re.compile(r"^(sau khi|theo|khi|ngay sau|tuy theo|can cu)\b")


def parse_timeline(text: str | None) -> Timeline:
    if not text or not text.strip():
        return Timeline(None, None, None, "empty")
    k = fold(text).replace("–", "-")
    rec = _recurrence(k)
    recurrence = ",".join(rec) or None

    # "Đợt 1: Tháng 02-5/2020 Đợt 2: Tháng 6-11/2020": the span of all phases
    phases = re.findall(r"thang\s*(\d{1,2})\s*-\s*(\d{1,2})\s*/\s*(\d{4})", k)
    if "dot" in k and phases:
        starts = [dt.date(int(y), int(a), 1) for a, _b, y in phases]
        ends = [_month_end(int(y), int(b)) for _a, b, y in phases]
        return Timeline(min(starts), max(ends), recurrence, "phased")

    m = re.search(r"truoc ngay\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", k)
    if m:
        d, mo, y = map(int, m.groups())
        return Timeline(None, dt.date(y, mo, d), recurrence, "deadline")

    m = re.search(r"quy\s+([ivx\d]+(?:\s*(?:,|va|-)\s*[ivx\d]+)*)\s*(?:nam|/)\s*(\d{4})", k)
    if m:
        qs = [_ROMAN[q] for q in re.findall(r"[ivx]+|\d", m.group(1)) if q in _ROMAN]
        y = int(m.group(2))
        if qs:
            return Timeline(dt.date(y, 3 * min(qs) - 2, 1), _month_end(y, 3 * max(qs)), recurrence, "dated")

    m = re.search(r"thang\s*(\d{1,2})\s*-\s*(\d{1,2})\s*/\s*(\d{4})", k)
    if m:
        a, b, y = map(int, m.groups())
        return Timeline(dt.date(y, a, 1), _month_end(y, b), recurrence, "dated")

    m = re.search(r"thang\s*(\d{1,2})\s*/\s*(\d{4})", k) or re.search(r"thang\s*(\d{1,2})\s+nam\s+(\d{4})", k)
    if m:
        mo, y = map(int, m.groups())
        return Timeline(dt.date(y, mo, 1), _month_end(y, mo), recurrence, "dated")

    m = re.search(r"nam\s+(\d{4})\s+va\s+cac\s+nam\s+tiep\s+theo", k)
    if m:
        y = int(m.group(1))
        return Timeline(dt.date(y, 1, 1), None, recurrence or "annual", "recurring")

    m = re.search(r"(?:trong\s+)?nam\s+(\d{4})(?:\s*-\s*(\d{4}))?", k)
    if m and not _EVENT.match(k):
        y0 = int(m.group(1))
        y1 = int(m.group(2)) if m.group(2) else y0
        return Timeline(dt.date(y0, 1, 1), dt.date(y1, 12, 31), recurrence, "dated")

    if _EVENT.match(k):
        return Timeline(None, None, recurrence, "event", text.strip())
    if rec:
        return Timeline(None, None, recurrence, "recurring")
    return Timeline(None, None, None, "unparsed")
