"""Reason codes for every file and PFT row that the cohort stages reject.

The codes are data: they appear in ``status`` / ``reason`` columns, in the flow table and
in the demo export's ``truth/`` files, so they never change meaning. ``ok`` means accepted.
This is the one table of codes: the demo export (``vrgan.demo.synth``) imports it for the codes
it plants and its truth files name (:func:`known_codes` refuses any other).
"""

from collections.abc import Iterable

OK = "ok"

#: File-level codes written by the ingest stage (``ingest.parquet`` column ``status``).
FILE_REASONS: dict[str, str] = {
    "not_dicom": "not a DICOM Part 10 file (no 'DICM' at byte 128, or the header cannot be parsed)",
    "no_pixel_data": "a complete DICOM header without a Pixel Data element",
    "truncated": "the file ends before the data it declares (header or pixel data cut short)",
    "unsupported_syntax": "transfer syntax that no installed decoder can read",
    "not_an_image_sop_class": "SOP class that is not an image (structured report, presentation state, ...)",
    "unsupported_image_sop_class": (
        "an image SOP class other than CR Image Storage or DX Image Storage - For Presentation "
        "(e.g. DX For Processing, Secondary Capture, CT)"
    ),
    "multiframe": "more than one frame (Number of Frames > 1)",
    "duplicate": (
        "same SOP Instance UID as a file earlier in path order that decoded (the first copy that decodes is kept)"
    ),
    "secondary_image": "Image Type value 2 is SECONDARY (screen capture, derived copy)",
    "not_grayscale": "Samples per Pixel is not 1 or the photometric interpretation is not MONOCHROME1/2",
    "missing_required_tag": "Patient ID, Study/SOP Instance UID or every exam date tag is missing or empty",
    "decode_error": "the pixel data could not be decoded (corrupt compressed stream)",
    "unreadable": (
        "an entry that cannot be read: a folder that cannot be listed, a broken link, a file that vanished or "
        "became unreadable after listing, or something that is not a regular file"
    ),
    "repeated_folder": "a link to a folder already listed (a loop or a second link); its files are listed once",
    "burned_in_annotation": "BurnedInAnnotation is YES: identifying text may be burned into the pixels",
    "burned_in_annotation_unknown": (
        "BurnedInAnnotation is neither YES nor NO, or absent while cohort.burned_in_annotation is reject_absent"
    ),
}

#: Row-level codes written by the PFT stage (``pft_rejected.csv`` column ``reason``), in the
#: order they are tested: a row gets the first code that applies.
PFT_REASONS: dict[str, str] = {
    "missing_value": "patient id, date, FEV1 or FVC is empty",
    "unparsable_date": "the date is not in cohort.pft_date_format (default ISO, YYYY-MM-DD)",
    "unparsable_number": "FEV1 or FVC is not a number",
    "ratio_out_of_range": (
        "FEV1 or FVC is zero or negative, or FEV1/FVC is below pft.MIN_FEV1_FVC (0.10): a unit error such as FVC "
        "in mL"
    ),
    "fev1_gt_fvc": "FEV1 is larger than FVC (both positive): FEV1/FVC > 1 is impossible",
    "volume_out_of_range": (
        "FEV1 or FVC outside its plausible range in litres (cohort.pft_fev1_litres, cohort.pft_fvc_litres): "
        "% predicted or mL, not litres"
    ),
    "unknown_patient": "the patient id matches no Patient ID in the DICOM export",
    "conflicting_duplicate": (
        "rows of one patient and day whose FEV1/FVC differ by more than cohort.pft_same_day_max_ratio_difference "
        "(all of them are rejected: row order must not decide)"
    ),
}


def known_codes(codes: Iterable[str], table: dict[str, str], what: str) -> tuple[str, ...]:
    """The distinct ``codes``, in their order; ValueError naming any code not in ``table``."""
    distinct = tuple(dict.fromkeys(codes))
    unknown = sorted(set(distinct) - set(table))
    if unknown:
        raise ValueError(f"{what} reason code(s) {unknown} are not in vrgan.cohort.reasons")
    return distinct
