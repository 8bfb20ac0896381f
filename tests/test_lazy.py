"""vrgan.lazy: a package's stub exports, imported on first use; and the vrgan packages' stubs."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

from vrgan.lazy import stub_exports

REPO = Path(__file__).resolve().parents[1]
INIT = "from vrgan.lazy import attach_stub\n\n__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)\n"


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A fresh package ``lazypkg`` on sys.path: ``heavy`` and ``light`` exported by its stub; removed
    from sys.modules after the test."""
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "__init__.py").write_text(INIT)
    (root / "__init__.pyi").write_text(
        "from .heavy import Big as Renamed, big\nfrom lazypkg.light import small\nfrom . import light\n"
        "__all__ = ['Renamed', 'big', 'small', 'light']\n"
    )
    (root / "heavy.py").write_text("class Big:\n    pass\n\n\ndef big():\n    return 'big'\n")
    (root / "light.py").write_text("def small():\n    return 'small'\n")
    (root / "other.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    for name in [m for m in sys.modules if m == "lazypkg" or m.startswith("lazypkg.")]:
        del sys.modules[name]


def test_a_module_is_imported_when_one_of_its_names_is_first_used(package):
    pkg = importlib.import_module("lazypkg")
    assert "lazypkg.heavy" not in sys.modules and "lazypkg.light" not in sys.modules
    assert pkg.small() == "small"
    assert "lazypkg.light" in sys.modules and "lazypkg.heavy" not in sys.modules
    from lazypkg import Renamed, big

    assert Renamed is sys.modules["lazypkg.heavy"].Big and big() == "big"
    assert vars(pkg)["big"] is big  # kept: the next look-up does not import again


def test_all_dir_and_star_import_list_every_export(package):
    pkg = importlib.import_module("lazypkg")
    assert pkg.__all__ == ["Renamed", "big", "small", "light"]
    assert {"Renamed", "big", "small", "light"} <= set(dir(pkg))
    namespace = {}
    exec("from lazypkg import *", namespace)
    assert namespace["light"] is sys.modules["lazypkg.light"]  # ``from . import light``: the submodule
    assert namespace["Renamed"].__name__ == "Big"


def test_other_names_raise_attribute_error_and_submodules_still_import(package):
    pkg = importlib.import_module("lazypkg")
    with pytest.raises(AttributeError, match="module 'lazypkg' has no attribute 'missing'"):
        pkg.missing  # noqa: B018
    from lazypkg import other  # not an export: found by the import system

    assert other.VALUE == 1


@pytest.mark.parametrize(
    ("stub", "message"),
    [
        ("from .light import small\n", r"needs __all__ = \[\.\.\.\]"),
        ("from .light import small\n__all__ = ['small', 'tiny']\n", "tiny in __all__ but not imported"),
    ],
)
def test_a_stub_without_its_exports_stops_the_import(package, stub, message):
    (package / "__init__.pyi").write_text(stub)
    with pytest.raises(ValueError, match=message):
        importlib.import_module("lazypkg")


STUBS = sorted(REPO.glob("vrgan/**/__init__.pyi"))


def test_every_vrgan_package_exports_through_its_stub_and_imports_nothing_else():
    assert {s.parent for s in STUBS} == {p.parent for p in REPO.glob("vrgan/*/**/__init__.py")}
    for stub in STUBS:
        tree = ast.parse((stub.parent / "__init__.py").read_text())
        imports = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert imports == ["from vrgan.lazy import attach_stub"], stub


@pytest.mark.parametrize("stub", STUBS, ids=lambda s: s.parent.name)
def test_each_export_of_a_vrgan_package_is_the_object_its_module_defines(stub):
    name = stub.parent.relative_to(REPO).as_posix().replace("/", ".")
    package = importlib.import_module(name)
    exports = stub_exports(stub, name)
    assert package.__all__ == list(exports)
    for export, (module, attribute) in exports.items():
        assert getattr(package, export) is getattr(importlib.import_module(module), attribute), export
