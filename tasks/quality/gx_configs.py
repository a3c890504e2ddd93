"""GX's expectation configurations built once per expectation per validation, not at every lookup.

GX 1.x rebuilds an expectation's configuration from its pydantic fields (`Expectation.configuration`:
`.dict()`, then a new ExpectationConfiguration) each time it reads one of its kwargs, and validating a
suite reads them about fifteen times per expectation (domain, success and runtime kwargs, each looked up
key by key, for the metric graph and again for the result). That is a third of GX's time per batch, and
that time does not depend on the rows. `memoised_configurations()` keeps each expectation's
configuration for the validations run inside it: the expectation objects GX builds for one validation
are not changed while it runs, so the configuration read is the one GX would have built (the same checks
and results, tests/tasks/quality). Outside it, GX is as shipped.

Inside it too, the ids GX gives the kwargs of each metric it computes (`IDDict.to_id`: the kwargs made
JSON-serialisable, dumped and hashed, twice for every metric configuration, thousands per validation) are
kept by the kwargs' exact text, across validations: they name a column, a batch definition, a result
format and an expectation's own values, not the rows, so a worker's warm-up batch computes nearly all of
them and the batches' forked children inherit them. Only kwargs of plain values (text, numbers, None,
lists and dicts of them) are kept, whose text says exactly what they hold; any other goes to GX's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partialmethod
from typing import Any

# One memo at a time: the property is the class's, shared by every thread. Callers hold their Validator's
# lock (held across fork by tasks.watchdog), so no fork happens while the class is patched.
_LOCK = threading.Lock()


@contextmanager
def memoised_configurations() -> Iterator[None]:
    """Inside: `Expectation.configuration` built once per expectation object; restored on leaving."""
    from great_expectations.core.id_dict import IDDict
    from great_expectations.expectations.expectation import Expectation

    shipped, shipped_id = Expectation.__dict__["configuration"], IDDict.__dict__["to_id"]
    built: dict[int, tuple[Any, Any]] = {}  # id -> (the expectation, kept so the id stays its; config)

    def configuration(expectation: Any) -> Any:
        kept = built.get(id(expectation))
        if kept is None or kept[0] is not expectation:
            kept = built[id(expectation)] = (expectation, shipped.fget(expectation))
        return kept[1]

    with _LOCK:
        Expectation.configuration = property(configuration, doc=shipped.__doc__)
        IDDict.to_id = partialmethod(_kept_id, shipped_id)
        try:
            yield
        finally:
            Expectation.configuration = shipped
            IDDict.to_id = shipped_id
            built.clear()


_IDS: dict[tuple[type, frozenset[str], str], Any] = {}  # kwargs' exact text -> their id, in this process
_MAX_IDS = 100_000  # a bound, far above the few hundred a run's suites make


def _kept_id(
    kwargs: Any, shipped: Callable[..., Any], id_keys: Any = None, id_ignore_keys: Any = None
) -> Any:
    """IDDict.to_id (`shipped`), kept by the kwargs' exact text when they hold plain values only."""
    if id_keys is not None or id_ignore_keys is not None or not _plain(kwargs):
        return shipped(kwargs, id_keys, id_ignore_keys)
    key = (type(kwargs), frozenset(kwargs._id_ignore_keys), repr(sorted(kwargs.items())))
    kept = _IDS.get(key)
    if kept is None:
        if len(_IDS) >= _MAX_IDS:
            _IDS.clear()
        kept = _IDS[key] = shipped(kwargs)
    return kept


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """Text, numbers, None, or lists, tuples and string-keyed dicts of them: values whose repr is exact."""
    if type(value) in _SCALARS:
        return True
    if type(value) in (list, tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False
