"""GX's expectation configurations built once per expectation per validation, not at every lookup.

GX 1.x rebuilds an expectation's configuration from its pydantic fields (`Expectation.configuration`:
`.dict()`, then a new ExpectationConfiguration) each time it reads one of its kwargs, and validating a
suite reads them about fifteen times per expectation (domain, success and runtime kwargs, each looked up
key by key, for the metric graph and again for the result). That is a third of GX's time per batch, and
that time does not depend on the rows. `memoised_configurations()` keeps each expectation's
configuration for the validations run inside it: the expectation objects GX builds for one validation
are not changed while it runs, so the configuration read is the one GX would have built (the same checks
and results, tests/tasks/quality). Outside it, GX is as shipped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# One memo at a time: the property is the class's, shared by every thread. Callers hold their Validator's
# lock (held across fork by tasks.watchdog), so no fork happens while the class is patched.
_LOCK = threading.Lock()


@contextmanager
def memoised_configurations() -> Iterator[None]:
    """Inside: `Expectation.configuration` built once per expectation object; restored on leaving."""
    from great_expectations.expectations.expectation import Expectation

    shipped = Expectation.__dict__["configuration"]
    built: dict[int, tuple[Any, Any]] = {}  # id -> (the expectation, kept so the id stays its; config)

    def configuration(expectation: Any) -> Any:
        kept = built.get(id(expectation))
        if kept is None or kept[0] is not expectation:
            kept = built[id(expectation)] = (expectation, shipped.fget(expectation))
        return kept[1]

    with _LOCK:
        Expectation.configuration = property(configuration, doc=shipped.__doc__)
        try:
            yield
        finally:
            Expectation.configuration = shipped
            built.clear()
