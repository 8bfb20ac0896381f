"""Shared test set-up."""

import pytest
import torch
from small_export import build_small_export

# Tiny networks gain nothing from several threads, and on a busy 2-core machine OpenMP threads
# spinning against each other make them many times slower.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    """``(export folder, truth)`` of ``small_export.build_small_export``, written once per session."""
    return build_small_export(tmp_path_factory.mktemp("small_export"))
