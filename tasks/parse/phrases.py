"""Case-insensitive searches for lowercase words and phrases, fast on ASCII lines.

Python's re folds case at every position it tries, and a search for a few phrases tries every position of
a line: in the chrome and header rules that was a tenth of the parse time. An ASCII character folds only to
an ASCII letter of the other case, so in an ASCII line the case-insensitive pattern matches exactly where
the same pattern, case-sensitive, matches the line lowered (same length, same positions, same word
boundaries); that search skips most positions at the first character. Other lines are searched as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    """A pattern of lowercase literals matched ignoring case: whether, and how often, a line holds it."""

    folding: re.Pattern[str]  # the pattern with re.IGNORECASE, for lines with non-ASCII characters
    lowered: re.Pattern[str]  # the same pattern, case-sensitive, for ASCII lines lowered

    @classmethod
    def compile(cls, pattern: str, flags: int = 0) -> Phrases:
        """Raises ValueError for a pattern with capitals: its lowered form would not match what it says."""
        if pattern != pattern.lower():
            raise ValueError(f"a Phrases pattern is written in lowercase: {pattern[:60]!r}")
        return cls(re.compile(pattern, flags | re.IGNORECASE), re.compile(pattern, flags & ~re.IGNORECASE))

    def search(self, line: str) -> bool:
        """True when the pattern matches somewhere in the line."""
        if line.isascii():
            return self.lowered.search(line.lower()) is not None
        return self.folding.search(line) is not None

    def match(self, line: str) -> bool:
        """True when the pattern matches at the line's start."""
        if line.isascii():
            return self.lowered.match(line.lower()) is not None
        return self.folding.match(line) is not None

    def count(self, line: str) -> int:
        """Non-overlapping matches in the line."""
        if line.isascii():
            return len(self.lowered.findall(line.lower()))
        return len(self.folding.findall(line))
