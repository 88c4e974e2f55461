"""The matching key every mapping file is compared in: accents folded, punctuation dropped,
abbreviations expanded. "Sở TT&TT" and "Sở Thông tin và Truyền thông" share one key."""

from __future__ import annotations

import re

from pipelines.normalise.provinces import fold

ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tt&tt": "thong tin va truyen thong",
    "ldtb&xh": "lao dong thuong binh va xa hoi",
    "gd&dt": "giao duc va dao tao",
    "tn&mt": "tai nguyen va moi truong",
    "kh&dt": "ke hoach va dau tu",
    "kh&cn": "khoa hoc va cong nghe",
    "gtvt": "giao thong van tai",
    "mttq": "mat tran to quoc",
    "cchc": "cai cach hanh chinh",
    "tthc": "thu tuc hanh chinh",
    "qppl": "quy pham phap luat",
    "cbccvc": "can bo cong chuc vien chuc",
    "ttdt": "thong tin dien tu",
    "cntt": "cong nghe thong tin",
    "bhxh": "bao hiem xa hoi",
    "vp": "van phong",
    "tp": "thanh pho",
}

PAREN = re.compile(r"\([^)]*\)")
PUNCT = re.compile(r"[,;:.()\[\]\"“”'’…/–—-]+")


def match_key(text: str, drop_parentheses: bool = True) -> str:
    s = fold(PAREN.sub(" ", text) if drop_parentheses else text)
    s = PUNCT.sub(" ", s)
    return " ".join(ABBREVIATIONS.get(tok, tok) for tok in s.split())


def contains(key: str, sub: str) -> int:
    """Token position of `sub` inside `key` (both match keys), or -1."""
    k, s = key.split(), sub.split()
    for i in range(len(k) - len(s) + 1):
        if k[i : i + len(s)] == s:
            return i
    return -1
