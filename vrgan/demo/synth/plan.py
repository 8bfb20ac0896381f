"""What the synthetic export will contain, file by file, before anything is rendered.

Every planted property (modality, photometric, bits, transfer syntax, rescale, where the view is
written, broken files, duplicates) is an exact count drawn by :func:`plan_files` from
:class:`ExportLaw`, so the truth tables can state precisely what each file is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vrgan.cohort.reasons import FILE_REASONS, known_codes
from vrgan.demo.synth.cohort_law import CohortLaw, Visit, exact_counts
from vrgan.demo.synth.dicom_writer import CR_IMAGE, DOSE_SR, DX_PRESENTATION, DX_PROCESSING, SECONDARY_CAPTURE
from vrgan.demo.synth.pixel_encoding import PixelEncoding

__all__ = ["REASON_CODES", "BROKEN_VARIANTS", "ExportLaw", "PlannedFile", "plan_files"]

# (expected_status, defect): the broken files planted, each at least once.
BROKEN_VARIANTS = (
    ("not_dicom", "thumbs_db"),
    ("not_dicom", "no_preamble"),
    ("no_pixel_data", "image_without_pixel_data"),
    ("not_an_image_sop_class", "dose_sr"),
    ("truncated", "cut_in_pixel_data"),
    ("unsupported_syntax", "jpeg2000_part2"),
    ("unsupported_image_sop_class", "secondary_capture"),
    ("unsupported_image_sop_class", "dx_for_processing"),
    ("multiframe", "two_frames"),
)
#: The ingest's codes (vrgan.cohort.reasons.FILE_REASONS, the one table) that the export plants:
#: its broken files' and ``duplicate``.
REASON_CODES = known_codes([status for status, _ in BROKEN_VARIANTS] + ["duplicate"], FILE_REASONS, "file")
VIEWS_OF_STUDY = {"PA+LL": ("PA", "LL"), "PA": ("PA",), "AP": ("AP",), "PA+PA+LL": ("PA", "PA", "LL")}


@dataclass(frozen=True)
class ExportLaw:
    """Fractions planted in the export (exact counts; ``*_rate`` are per subject, at least 1)."""

    cohort: CohortLaw = field(default_factory=CohortLaw)
    dx_fraction: float = 0.5
    monochrome1_fraction: float = 0.25
    bits_stored_fractions: tuple[tuple[int, float], ...] = ((12, 0.4), (14, 0.3), (16, 0.3))
    transfer_syntax_fractions: tuple[tuple[str, float], ...] = (
        ("explicit_le", 0.3),
        ("implicit_le", 0.1),
        ("rle", 0.2),
        ("jpeg_lossless_sv1", 0.25),
        ("jpeg_lossless_p6", 0.05),
        ("jpeg2000_lossless", 0.1),
    )
    nontrivial_rescale_fraction: float = 0.2  # of DX MONOCHROME2 images
    rescales: tuple[tuple[int, int], ...] = ((1, -1024), (2, 0), (2, -500))
    portrait_fraction: float = 0.5  # 35x43 cm detector (cols = 0.82 rows); else square
    view_code_only_fraction: float = 0.03  # of PA images: empty ViewPosition, ViewCodeSequence
    series_description_only_fraction: float = 0.03  # of PA images: only SeriesDescription
    processing_description_only_fraction: float = 0.02  # of CR PA images: only (0018,1400)
    extensionless_fraction: float = 0.5  # of patients: DICOMDIR-style layout, no .dcm
    broken_rate: float = 0.01  # each BROKEN_VARIANTS entry, per subject, at least 1
    duplicate_rate: float = 0.02  # duplicate copies, per subject, at least 1


@dataclass
class PlannedFile:
    """One file of the export as planned (mutable while planning)."""

    subject_index: int
    visit_index: int
    image_index: int  # order of the image within its exam; -1 for non-images
    view: str
    status: str = "ok"
    defect: str = ""
    series_number: int = 1
    instance_number: int = 1
    modality: str = "CR"
    sop_class: str = CR_IMAGE
    transfer_syntax: str = "explicit_le"
    encoding: PixelEncoding | None = None
    portrait: bool = False
    view_source: str = "ViewPosition"
    duplicate_of: int = -1  # index of the original in the plan


def _pick(rng: np.random.Generator, pool: list[int], n: int) -> list[int]:
    n = min(n, len(pool))
    return sorted(int(i) for i in rng.choice(pool, n, replace=False)) if n else []


def _assign(rng: np.random.Generator, n: int, fractions: dict, minimum: int = 1) -> list:
    counts = exact_counts(n, fractions, minimum=minimum if n >= len(fractions) else 0)
    labels = [label for label, c in counts.items() for _ in range(c)]
    return [labels[i] for i in rng.permutation(n)]


def _encode_ok_images(plan: list[PlannedFile], rng: np.random.Generator, law: ExportLaw) -> None:
    n = len(plan)
    modality = _assign(rng, n, {"CR": 1 - law.dx_fraction, "DX": law.dx_fraction})
    mono1 = _assign(rng, n, {True: law.monochrome1_fraction, False: 1 - law.monochrome1_fraction})
    bits = _assign(rng, n, dict(law.bits_stored_fractions))
    syntax = _assign(rng, n, dict(law.transfer_syntax_fractions))
    portrait = _assign(rng, n, {True: law.portrait_fraction, False: 1 - law.portrait_fraction})
    for i, f in enumerate(plan):
        f.modality = modality[i]
        f.sop_class = DX_PRESENTATION if f.modality == "DX" else CR_IMAGE
        f.transfer_syntax = syntax[i]
        f.portrait = bool(portrait[i])
        photometric = "MONOCHROME1" if mono1[i] else "MONOCHROME2"
        f.encoding = PixelEncoding(int(bits[i]), photometric, has_rescale=f.modality == "DX")
    candidates = [i for i, f in enumerate(plan) if f.modality == "DX" and f.encoding.photometric == "MONOCHROME2"]
    chosen = _pick(rng, candidates, max(1, round(law.nontrivial_rescale_fraction * len(candidates))))
    for j, i in enumerate(chosen):
        slope, intercept = law.rescales[j % len(law.rescales)]
        plan[i].encoding = PixelEncoding(plan[i].encoding.bits_stored, "MONOCHROME2", slope, intercept, True)


def _plant_view_sources(plan: list[PlannedFile], rng: np.random.Generator, law: ExportLaw) -> None:
    pa = [i for i, f in enumerate(plan) if f.view == "PA"]
    cr_pa = [i for i in pa if plan[i].modality == "CR"]
    adpd = _pick(rng, cr_pa, max(1, round(law.processing_description_only_fraction * len(cr_pa))))
    rest = [i for i in pa if i not in adpd]
    vcs = _pick(rng, rest, max(1, round(law.view_code_only_fraction * len(pa))))
    rest = [i for i in rest if i not in vcs]
    sd = _pick(rng, rest, max(1, round(law.series_description_only_fraction * len(pa))))
    for indices, source in (
        (adpd, "AcquisitionDeviceProcessingDescription"),
        (vcs, "ViewCodeSequence"),
        (sd, "SeriesDescription"),
    ):
        for i in indices:
            plan[i].view_source = source


_BROKEN_ENCODING = {  # defect -> (modality, sop class, transfer syntax, bits stored)
    "no_preamble": ("CR", CR_IMAGE, "implicit_le", 12),
    "image_without_pixel_data": ("CR", CR_IMAGE, "explicit_le", 12),
    "dose_sr": ("SR", DOSE_SR, "explicit_le", 0),
    "cut_in_pixel_data": ("CR", CR_IMAGE, "explicit_le", 12),
    "jpeg2000_part2": ("DX", DX_PRESENTATION, "jpeg2000_part2", 16),
    "secondary_capture": ("OT", SECONDARY_CAPTURE, "explicit_le", 8),
    "dx_for_processing": ("DX", DX_PROCESSING, "explicit_le", 14),
    "two_frames": ("DX", DX_PRESENTATION, "explicit_le", 12),
}


def plan_files(
    visits: list[Visit], n_subjects: int, rng: np.random.Generator, law: ExportLaw = ExportLaw()
) -> list[PlannedFile]:
    """Plan every file of the export.

    Parameters
    ----------
    visits : list of Visit
        From :func:`vrgan.demo.synth.cohort_law.draw_cohort` (study types assigned).
    n_subjects : int
    rng : numpy.random.Generator
    law : ExportLaw

    Returns
    -------
    list of PlannedFile
        The valid images first (exam order), then the broken files; a duplicate's
        ``duplicate_of`` indexes its original.
    """
    plan: list[PlannedFile] = []
    for v in visits:
        instance = {1: 0, 2: 0}
        for image_index, view in enumerate(VIEWS_OF_STUDY[v.study_type]):
            series = 2 if view == "LL" else 1
            instance[series] += 1
            plan.append(
                PlannedFile(
                    v.subject_index,
                    v.visit_index,
                    image_index,
                    view,
                    series_number=series,
                    instance_number=instance[series],
                )
            )
    _encode_ok_images(plan, rng, law)
    _plant_view_sources(plan, rng, law)
    pa_images = [i for i, f in enumerate(plan) if f.view == "PA"]
    hosts = sorted({(plan[i].subject_index, plan[i].visit_index) for i in pa_images or range(len(plan))})
    n_broken = max(1, round(law.broken_rate * n_subjects))
    extra_instances: dict[tuple[int, int], int] = {}
    for status, defect in BROKEN_VARIANTS:
        for h in rng.choice(len(hosts), n_broken, replace=len(hosts) < n_broken):
            subject, visit = hosts[int(h)]
            if defect == "thumbs_db":
                plan.append(
                    PlannedFile(
                        subject,
                        -1,
                        -1,
                        "",
                        status,
                        defect,
                        modality="",
                        sop_class="",
                        transfer_syntax="",
                        view_source="",
                    )
                )
                continue
            modality, sop_class, syntax, bits = _BROKEN_ENCODING[defect]
            image = defect != "dose_sr"
            extra_instances[subject, visit] = extra_instances.get((subject, visit), 50) + 1
            encoding = PixelEncoding(bits, "MONOCHROME2", has_rescale=modality == "DX") if image else None
            plan.append(
                PlannedFile(
                    subject,
                    visit,
                    -1,
                    "PA" if image else "",
                    status,
                    defect,
                    series_number=1 if image else 99,
                    instance_number=extra_instances[subject, visit],
                    modality=modality,
                    sop_class=sop_class,
                    transfer_syntax=syntax,
                    encoding=encoding,
                    view_source="ViewPosition" if image else "",
                )
            )
    for source in _pick(rng, pa_images, max(1, round(law.duplicate_rate * n_subjects))):
        original = plan[source]
        plan.append(
            PlannedFile(
                original.subject_index,
                original.visit_index,
                original.image_index,
                original.view,
                "duplicate",
                "byte_identical_copy",
                original.series_number,
                original.instance_number,
                original.modality,
                original.sop_class,
                original.transfer_syntax,
                original.encoding,
                original.portrait,
                original.view_source,
                duplicate_of=source,
            )
        )
    return plan
