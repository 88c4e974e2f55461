"""Turn the bytes of a raw plan file into normalised text, or a reason why not.

Plain functions, no Dagster: the ingestion asset is a thin wrapper over `decode_document`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from charset_normalizer import from_bytes

# Vietnamese plans arrive in these encodings; restricting the detector to them stops it
# from "finding" Cyrillic or Greek code pages in short Windows-1258 files.
_CANDIDATE_CODEPAGES = ["utf_8", "cp1258", "utf_16", "utf_16_le", "utf_16_be"]

# Vietnamese-specific letters: a decoding that yields none of them in a long text is suspect.
VIET_CHARS = set("ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


class DecodeError(Exception):
    """A file that cannot become text: the message is the quarantine reason."""


@dataclass(frozen=True)
class DecodedText:
    text: str  # NFC, "\n" line endings, no BOM
    encoding: str  # what the bytes were: utf-8, utf-8-sig, utf-16-le, utf-16-be, cp1258
    sha256: str
    size_bytes: int
    cut_in_character: bool = False  # the bytes ended inside a multi-byte UTF-8 character (a truncated file)


def _utf8(data: bytes) -> tuple[str, bool]:
    """Strict UTF-8, except that bytes ending inside a multi-byte character (a file cut off) decode with that last
    character replaced by U+FFFD: (text, cut). Any other invalid byte raises, so the detector is tried next."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data" and e.end == len(data) and len(data) - e.start < 4:
            return data[: e.start].decode("utf-8") + "\ufffd", True
        raise


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise_text(text: str) -> str:
    """NFC, LF line endings, no BOM, no NUL. Everything downstream counts lines in this text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.lstrip("\ufeff")
    # Windows-1258 writes tone marks as combining characters; NFC composes them.
    return unicodedata.normalize("NFC", text)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    ctrl = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return ctrl > max(8, len(sample) // 100)


def _utf16_without_bom(data: bytes) -> str | None:
    # ASCII-heavy UTF-16 has a NUL in every other byte.
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _utf16(data: bytes, encoding: str) -> tuple[str, bool]:
    """UTF-16 that may have been cut off: an odd last byte or half a surrogate pair at the end is replaced with
    U+FFFD and reported as cut; any other invalid sequence raises DecodeError."""
    cut = len(data) % 2 == 1
    body = data[:-1] if cut else data
    try:
        return body.decode(encoding) + ("\ufffd" if cut else ""), cut
    except UnicodeDecodeError as e:
        if e.end >= len(body) - 2:  # a lone high surrogate in the last code unit: cut between the two halves
            return body[: e.start].decode(encoding) + "\ufffd", True
        raise DecodeError(f"invalid {encoding} (byte {e.start}): not a text export of a plan") from None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise DecodeError with a human reason."""
    text, encoding, _ = decode_bytes_detail(data)
    return text, encoding


def decode_bytes_detail(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding name, cut inside a UTF-8 character). Raise DecodeError with a human reason."""
    if len(data.strip()) == 0:
        raise DecodeError("empty file (no bytes, or only white space)")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, cut = _utf8(data[3:])
            return text, "utf-8-sig", cut
        except UnicodeDecodeError:
            raise DecodeError("starts with a UTF-8 byte-order mark but is not UTF-8") from None
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            text, cut = _utf16(data[2:], encoding)
            return text, encoding, cut
    bom_less = _utf16_without_bom(data)
    if bom_less:
        try:
            text, cut = _utf16(data, bom_less)
            return text, bom_less, cut
        except DecodeError:
            pass
    if _looks_binary(data):
        raise DecodeError("binary content (NUL or control bytes): not a text export of a plan")
    try:
        text, cut = _utf8(data)
        return text, "utf-8", cut
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=_CANDIDATE_CODEPAGES).best()
    if best is None:
        raise DecodeError("undecodable: not UTF-8, UTF-16 or Windows-1258")
    text = str(best)
    encoding = best.encoding.replace("_", "-")
    if encoding not in ("cp1258", "utf-16", "utf-16-le", "utf-16-be"):
        raise DecodeError(f"undecodable: detector proposed {encoding}, not an encoding Vietnamese plans use")
    return text, encoding, False


def decode_document(data: bytes) -> DecodedText:
    text, encoding, cut = decode_bytes_detail(data)
    text = normalise_text(text)
    if "\x00" in text:
        raise DecodeError("binary content: NUL characters after decoding")
    if sum(1 for _ in islice(LETTER_RE.finditer(text), 20)) < 20:
        raise DecodeError("no readable text (fewer than 20 letters after decoding)")
    if len(text) > 2000 and not any(ch in VIET_CHARS for ch in text):
        raise DecodeError(f"decoded as {encoding} but contains no Vietnamese letters: wrong encoding or not a plan")
    return DecodedText(
        text=text, encoding=encoding, sha256=sha256_bytes(data), size_bytes=len(data), cut_in_character=cut
    )


def document_id_for(text: str) -> str:
    """Stable id: a hash of the normalised text, so re-encoding a file keeps its id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_WS = re.compile(r"\s+")
LETTER_RE = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1 << 15)  # cells and paragraphs are collapsed again by several readers
def collapse_ws(s: str) -> str:
    return " ".join(s.split())  # the same as _WS.sub(" ", s).strip() (both split on str.isspace), 2x faster
