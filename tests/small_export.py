"""A small synthetic export with its truth (shared by the truth tests) and the pair they examine."""

from pathlib import Path

from vrgan.demo.synth.export import write_export
from vrgan.demo.synth.truth import SynthTruth, load_truth


def build_small_export(out: Path) -> tuple[Path, SynthTruth]:
    """10 subjects, seed 21, 56 px: ``(export folder, its truth)``."""
    write_export(out, 10, 21, 56, progress=False)
    return out, load_truth(out)


def largest_severity_pair(truth: SynthTruth) -> tuple[str, str]:
    """(non-COPD exam, COPD exam) of one subject with the largest severity difference."""
    exams = truth.exams[truth.exams.n_ok_pa > 0]
    candidates = [(g.severity.idxmin(), g.severity.idxmax()) for _, g in exams.groupby("patient_id") if len(g) > 1]
    return max(candidates, key=lambda p: exams.severity[p[1]] - exams.severity[p[0]])
