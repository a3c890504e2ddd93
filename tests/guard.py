"""The suite's one rule about Prefect: only a test under tests/flows marked `e2e` runs a flow or a task
through Prefect's engine, starts a Prefect API server, or runs the CLI (typer's runner or a subprocess).
Everywhere else those entry points raise `Refused`, so a unit test that reaches one fails at once and
says why, instead of quietly paying for Prefect.

The entry points are wrapped once, when their module is first imported (an import hook, so a session that
never imports Prefect never pays for it), and consult `allowed`, which tests/conftest.py sets per test.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import itertools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

allowed = True  # outside a test (collection, session teardown) nothing is refused


class Refused(RuntimeError):
    """A test other than an e2e one under tests/flows reached Prefect's engine, a server or the CLI."""


def _guarded(what: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not allowed:
            raise Refused(f"{what} in a test not marked e2e under tests/flows: move it there and mark it e2e")
        return function(*args, **kwargs)

    guarded.__newsetl_guarded__ = True  # type: ignore[attr-defined]
    return guarded


def _wrap(owner: Any, names: Sequence[str], what: str) -> None:
    for name in names:
        function = getattr(owner, name)
        if not getattr(function, "__newsetl_guarded__", False):
            setattr(owner, name, _guarded(what, function))


def _itself(module: ModuleType) -> ModuleType:
    return module


# module -> (the object holding the entry points, given the module; their names; what the test did)
_ENTRY_POINTS: dict[str, tuple[Callable[[ModuleType], Any], tuple[str, ...], str]] = {
    "prefect.flow_engine": (_itself, ("run_flow", "run_flow_sync", "run_flow_async"), "a Prefect flow run"),
    "prefect.task_engine": (_itself, ("run_task", "run_task_sync", "run_task_async"), "a Prefect task run"),
    "prefect.server.api.server": (lambda m: m.SubprocessASGIServer, ("start",), "a Prefect API server"),
    "typer.testing": (lambda m: m.CliRunner, ("invoke",), "the CLI through typer's runner"),
    "click.testing": (lambda m: m.CliRunner, ("invoke",), "the CLI through click's runner"),
}


def _arm(module: ModuleType) -> None:
    owner, names, what = _ENTRY_POINTS[module.__name__]
    _wrap(owner(module), names, what)


class _ArmAfterExec(importlib.abc.Loader):
    """Runs the real loader, then wraps the module's entry points."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = module.__spec__.loader = self._loader  # the module sees its real loader
        self._loader.exec_module(module)
        _arm(module)


class _ArmOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if name not in _ENTRY_POINTS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _ArmAfterExec(spec.loader)
        return spec


# A subprocess that runs the CLI or Prefect: `newsetl ...`, `prefect ...`, `python -m flows.etl|prefect`,
# `python -c` code that names flows.etl, flows.cli or prefect, or a server of Prefect's app (uvicorn
# serving prefect.server..., as flows.api_server starts it).
_CLI_PROGRAMS = {"newsetl", "prefect"}
_CLI_CODE = re.compile(r"\bflows\.(?:etl|cli)\b|\bprefect\b")


def runs_the_cli(args: object) -> bool:
    """Whether a subprocess's argv starts the CLI, a flow or a Prefect command."""
    if isinstance(args, str | bytes | os.PathLike):
        argv = [os.fsdecode(args)]
    else:
        argv = [os.fsdecode(a) for a in args]  # type: ignore[union-attr]
    if not argv:
        return False
    if os.path.basename(argv[0]) in _CLI_PROGRAMS or any(a.startswith("prefect.server") for a in argv[1:]):
        return True
    for flag, value in itertools.pairwise(argv[1:]):
        if flag == "-m" and value.split(".")[0] in {"flows", "prefect"}:
            return True
        if flag == "-c" and _CLI_CODE.search(value):
            return True
    return False


def _guarded_popen_init(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def __init__(self: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:
        if not allowed and runs_the_cli(args):
            what = f"the CLI or Prefect as a subprocess ({args!r})"
            raise Refused(f"{what} in a test not marked e2e under tests/flows")
        init(self, args, *rest, **kwargs)

    __init__.__newsetl_guarded__ = True  # type: ignore[attr-defined]
    return __init__


def install() -> None:
    """Wrap what is imported already; wrap the rest when it is imported."""
    for name in _ENTRY_POINTS:
        if name in sys.modules:
            _arm(sys.modules[name])
    if not any(isinstance(f, _ArmOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _ArmOnImport())
    if not getattr(subprocess.Popen.__init__, "__newsetl_guarded__", False):
        subprocess.Popen.__init__ = _guarded_popen_init(subprocess.Popen.__init__)  # type: ignore[method-assign]
