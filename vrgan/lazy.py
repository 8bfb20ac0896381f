"""Lazy exports of a package (PEP 562): the names its ``__init__.pyi`` imports are loaded on first use.

A package whose ``__init__.py`` imports all its submodules makes every import below it pay for
all of them: ``from vrgan.training.settings import METHODS`` imported torch, and
``from vrgan.cohort.export import check_export`` pydicom and matplotlib. The workflow's
Snakefile needs only such light names, so the machine that merely plans and submits jobs needed
the whole GPU stack. A package's ``__init__.py`` therefore only calls ``attach_stub``, and its
stub ``__init__.pyi`` beside it keeps the ordinary ``from .module import name`` statements and
``__all__``: type checkers read the stub, ``vrgan_workflow.imports`` traces names through it, and
``attach_stub`` reads it to import a name's module when the name is first asked for (the
convention of the Scientific Python SPEC 1, ``lazy_loader.attach_stub``, without the dependency).

Usage, as the whole of a package's ``__init__.py`` (after its docstring)::

    from vrgan.lazy import attach_stub

    __getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["attach_stub", "stub_exports"]


def attach_stub(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """The ``__getattr__``, ``__dir__`` and ``__all__`` of ``package``, serving its stub's exports lazily.

    Parameters
    ----------
    package : str
        The package's name (its ``__name__``).
    init_file : str
        Its ``__init__.py`` (its ``__file__``); the stub is ``__init__.pyi`` in the same folder.

    Returns
    -------
    __getattr__ : callable
        Imports the module a name comes from on first access and keeps the value in the package,
        so later look-ups do not come back here. Other names raise ``AttributeError``; a
        submodule is still found by the import system (``from vrgan.training import loop``).
    __dir__ : callable
        The package's attributes and every export, loaded or not.
    __all__ : list of str
        The stub's ``__all__``, so ``from package import *`` loads every export.

    Raises
    ------
    ValueError
        If the stub is not as ``stub_exports`` needs it.
    """
    exports = stub_exports(Path(init_file).with_name("__init__.pyi"), package)

    def __getattr__(name: str) -> Any:
        try:
            module, attribute = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        if module == package:  # ``from . import flow`` in the stub: a submodule
            value = importlib.import_module(f"{package}.{attribute}")
        else:
            value = getattr(importlib.import_module(module), attribute)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__, list(exports)


def stub_exports(stub: Path, package: str) -> dict[str, tuple[str, str]]:
    """Each name of the stub's ``__all__`` -> (absolute module, attribute) it is imported from.

    Parameters
    ----------
    stub : Path
        The package's ``__init__.pyi``.
    package : str
        The package's name, against which relative imports are resolved.

    Returns
    -------
    dict
        In the order of ``__all__``; ``from .ingest import ingest_export as run`` gives
        ``{"run": ("vrgan.cohort.ingest", "ingest_export")}``.

    Raises
    ------
    ValueError
        If the stub does not assign ``__all__`` a literal list of strings, or a name in it is not
        imported by a ``from ... import`` statement of the stub (the stub declares every export).
    """
    tree = ast.parse(stub.read_text(), filename=str(stub))
    imported: dict[str, tuple[str, str]] = {}
    declared: list[str] | None = None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            for alias in node.names:
                imported[alias.asname or alias.name] = (module, alias.name)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                declared = ast.literal_eval(node.value)
            except ValueError:
                declared = None
    if not isinstance(declared, list) or not all(isinstance(name, str) for name in declared):
        raise ValueError(f"{stub}: needs __all__ = [...], a literal list of the names it exports")
    missing = [name for name in declared if name not in imported]
    if missing:
        raise ValueError(f"{stub}: {', '.join(missing)} in __all__ but not imported by a 'from ... import' of the stub")
    return {name: imported[name] for name in declared}
