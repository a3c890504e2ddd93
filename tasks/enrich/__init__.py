"""Enrichment: one extractor per module, each a pure function over articles (see mentions.py)."""
