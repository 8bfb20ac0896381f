"""Shared test set-up."""

import pytest
import torch
from small_export import build_small_export
from workflow import tiny_study

# Tiny networks gain nothing from several threads, and on a busy 2-core machine OpenMP threads
# spinning against each other make them many times slower.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    """``(export folder, truth)`` of ``small_export.build_small_export``, written once per session."""
    return build_small_export(tmp_path_factory.mktemp("small_export"))


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """The workflow folder after one complete run of the tiny config (``workflow.tiny_study``),
    shared by the workflow tests that read its outputs or dry-run changes against it. Tests
    restore whatever they change there (config, a module's text and time stamp)."""
    return tiny_study(tmp_path_factory.mktemp("tiny_study"))
