"""Shared test set-up."""

import torch

# Tiny networks gain nothing from several threads, and on a busy 2-core machine OpenMP threads
# spinning against each other make them many times slower.
torch.set_num_threads(1)
