"""The cohort flow against the demo export's ``truth/`` (``flow_vs_truth.csv``).

On the synthetic demo export (``vrgan.demo.synth``) every number of the flow is known in advance.
``compare_flow_with_truth`` lists one check per number: what the flow (or a stage table) counts,
what the truth says it must be (a ``truth/summary.json`` entry, or a difference of two, named in
the ``truth`` column) and whether they agree. Then the same one by one, through the run's
pseudonymous keys: each file's status, view and view source, each PFT row's status, each PA
exam's match and its distance in days, each cohort exam's COPD label, each subject's
eligibility and pairs. A count of ``summary.json`` that no check uses is listed as
``not_compared`` with the reason, so nothing is skipped silently. ``check_agreement`` raises
when a check disagrees: on the demo export, a disagreement is a bug on one side or the other.

No path, patient id or UID is written: examples of disagreeing items name file keys and PFT
row numbers only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from vrgan.cohort.flow import flow_count
from vrgan.cohort.privacy import Pseudonymizer
from vrgan.cohort.reasons import OK

COMPARISON_COLUMNS = ["check", "truth", "expected", "observed", "result", "note"]

_KINDS = "subject kinds from the true labels of all exams; compared: subjects.with_eligible_exam, subjects.pairable"
#: Why a ``summary.json`` count has no check (the longest matching key prefix applies).
NOT_COMPARED = {
    "files.by_defect": "planted variants; each file's status is compared one by one",
    "files.extensionless": "file names are not kept (file keys are pseudonymous); every file is compared one by one",
    "exams.total": "exams without a decoded PA image never enter the flow; compared: exams.with_ok_pa",
    "exams.by_study_type": "study composition; compared: PA images by view, exams.with_ok_pa, extra PA images",
    "exams.with_two_ok_pa": "counts exams; the flow drops images: compared exams.extra_ok_pa_images",
    "exams.copd": "true labels of all exams, matched or not; compared: exams.eligible_copd",
    "exams.non_copd": "true labels of all exams, matched or not; compared: exams.eligible_non_copd",
    "exams.with_ok_pft_within_30d": "includes exams without a PA image; compared: exams.matched",
    "exams.of_transplant_patients": "includes unmatched exams; compared: exams.matched_of_transplant_patients",
    "subjects.total": "patients with DICOM, usable or not; compared: subjects.with_eligible_exam",
    "subjects.by_trajectory": _KINDS,
    "subjects.single_exam": _KINDS,
    "subjects.all_copd": _KINDS,
    "subjects.all_non_copd": _KINDS,
    "subjects.has_copd_pair": _KINDS,
    "subjects.transplant": "patients on the transplant list; compared: exams.matched_of_transplant_patients",
    "pft.by_kind": "planted row kinds; each row's status is compared one by one",
    "pft.same_day_pairs": "same-day tests compete for one exam; compared as PFTs left by closer_pft_took_exam",
    "pft.unknown_patients": "patients; compared: rows rejected as unknown_patient",
    "pft.ok_at_30_days": "rows beside any exam, PA or not; compared: exams.matched_at_30_days and each exam's match",
    "pft.ok_at_31_days": "rows beside any exam, PA or not; compared: each PA exam's match (none at 31 days)",
}
_NOT_COUNTS = ("format_version", "parameters", "rules")

#: ``summary.json`` ``files.ok_by_<name>`` -> ``ingest.parquet`` column.
INGEST_ATTRIBUTES = {
    "transfer_syntax": "transfer_syntax",
    "photometric": "photometric",
    "bits_stored": "bits_stored",
    "modality": "modality",
    "sop_class": "sop_class",
    "view_source": "view_source",
}


class FlowDisagreesWithTruth(RuntimeError):
    """A count or an item of the cohort stages differs from the demo export's truth."""


