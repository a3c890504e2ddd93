"""Decoding: a record's bytes -> text and the encoding it was in, or a DecodeError saying why not."""

from __future__ import annotations

import codecs

import charset_normalizer

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
# The C0 control bytes text does not hold: in every ASCII-compatible encoding each is a character of its own
_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in _ALLOWED_CONTROLS)
# More control characters (NUL bytes included) than this and the "text" is binary; a few stray ones in a
# served page (a CMS pasting NULs after an image tag) leave it the text it is.
_MAX_CONTROL_SHARE = 0.01
_CHAOS_TOLERANCE = 0.1  # charset-normalizer candidates this close in chaos compete on coherence
# Unlabelled single-byte news text is far more often Windows-1252 than its look-alikes (the WHATWG
# default for unlabelled Western pages); short samples score near-equal, so this prior breaks ties.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_WESTERN_BONUS = 0.05


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; reason_code names why."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a file's bytes: BOM, then strict UTF-8, then charset-normalizer."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding).lstrip("\ufeff")), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    "undecodable", f"has a {encoding} BOM but is not {encoding}: {exc}"
                ) from exc
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):  # UTF-16 without a BOM, an image, a zip
        raise DecodeError("binary", f"{controls} control bytes in {len(data)} (NUL: {data.count(0)})")
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # a multi-byte character cut off at the very end
            return _checked(data[: exc.start].decode("utf-8")), "utf-8"
    return _decode_guessed(data)


def _decode_guessed(data: bytes) -> tuple[str, str]:
    """Decode with charset-normalizer, choosing among its candidates by language fit, then chaos.

    charset-normalizer ranks by chaos alone, so a text with one stray high byte (BBC sport/199.txt:
    a latin-1 pound sign) comes back as cp932 with no language fit at all. We keep the candidates
    near the least chaos, drop those whose text fits no language when others do, and prefer
    Windows-1252 among near-equals.
    """
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise DecodeError("undecodable", "no text encoding fits these bytes")
    least_chaos = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= least_chaos + _CHAOS_TOLERANCE]
    best_fit = max(m.coherence for m in close)
    if best_fit > 0:
        close = [m for m in close if m.coherence >= best_fit - _CHAOS_TOLERANCE]
    best = min(close, key=lambda m: (m.chaos - _WESTERN_BONUS * _is_western(m), -m.coherence))
    text = str(best)
    if _is_western(best) and best.encoding not in _WESTERN:
        return _checked(text), "cp1252"  # same text; name the encoding a reader would expect
    return _checked(text), best.encoding


def _is_western(match: charset_normalizer.CharsetMatch) -> bool:
    return any(name in _WESTERN for name in match.could_be_from_charset)


def _checked(text: str) -> str:
    """The text without its stray NUL characters, unless it is mostly control characters (binary data that
    happened to decode)."""
    controls = sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS)
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise DecodeError("binary", f"{controls} control characters in {len(text)}")
    return text.replace("\x00", "") if controls else text
