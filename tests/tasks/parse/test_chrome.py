"""Photo credits: found wherever the pattern allows, with or without the slash and parenthesis forms."""

from __future__ import annotations

import pytest

from tasks.parse import chrome


@pytest.mark.parametrize(
    "line",
    [
        "Protesters gather in the square. JACQUES DEMARTHON / AFP",
        "REUTERS/Jane Doe",
        "The mayor speaks to reporters (Photo: City Hall)",
        "Photo: Jane Doe",
        "Image copyright Getty Images",
        "© Jane Doe",
    ],
)
def test_credit_lines_are_credits_and_chrome(line: str) -> None:
    assert chrome.is_credit(line)
    assert chrome.is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "The photo: a crowd in the square, taken at noon.",  # "photo:" counts only at the start
        "Copyright law changed in 2019, the court said.",
        "He said the ratio was 3/4 of what it had been.",
        "Officials (who asked not to be named) said the plan was dropped.",
    ],
)
def test_text_mentioning_photos_or_slashes_is_no_credit(line: str) -> None:
    assert not chrome.is_credit(line)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("404 - Page not found", True),
        ("Error 404", True),
        ("Sorry, the page you were looking for is gone", True),
        ("The content you requested does not exist or is no longer available.", True),
        ("This ARTICLE has been removed", True),
        ("Why 404 errors matter to readers of the site", False),  # "404" opens no error notice mid-line
        ("Error 4040 was logged by the server", False),
        ("The minister said the page had been turned on the crisis.", False),
    ],
)
def test_error_notices_open_a_line_or_say_the_page_is_gone(line: str, error: bool) -> None:
    assert chrome.is_error_page(line) is error
    assert chrome.is_chrome(line) is error


def test_is_chrome_is_remembered_in_a_bounded_memo() -> None:
    # bounded: make eval's speed figure empties it before every pass (bench.evaluate._forget_lines)
    chrome.is_chrome.cache_clear()
    assert chrome.is_chrome("Share on Facebook") and chrome.is_chrome("Share on Facebook")
    info = chrome.is_chrome.cache_info()
    assert info.maxsize is not None and (info.hits, info.misses) == (1, 1)
