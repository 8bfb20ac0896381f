"""vrgan_workflow.imports: the package modules a script uses, followed name by name, on a fake package."""

import ast
from pathlib import Path

import pytest

from vrgan_workflow.imports import modules_used_by


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def fake(tmp_path):
    return write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/base.py": "import numpy as np\n",
            "pkg/stage.py": "from pkg.base import np\nfrom . import helpers\n",
            "pkg/helpers.py": "def f():\n    from pkg.late import g\n",
            "pkg/late.py": "",
            "pkg/typed.py": "",
            "pkg/sub/__init__.py": "from .maps import load_maps\nfrom .figure import draw\nVERSION = 1\n",
            "pkg/sub/maps.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.typed\nfrom ..base import np\n",
            "pkg/sub/figure.py": "import matplotlib\n",
            "script.py": "import os\nfrom pkg.sub import load_maps\nimport pkg.stage\n",
        },
    )


def test_a_name_from_a_package_is_traced_to_its_module_not_to_its_siblings(fake):
    used = modules_used_by(fake / "script.py", fake, "pkg")
    assert used == ["pkg/base.py", "pkg/helpers.py", "pkg/late.py", "pkg/stage.py", "pkg/sub/maps.py"]


def test_a_name_defined_in_an_init_uses_the_init(fake):
    write(fake, {"other.py": "from pkg.sub import VERSION\nfrom pkg import sub\n"})
    used = modules_used_by(fake / "other.py", fake, "pkg")
    # VERSION lives in pkg/sub/__init__.py; importing the package object uses all it imports
    assert used == ["pkg/base.py", "pkg/sub/__init__.py", "pkg/sub/figure.py", "pkg/sub/maps.py"]


def test_a_missing_module_is_named(fake):
    write(fake, {"broken.py": "from pkg.nowhere import thing\n"})
    with pytest.raises(ValueError, match=r"no module pkg\.nowhere"):
        modules_used_by(fake / "broken.py", fake, "pkg")


def test_the_training_script_uses_the_training_modules_and_metrics():
    repo = Path(__file__).resolve().parents[1]
    used = modules_used_by(repo / "workflow_scripts" / "train.py", repo)
    assert {"vrgan/training/loop.py", "vrgan/models/unet.py", "vrgan/metrics.py", "vrgan/artefacts.py"} <= set(used)
    assert not [m for m in used if m.startswith(("vrgan/cohort/", "vrgan/xray/"))]


@pytest.fixture
def lazy(fake):
    """``pkg.lazy``: a package whose __init__.py imports nothing but the loader, its exports
    declared by its stub (vrgan.lazy)."""
    return write(
        fake,
        {
            "pkg/loader.py": "",
            "pkg/lazy/__init__.py": "from pkg.loader import attach_stub\n__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)\n",
            "pkg/lazy/__init__.pyi": "from .maps import load_maps\nfrom .figure import draw\n__all__ = ['load_maps', 'draw']\n",
            "pkg/lazy/maps.py": "from ..base import np\n",
            "pkg/lazy/figure.py": "import matplotlib\n",
            "lazy_script.py": "from pkg.lazy import load_maps\n",
        },
    )


def test_a_name_from_a_lazy_package_is_traced_through_its_stub(lazy):
    # without the stub, the name would seem defined in the __init__.py and maps.py would be lost
    assert modules_used_by(lazy / "lazy_script.py", lazy, "pkg") == ["pkg/base.py", "pkg/lazy/maps.py"]


def test_the_lazy_package_object_uses_every_module_of_its_stub(lazy):
    write(lazy, {"other.py": "from pkg import lazy\n"})
    used = modules_used_by(lazy / "other.py", lazy, "pkg")
    assert used == ["pkg/base.py", "pkg/lazy/__init__.py", "pkg/lazy/figure.py", "pkg/lazy/maps.py", "pkg/loader.py"]


def test_a_stub_naming_a_missing_module_is_named(lazy):
    write(lazy, {"pkg/lazy/__init__.pyi": "from .nowhere import load_maps\n__all__ = ['load_maps']\n"})
    with pytest.raises(ValueError, match=r"no module pkg\.lazy\.nowhere"):
        modules_used_by(lazy / "lazy_script.py", lazy, "pkg")


def test_the_study_library_never_imports_the_demo_wing():
    """vrgan.demo imports the study; no other vrgan module imports vrgan.demo (not even lazily)."""
    repo = Path(__file__).resolve().parents[1]
    offenders = []
    for path in sorted((repo / "vrgan").rglob("*.py*")):
        if path.suffix not in (".py", ".pyi") or (repo / "vrgan" / "demo") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if any(n == "vrgan.demo" or n.startswith("vrgan.demo.") for n in names):
                offenders.append(f"{path.relative_to(repo)}:{node.lineno}")
    assert offenders == []
    assert (repo / "vrgan" / "demo" / "synth").is_dir()  # the wing is where this test looks
