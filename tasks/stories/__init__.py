"""Near-duplicates and stories: each article's `duplicate_of` and `story_id`, assigned at commit.

A batch worker turns each kept article into two MinHash signatures (tasks.stories.signatures): one of its
body's word shingles (the same text up to chrome, small edits and a cut end), one of its content words and
entity names (the same story told in other words). The run's Settler assigns, in batch order, each article
against the index of everything committed before it (tasks.stories.index): the warehouse's `story_index`
table, loaded once per run, plus the earlier batches and articles of the run. The index rows are committed
with the articles, in the same atomic commit, so a killed run leaves no half index; a rebuild recomputes
them. Thresholds and the same-story model are data: tasks/stories/model.json and story_model.json, written
by bench/train_stories.py.
"""

from __future__ import annotations

from tasks.stories.index import Index, assign_batch, load_index
from tasks.stories.signatures import MODEL, signatures_table

__all__ = ["MODEL", "Index", "assign_batch", "load_index", "signatures_table"]
