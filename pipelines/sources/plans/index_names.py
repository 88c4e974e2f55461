"""Which indices (PAPI, PAR Index, PCI, SIPAS) a document is about, from its title or its text."""

from __future__ import annotations

import re


def indices_named(title: str | None, text: str) -> list[str]:
    """The indices a document is about: those its title names, else those its text names."""

    def scan(s: str, weak_once: bool) -> list[str]:
        # each pattern only where its words are in the lowered text (a pattern that ignores case is tried at every
        # character: 0.7 ms for a long text that names no index); all of them when a letter that ignoring case
        # matches with "i" or "s" lowers to something else ("İ", "ı", "ſ")
        low = None if "İ" in s or "ı" in s or "ſ" in s else s.lower()

        def may(*words: str) -> bool:
            return low is None or all(w in low for w in words)

        out = []
        if "PAPI" in s and re.search(r"\bPAPI\b", s):
            out.append("PAPI")
        if (
            (may("par", "index") or may("chỉ số cải cách hành chính") or may("chỉ số cchc"))
            and re.search(r"PAR\s*INDEX|chỉ số cải cách hành chính|chỉ số CCHC", s, re.IGNORECASE)
        ) or (
            # the work the index measures, named as the document's subject: in its title, or again and again in its
            # text; one passing mention ("… gắn với công tác cải cách hành chính") is not what the plan is about
            may("công tác cải cách hành chính")
            and len(re.findall(r"công tác cải cách hành chính", s, re.IGNORECASE)) >= (1 if weak_once else 3)
        ):
            out.append("PAR_INDEX")
        if (may("pci") or may("năng lực cạnh tranh cấp tỉnh")) and re.search(
            r"\bPCI\b|năng lực cạnh tranh cấp tỉnh", s, re.IGNORECASE
        ):
            out.append("PCI")
        if (may("sipas") or may("chỉ số hài lòng")) and re.search(r"\bSIPAS\b|chỉ số hài lòng", s, re.IGNORECASE):
            out.append("SIPAS")
        return out

    found = scan(title or "", True)
    return found or scan(text, False)
