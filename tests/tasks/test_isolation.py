from __future__ import annotations

from collections.abc import Sequence

import pytest

from tasks.isolation import describe, isolated


def _doubled_unless_13(part: Sequence[int]) -> list[int]:
    if 13 in part:
        raise ValueError(f"13 in {len(part)} items")
    return [2 * i for i in part]


def test_the_failing_item_is_found_and_every_other_result_kept() -> None:
    calls: list[int] = []

    def step(part: Sequence[int]) -> list[int]:
        calls.append(len(part))
        return _doubled_unless_13(part)

    results, failed = isolated(list(range(20)), step)
    assert sorted(results) == [2 * i for i in range(20) if i != 13]
    assert [(item, str(exc)) for item, exc in failed] == [(13, "13 in 1 items")]
    assert sum(calls) <= 20 * 6  # halving: about one extra pass per level, never item by item alone


def test_a_step_that_succeeds_runs_once_over_everything() -> None:
    calls: list[int] = []
    results, failed = isolated([1, 2, 3], lambda part: calls.append(len(part)) or list(part))
    assert (results, failed, calls) == ([1, 2, 3], [], [3])
    assert isolated([], _doubled_unless_13) == ([], [])


def test_exceptions_that_are_not_an_items_fault_propagate() -> None:
    with pytest.raises(KeyError):
        isolated([1, 2, 3], lambda part: (_ for _ in ()).throw(KeyError("whole batch")), reraise=(KeyError,))


def test_describe_names_the_type_and_cuts_long_messages() -> None:
    assert describe(ValueError("bad")) == "ValueError: bad"
    assert len(describe(RuntimeError("x" * 5000))) == 500
