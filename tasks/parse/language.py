"""Language of an article body (ISO 639-1), by py3langid's bundled model: nothing is downloaded."""

from __future__ import annotations

from tasks import vocab

# The opening of the body decides: langid's cost grows with the sample (600 characters took a sixth of the
# parse time), and on the development pages 300 gave the same answers as 600.
_SAMPLE_CHARS = 300
UNDETERMINED = "und"
# English function words that are no common word of another language written in Latin letters ("to" is
# Polish and Czech, "for" Danish, "is" and "was" Dutch and German). Running English text has about one
# in six of its words among them, other languages next to none: a sample this rich in them is English
# without asking the model, which costs a tenth of the parse stage.
_ENGLISH = frozenset(vocab.words("english_markers"))
_ENGLISH_SHARE = 0.08  # English news: 0.06-0.3 of a 300-character sample; other languages: 0.0 on the corpora
_MIN_WORDS = 20  # below this a share says little: the model decides
_KINDS = 4  # of them, different: a quoted English title ("The Best of the Year and the Rest") has three


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there are no letters to judge by."""
    sample = text[:_SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return UNDETERMINED
    words = sample.lower().split()[:-1]  # the last word may be cut by the sample's end
    found = [w for w in words if w in _ENGLISH]
    if len(words) >= _MIN_WORDS and len(found) >= _ENGLISH_SHARE * len(words) and len(set(found)) >= _KINDS:
        return "en"
    import py3langid  # loads its bundled model once, on first use

    code, _ = py3langid.classify(sample)
    return str(code)
