"""The story views (issue 24): each story once, and each reported value of a count once per story.

A source is tasks.sources.source_of (a page's site, or the folder of a local file), kept per article in
story_index. Names are `name -> (the tables it reads, its SELECT)`, merged into views.DERIVED.
"""

from __future__ import annotations

TOP_NAMES = 5  # people, organisations and places listed per story, most mentioned first

_PEOPLE, _ORGANISATIONS = "x.label = 'PERSON'", "x.label = 'ORG'"
_STORY_ARTICLES = (
    "SELECT a.doc_id, a.story_id, a.published_at, a.title, s.source "
    "FROM articles a JOIN story_index s ON s.doc_id = a.doc_id"
)


def _top(table: str, where: str) -> str:
    """The story's most mentioned canonical names of `table` rows matching `where`, most mentioned first."""
    return (
        f"(SELECT list(canonical ORDER BY n DESC, canonical)[1:{TOP_NAMES}] FROM (SELECT canonical, count(*) "
        f"AS n FROM {table} x JOIN story_index i ON i.doc_id = x.doc_id WHERE i.story_id = g.story_id "
        f"AND {where} GROUP BY canonical))"
    )


STORY_VIEWS: dict[str, tuple[tuple[str, ...], str]] = {
    # One row per story: first and last publication (UTC), articles (duplicates included), sources (distinct
    # sites or folders), the title of its first article, its top people, organisations and places, and the
    # country its articles mention most (ISO-3166 alpha-2).
    "stories": (
        ("articles", "story_index", "entities", "locations"),
        f"SELECT g.story_id, min(g.published_at) AS first_published_at, max(g.published_at) AS "
        f"last_published_at, count(*) AS articles, count(DISTINCT g.source) AS sources, "
        f"first(g.title ORDER BY (g.doc_id = g.story_id) DESC, g.published_at) AS title, "
        f"{_top('entities', _PEOPLE)} AS people, "
        f"{_top('entities', _ORGANISATIONS)} AS organisations, "
        f"{_top('locations', 'true')} AS places, "
        f"(SELECT country_code FROM locations x JOIN story_index i ON i.doc_id = x.doc_id "
        f"WHERE i.story_id = g.story_id AND country_code IS NOT NULL GROUP BY country_code "
        f"ORDER BY count(*) DESC, country_code LIMIT 1) AS country_code "
        f"FROM ({_STORY_ARTICLES}) g GROUP BY g.story_id",
    ),
    # One row per story, count type, object and reported number: how many articles and sources reported it.
    # Where sources disagree (129 vs 130 killed) a story has one row per number.
    "story_facts": (
        ("event_counts", "story_index"),
        "SELECT i.story_id, c.count_type, c.object, c.number, count(DISTINCT c.doc_id) AS articles, "
        "count(DISTINCT i.source) AS sources FROM event_counts c JOIN story_index i ON i.doc_id = c.doc_id "
        "GROUP BY i.story_id, c.count_type, c.object, c.number",
    ),
    # One row per story, count type and object: the number most sources report (ties: the story's first
    # article's number, then the larger), how many different numbers were reported, and the story's first
    # publication: sum `number` over stories to count each story once.
    "story_counts": (
        ("event_counts", "story_index"),
        "SELECT f.story_id, f.count_type, f.object, "
        "first(f.number ORDER BY f.sources DESC, f.in_first DESC, f.number DESC) AS number, "
        "count(DISTINCT f.number) AS numbers_reported, max(f.sources) AS sources, "
        "min(f.first_published_at) AS first_published_at FROM (SELECT i.story_id, c.count_type, c.object, "
        "c.number, count(DISTINCT i.source) AS sources, bool_or(c.doc_id = i.story_id) AS in_first, "
        "(SELECT min(s.published_at) FROM story_index s WHERE s.story_id = i.story_id) AS first_published_at "
        "FROM event_counts c JOIN story_index i ON i.doc_id = c.doc_id GROUP BY ALL) f "
        "GROUP BY f.story_id, f.count_type, f.object",
    ),
}
