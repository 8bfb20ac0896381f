"""Which ``vrgan`` modules a script uses: its imports, followed name by name, read from the source.

The workflow declares these files as code inputs of the rule that runs the script, so that editing
a module re-runs exactly the stages that use it (Snakemake compares input and output times).

A script *uses* a module when it imports it or imports a name defined in it; the modules they
use are followed transitively. A name imported from a package (``from vrgan.xray import
load_maps``) is traced through the package's ``__init__.py`` to the module that defines it
(``vrgan/xray/ground_truth.py``): re-exporting a name does not make the stage depend on every
sibling module the ``__init__.py`` imports, so editing ``vrgan/xray/figure.py`` does not re-run the
registration. A package that exports its names lazily (``vrgan.lazy``: its ``__init__.py`` imports
nothing, its stub ``__init__.pyi`` says where each name comes from) is read through its stub: its
names are traced the same way, and using the package object itself uses every module of the stub,
as it would use every module an eager ``__init__.py`` imports. Imports under ``if TYPE_CHECKING:``
do not count. Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = ["modules_used_by"]


def modules_used_by(script: str | os.PathLike[str], root: str | os.PathLike[str] = ".", package: str = "vrgan") -> list[str]:
    """The ``package`` modules ``script`` uses, transitively, as sorted paths relative to ``root``.

    Parameters
    ----------
    script : path-like
        A Python file (a workflow script, or a module of the package itself).
    root : path-like
        The folder holding the package folder (the repository root).
    package : str
        The top-level package whose modules are listed; other imports are ignored.

    Returns
    -------
    list of str
        For example ``["vrgan/metrics.py", "vrgan/toy.py"]``; ``script`` itself only if it is a
        module of the package that another used module imports.

    Raises
    ------
    FileNotFoundError
        If ``script`` does not exist.
    ValueError
        If ``script`` imports a module of ``package`` that does not exist.
    """
    graph = _Graph(Path(root).resolve(), package)
    todo = list(graph.used_by_file(Path(script).resolve()))
    used: set[str] = set()
    while todo:
        module = todo.pop()
        if module not in used:
            used.add(module)
            todo.extend(graph.used_by_file(graph.file_of(module)))
    return sorted(graph.file_of(m).relative_to(graph.root).as_posix() for m in used)


@dataclass
class _Graph:
    root: Path
    package: str
    _files: dict[str, Path | None] = field(default_factory=dict)

    def file_of(self, module: str) -> Path:
        found = self.find(module)
        if found is None:
            raise ValueError(f"no module {module} under {self.root}")
        return found

    def find(self, module: str) -> Path | None:
        """The file of ``module`` (a ``.py`` file or a package's ``__init__.py``), or None."""
        if module not in self._files:
            base = self.root.joinpath(*module.split("."))
            candidates = (base.with_suffix(".py"), base / "__init__.py")
            self._files[module] = next((c for c in candidates if c.is_file()), None)
        return self._files[module]

    def is_package(self, module: str) -> bool:
        found = self.find(module)
        return found is not None and found.name == "__init__.py"

    def module_name(self, file: Path) -> str | None:
        try:
            parts = file.relative_to(self.root).with_suffix("").parts
        except ValueError:
            return None
        if not parts or parts[0] != self.package:
            return None
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def used_by_file(self, file: Path) -> set[str]:
        """Modules of the package that the code in ``file`` uses directly."""
        name = self.module_name(file)
        if name is None:
            current_package = ""
        else:
            current_package = name if file.name == "__init__.py" else name.rpartition(".")[0]
        used: set[str] = set()
        for node in _imports_of(file):
            if isinstance(node, ast.Import):
                used |= {alias.name for alias in node.names if self._inside(alias.name)}
                continue
            source = _absolute(node, current_package)
            if not self._inside(source):
                continue
            for alias in node.names:
                used |= self.defining_modules(source, alias.name, frozenset())
        for module in used:
            self.file_of(module)  # fail on a missing module, naming it
        return used

    def defining_modules(self, source: str, name: str, seen: frozenset[tuple[str, str]]) -> set[str]:
        """Where ``from source import name`` takes ``name`` from: a submodule, the module that
        defines it (through re-exports), or ``source`` itself."""
        if name == "*" or (source, name) in seen:
            return {source}
        if self.find(f"{source}.{name}") is not None:
            return {f"{source}.{name}"}
        if not self.is_package(source):
            return {source}
        for node in _imports_of(self.file_of(source)):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        origin = _absolute(node, source)
                        if self._inside(origin):
                            return self.defining_modules(origin, alias.name, seen | {(source, name)})
        return {source}  # defined in the __init__.py itself

    def _inside(self, module: str) -> bool:
        return module == self.package or module.startswith(f"{self.package}.")


@cache
def _parse_cached(path: str, mtime_ns: int) -> ast.Module:
    return ast.parse(Path(path).read_text(), filename=path)


def _parse(file: Path) -> ast.Module:
    return _parse_cached(str(file), file.stat().st_mtime_ns)


def _imports_of(file: Path) -> list[ast.Import | ast.ImportFrom]:
    """The imports that run with ``file``; for a package's ``__init__.py`` with a stub
    ``__init__.pyi`` beside it, also every import of the stub: the names it imports are imported
    on first use (``vrgan.lazy``), so they are the package's exports as surely as eager ones."""
    found = _runtime_imports(_parse(file))
    stub = file.with_suffix(".pyi")
    if file.name == "__init__.py" and stub.is_file():
        found += _runtime_imports(_parse(stub))
    return found


def _absolute(node: ast.ImportFrom, current_package: str) -> str:
    """The absolute module name of ``from ... import``, relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    base = current_package.split(".") if current_package else []
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