class _Checks:
    """The rows of the comparison and the ``summary.json`` entries they used."""

    def __init__(self, summary: Mapping[str, Any]):
        self.summary = summary
        self.rows: list[dict[str, Any]] = []
        self.used: set[tuple[str, ...]] = set()

    def _node(self, path: tuple[str, ...]) -> Any:
        node: Any = self.summary
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                raise ValueError(f"truth/summary.json lacks {'.'.join(path)}")
            node = node[part]
        return node

    def truth(self, *path: str) -> int:
        """A count of ``summary.json``."""
        self.used.add(path)
        return int(self._node(path))

    def counts(self, *path: str) -> dict[str, int]:
        """A ``{value: count}`` entry of ``summary.json``."""
        node = self._node(path)
        self.used.update((*path, key) for key in node)
        return {str(key): int(n) for key, n in node.items()}

    def add(self, check: str, truth: str, expected: int, observed: int, note: str = "") -> None:
        result = "agree" if int(expected) == int(observed) else "disagree"
        self.rows.append(dict(zip(COMPARISON_COLUMNS, (check, truth, int(expected), int(observed), result, note))))

    def add_items(self, check: str, truth: str, expected: pd.Series, observed: pd.Series, names: pd.Series) -> None:
        """One check over items: how many of them agree, with up to three that do not."""
        expected, observed = _as_text(expected), _as_text(observed)
        same = (expected == observed).to_numpy()
        wrong = [f"{n}: expected {e}, got {o}" for n, e, o, s in zip(names, expected, observed, same) if not s]
        self.add(check, truth, len(same), int(same.sum()), "; ".join(wrong[:3]))

    def reasons(self, flow: pd.DataFrame, box: str, kind: str, unit: str, expected: dict[str, tuple[str, int]]) -> None:
        """``excluded``/``branch`` rows of a box: every expected reason and every reason the flow has."""
        present = flow.loc[(flow["box"] == box) & (flow["kind"] == kind) & (flow["unit"] == unit), "reason"]
        for reason in sorted(set(expected) | set(present)):
            truth, n = expected.get(reason, ("none expected", 0))
            self.add(f"{box}: {kind} {reason} ({unit})", truth, n, flow_count(flow, box, reason, kind, unit))

    def not_compared(self) -> None:
        for path, value in _leaves(self.summary):
            if path[0] in _NOT_COUNTS or path in self.used:
                continue
            key = ".".join(path)
            prefixes = [p for p in NOT_COMPARED if key == p or key.startswith(p + ".")]
            note = NOT_COMPARED[max(prefixes, key=len)] if prefixes else "no flow counterpart"
            self.rows.append(dict(zip(COMPARISON_COLUMNS, (key, key, int(value), None, "not_compared", note))))


def _as_text(values: pd.Series) -> pd.Series:
    """Values as comparable text: missing is ``"none"``, whole numbers have no decimals."""

    def text(value: Any) -> str:
        if pd.isna(value):
            return "none"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return values.map(text).astype(object)


