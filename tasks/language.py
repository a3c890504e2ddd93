"""Language of an article body (ISO 639-1), by py3langid's bundled model: nothing is downloaded."""

from __future__ import annotations

_SAMPLE_CHARS = 2000  # the first paragraphs decide; classifying whole long bodies buys nothing
UNDETERMINED = "und"


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there are no letters to judge by."""
    sample = text[:_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return UNDETERMINED
    import py3langid  # loads its bundled model once, on first use

    code, _ = py3langid.classify(sample)
    return str(code)
