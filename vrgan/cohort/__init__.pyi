# The exports of vrgan.cohort, each imported from its module on first use (vrgan.lazy reads
# this file; so do type checkers and vrgan_workflow.imports). Docstring: __init__.py.

from .cohort_table import build_cohort, copd_label, match_exams, select_pa_exams
from .export import ExportPaths, check_export, export_paths, read_transplant_patients
from .flow import build_flow
from .flow_figure import draw_flow
from .image_cache import ImageCache, load_cached_image
from .ingest import TooManyRejected, ingest_export
from .matching import choose_one_image_per_study, match_pfts_to_exams
from .pft import clean_pfts, read_pft_csv
from .pixels import intensities_from_stored, invert_monochrome1
from .privacy import Pseudonymizer, key_fingerprint, load_or_create_key
from .reasons import FILE_REASONS, PFT_REASONS
from .splits import make_pairs, split_subjects
from .transplants import match_transplant_ids
from .views import resolve_view

__all__ = [
    "FILE_REASONS",
    "PFT_REASONS",
    "ExportPaths",
    "ImageCache",
    "Pseudonymizer",
    "TooManyRejected",
    "build_cohort",
    "build_flow",
    "check_export",
    "choose_one_image_per_study",
    "clean_pfts",
    "copd_label",
    "draw_flow",
    "export_paths",
    "ingest_export",
    "intensities_from_stored",
    "invert_monochrome1",
    "key_fingerprint",
    "load_cached_image",
    "load_or_create_key",
    "make_pairs",
    "match_exams",
    "match_pfts_to_exams",
    "match_transplant_ids",
    "read_pft_csv",
    "read_transplant_patients",
    "resolve_view",
    "select_pa_exams",
    "split_subjects",
]