def _leaves(node: Mapping[str, Any], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = []
    for key, value in node.items():
        if isinstance(value, Mapping):
            out += _leaves(value, (*path, str(key)))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(((*path, str(key)), value))
    return out


def _by_reason(prefix: str, counts: dict[str, int], label: str = "{}") -> dict[str, tuple[str, int]]:
    return {label.format(k): (f"{prefix}.{k}", n) for k, n in counts.items()}


def _flow_checks(c: _Checks, flow: pd.DataFrame) -> None:
    """Every count of ``flow.csv`` that the truth predicts."""
    c.add("files", "files.total", c.truth("files", "total"), flow_count(flow, "files"))
    statuses = c.counts("files", "by_status")
    c.add("decoded images", "files.by_status.ok", statuses.pop(OK, 0), flow_count(flow, "decoded images"))
    c.reasons(flow, "decoded images", "excluded", "files", _by_reason("files.by_status", statuses))
    views = c.counts("files", "ok_by_view")
    c.add("PA images", "files.ok_by_view.PA", views.pop("PA", 0), flow_count(flow, "PA images"))
    c.reasons(flow, "PA images", "excluded", "images", _by_reason("files.ok_by_view", views, "view_{}"))
    sources = c.counts("files", "ok_pa_by_view_source")
    c.reasons(
        flow, "PA images", "branch", "images", _by_reason("files.ok_pa_by_view_source", sources, "view_source_{}")
    )
    extra = {"extra_pa_image_in_study": ("exams.extra_ok_pa_images", c.truth("exams", "extra_ok_pa_images"))}
    c.reasons(flow, "PA exams", "excluded", "images", extra)
    pa_exams = c.truth("exams", "with_ok_pa")
    c.add("PA exams", "exams.with_ok_pa", pa_exams, flow_count(flow, "PA exams"))

    c.add("PFT rows", "pft.rows", c.truth("pft", "rows"), flow_count(flow, "PFT rows"))
    rows = c.counts("pft", "by_status")
    ok_pfts = rows.pop(OK, 0)
    c.add("valid PFTs", "pft.by_status.ok", ok_pfts, flow_count(flow, "valid PFTs"))
    c.reasons(flow, "valid PFTs", "excluded", "pft rows", _by_reason("pft.by_status", rows))

    matched = c.truth("exams", "matched")
    near = c.truth("pft", "ok_within_30d_of_ok_pa_exam")
    c.add("matched exams", "exams.matched", matched, flow_count(flow, "matched exams"))
    left_exams = {
        "no_pft_within_window": ("exams.with_ok_pa - exams.matched", pa_exams - matched),
        "closer_exam_took_pft": ("0 (rules.matched_exam)", 0),
    }
    c.reasons(flow, "matched exams", "excluded", "exams", left_exams)
    left_pfts = {
        "closer_pft_took_exam": ("pft.ok_within_30d_of_ok_pa_exam - exams.matched", near - matched),
        "no_exam_within_window": ("pft.by_status.ok - pft.ok_within_30d_of_ok_pa_exam", ok_pfts - near),
    }
    c.reasons(flow, "matched exams", "excluded", "pfts", left_pfts)

    transplant = c.truth("exams", "matched_of_transplant_patients")
    reason = {"lung_transplant_patient": ("exams.matched_of_transplant_patients", transplant)}
    c.reasons(flow, "not lung transplant", "excluded", "exams", reason)
    c.add("eligible exams", "exams.eligible", c.truth("exams", "eligible"), flow_count(flow, "not lung transplant"))
    labels = {
        "copd": ("exams.eligible_copd", c.truth("exams", "eligible_copd")),
        "no_copd": ("exams.eligible_non_copd", c.truth("exams", "eligible_non_copd")),
    }
    c.reasons(flow, "not lung transplant", "branch", "exams", labels)

    subjects = c.truth("subjects", "with_eligible_exam")
    c.add("subjects", "subjects.with_eligible_exam", subjects, flow_count(flow, "subjects"))
    pairable = {"eligible_for_pairs": ("subjects.pairable", c.truth("subjects", "pairable"))}
    c.reasons(flow, "subjects", "branch", "subjects", pairable)
    pairs = {"possible_pairs": ("subjects.expected_pairs", c.truth("subjects", "expected_pairs"))}
    c.reasons(flow, "subjects", "branch", "pairs", pairs)


def _ingest_checks(c: _Checks, ingest: pd.DataFrame) -> None:
    """Header facts of the decoded images, counted like ``files.ok_by_*``."""
    ok = ingest[ingest["status"] == OK]
    for name, column in INGEST_ATTRIBUTES.items():
        expected = c.counts("files", f"ok_by_{name}")
        observed = ok[column].astype(str).value_counts()
        for value in sorted(set(expected) | set(observed.index)):
            c.add(
                f"decoded images with {column} {value}",
                f"files.ok_by_{name}.{value}",
                expected.get(value, 0),
                observed.get(value, 0),
            )
    rescaled = int(((ok["rescale_slope"] != 1) | (ok["rescale_intercept"] != 0)).sum())
    c.add(
        "decoded images with a rescale",
        "files.ok_with_nontrivial_rescale",
        c.truth("files", "ok_with_nontrivial_rescale"),
        rescaled,
    )


def _item_checks(c: _Checks, truth_dir: Path, tables: Mapping[str, pd.DataFrame], pseudo: Pseudonymizer) -> None:
    """Files, PFT rows, exams and subjects one by one, found through their pseudonymous keys."""
    files = pd.read_csv(truth_dir / "files.csv", dtype=str, keep_default_na=False)
    ingest = tables["ingest"].set_index("file_key")
    keys = files["path"].map(pseudo.file)
    c.add("files found one by one", "truth/files.csv rows", len(files), int(keys.isin(ingest.index).sum()))
    c.add("files not in truth/files.csv", "0", 0, int((~ingest.index.isin(keys)).sum()))
    c.add_items(
        "files with the expected status",
        "truth/files.csv expected_status",
        files["expected_status"],
        keys.map(ingest["status"]),
        keys,
    )
    ok = files["expected_status"] == OK
    for column in ("view", "view_source"):
        c.add_items(
            f"decoded images with the expected {column}",
            f"truth/files.csv {column}",
            files.loc[ok, column],
            keys[ok].map(ingest[column]),
            keys[ok],
        )

    rows = pd.read_csv(truth_dir / "pft_rows.csv", dtype={"row": "int64", "expected_status": str})
    got = rows["row"].map(tables["pft_rejected"].set_index("row")["reason"]).fillna(OK)
    c.add_items(
        "PFT rows with the expected status",
        "truth/pft_rows.csv expected_status",
        rows["expected_status"],
        got,
        "row " + rows["row"].astype(str),
    )

    exams = pd.read_csv(truth_dir / "exams.csv", dtype={"patient_id": str, "study_uid": str})
    exam_keys = exams["study_uid"].map(pseudo.exam)
    pa = exams["n_ok_pa"] > 0
    days = pd.to_numeric(exams["days_to_nearest_ok_pft"], errors="coerce").abs()
    expected = days.where(exams["n_ok_pft_within_30d"] > 0)  # missing: left unmatched
    observed = exam_keys.map(tables["matches"].set_index("exam_key")["days_apart"])
    c.add_items(
        "PA exams matched at their nearest ok PFT's distance, or unmatched",
        "truth/exams.csv",
        expected[pa],
        observed[pa],
        exam_keys[pa],
    )
    c.add(
        "exams matched at exactly 30 days",
        "exams.matched_at_30_days",
        c.truth("exams", "matched_at_30_days"),
        int((tables["matches"]["days_apart"] == 30).sum()),
    )
    eligible = exams["eligible"].astype(bool)
    copd = exam_keys.map(tables["cohort"].set_index("exam_key")["copd"])
    c.add_items(
        "eligible exams with the true COPD label",
        "truth/exams.csv copd_true",
        exams.loc[eligible, "copd_true"].astype(bool),
        copd[eligible],
        exam_keys[eligible],
    )

    subjects = pd.read_csv(truth_dir / "subjects.csv", dtype={"patient_id": str})
    patient_keys = subjects["patient_id"].map(pseudo.patient)
    splits = tables["splits"].set_index("patient_key")
    pairable = patient_keys.map(splits["eligible"]).eq(True)
    c.add_items(
        "subjects with and without COPD",
        "truth/subjects.csv pairable",
        subjects["pairable"].astype(bool),
        pairable,
        patient_keys,
    )
    evaluated = patient_keys.map(splits["split"]).isin(["validation", "test"])
    formed = patient_keys.map(tables["pairs"].groupby("patient_key").size()).fillna(0).astype(int)
    c.add(
        "pairs of validation and test subjects",
        "sum of truth/subjects.csv expected_pairs over them",
        int(subjects.loc[evaluated, "expected_pairs"].sum()),
        len(tables["pairs"]),
    )
    c.add_items(
        "validation and test subjects with all their pairs",
        "truth/subjects.csv expected_pairs",
        subjects.loc[evaluated, "expected_pairs"],
        formed[evaluated],
        patient_keys[evaluated],
    )


def compare_flow_with_truth(
    flow: pd.DataFrame,
    truth_dir: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame],
    pseudo: Pseudonymizer,
) -> pd.DataFrame:
    """Compare the cohort flow and the stage tables with a demo export's truth.

    Parameters
    ----------
    flow : pandas.DataFrame
        ``flow.csv``.
    truth_dir : path-like
        ``<export>/truth``: ``summary.json``, ``files.csv`` (``path, expected_status, view,
        view_source``), ``pft_rows.csv`` (``row, expected_status``), ``exams.csv``
        (``study_uid, n_ok_pa, n_ok_pft_within_30d, days_to_nearest_ok_pft, eligible,
        copd_true``) and ``subjects.csv`` (``patient_id, pairable, expected_pairs``).
    tables : mapping
        The stage tables by name: ``ingest`` (``ingest.parquet``), ``pft_rejected``,
        ``matches``, ``cohort``, ``splits`` and ``pairs``.
    pseudo : Pseudonymizer
        The run's pseudonymizer: truth paths, UIDs and patient ids are hashed to find the items.

    Returns
    -------
    pandas.DataFrame
        ``COMPARISON_COLUMNS``: ``check``, ``truth`` (the summary key or formula, or the truth
        table), ``expected``, ``observed`` (for one-by-one checks: the number of items and how
        many agree), ``result`` (``agree``, ``disagree`` or ``not_compared``) and ``note`` (the
        first disagreeing items, or why a summary count is not compared).

    Raises
    ------
    ValueError
        If ``summary.json`` lacks a count that a check needs.
    """
    truth_dir = Path(truth_dir)
    checks = _Checks(json.loads((truth_dir / "summary.json").read_text()))
    _flow_checks(checks, flow)
    _ingest_checks(checks, tables["ingest"])
    _item_checks(checks, truth_dir, tables, pseudo)
    checks.not_compared()
    table = pd.DataFrame(checks.rows, columns=COMPARISON_COLUMNS)
    return table.astype({"expected": "Int64", "observed": "Int64"})


def check_agreement(table: pd.DataFrame) -> None:
    """Raise ``FlowDisagreesWithTruth`` naming every check of ``table`` that disagrees."""
    bad = table[table["result"] == "disagree"]
    if len(bad):
        listed = "; ".join(f"{r.check} (expected {r.expected}, observed {r.observed})" for r in bad.itertuples())
        raise FlowDisagreesWithTruth(f"{len(bad)} of {len(table)} checks disagree with truth/: {listed}")
