"""Header pass of the ingest: classify one file cheaply, without reading its pixels.

``scan_file`` returns one record (a dict of plain values) per file: a status (``ok`` or a
reason code of ``reasons.FILE_REASONS``), a message, and for readable files the
pseudonymised keys and the header facts the later stages need. No identifying value (names,
birth date, accession number, institution, the original Patient ID or UIDs, the path) is put
in a record; messages are built from fixed texts and UIDs of SOP classes / transfer syntaxes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.pixels import get_decoder
from pydicom.uid import UID

from .export_tree import os_error_name
from .privacy import Pseudonymizer
from .reasons import OK
from .views import resolve_view

#: SOP classes kept: CR Image Storage and DX Image Storage - For Presentation.
KEPT_SOP_CLASSES: dict[str, str] = {
    "1.2.840.10008.5.1.4.1.1.1": "CR Image Storage",
    "1.2.840.10008.5.1.4.1.1.1.1": "DX Image Storage - For Presentation",
}

#: Date tags tried in order for the exam date.
DATE_TAGS: tuple[str, ...] = ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate")

_DEFER = 1024  # bytes: larger values (the pixel data) are not read in the header pass

#: What ``scan_file`` does with an image whose BurnedInAnnotation (0028,0301) is absent or
#: empty (``cohort.burned_in_annotation``); ``YES`` is always rejected.
BURNED_IN_POLICIES = ("accept_absent", "reject_absent")


def quiet_pydicom_logger() -> None:
    """Silence pydicom's logger in this process: its messages can name files and values."""
    logging.getLogger("pydicom").setLevel(logging.CRITICAL + 1)


def has_dicm_prefix(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` holds ``DICM`` at byte offset 128 (the Part 10 preamble check)."""
    with open(path, "rb") as f:
        f.seek(128)
        return f.read(4) == b"DICM"


def parse_dicom_date(value: Any) -> dt.date | None:
    """A DICOM DA value (``YYYYMMDD``; ``YYYY.MM.DD`` tolerated) as a date, else None."""
    text = str(value or "").strip().replace(".", "").replace("-", "")
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def rejected(status: str, message: str, **facts: Any) -> dict[str, Any]:
    """A record for a rejected file."""
    return {"status": status, "message": message, **facts}


def scan_file(
    path: str | os.PathLike[str], pseudo: Pseudonymizer, burned_in_annotation: str = "accept_absent"
) -> dict[str, Any]:
    """Classify one file from its header and extract what the cohort needs.

    Checks, in order: the file can be read (``unreadable``); DICM prefix and header parse
    (``not_dicom``, ``truncated``); SOP class (``not_an_image_sop_class``,
    ``unsupported_image_sop_class``); Image Type (``secondary_image``); required tags
    (``missing_required_tag``); BurnedInAnnotation (``burned_in_annotation``, and
    ``burned_in_annotation_unknown`` under ``reject_absent``); Pixel Data present
    (``no_pixel_data``) and not cut short (``truncated``); frames (``multiframe``); grayscale
    (``not_grayscale``); decoder available for the transfer syntax (``unsupported_syntax``).
    Duplicates are found later, across files (``ingest.mark_duplicates``).

    Every warning raised while the file is read and its values converted is swallowed (pydicom
    warnings quote values, such as a non-conformant UID); no exception escapes with a path.

    Parameters
    ----------
    path : path-like
        The file.
    pseudo : Pseudonymizer
        Makes the patient/exam/image keys and shifts the date.
    burned_in_annotation : {"accept_absent", "reject_absent"}
        What to do when BurnedInAnnotation is absent or empty.

    Returns
    -------
    dict
        ``status``, ``message``, ``file_bytes`` (when the size could be read) and, when the
        header could be read, the header facts.
    """
    if burned_in_annotation not in BURNED_IN_POLICIES:
        raise ValueError(f"burned_in_annotation must be one of {BURNED_IN_POLICIES}, got {burned_in_annotation!r}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            size = os.stat(path).st_size
        except OSError as err:
            return rejected("unreadable", f"file cannot be read ({os_error_name(err)})")
        try:
            record = _scan(Path(path), size, pseudo, caught, burned_in_annotation)
        except OSError as err:  # vanished or became unreadable after listing
            record = rejected("unreadable", f"file cannot be read ({os_error_name(err)})")
        except Exception as err:  # noqa: BLE001 - a malformed value is a rejection, not a crash
            record = rejected("not_dicom", f"malformed header value ({type(err).__name__})")
    return {**record, "file_bytes": size}


def _scan(
    path: Path, size: int, pseudo: Pseudonymizer, caught: list[warnings.WarningMessage], burned_in_annotation: str
) -> dict[str, Any]:
    if size < 132 or not has_dicm_prefix(path):
        return rejected("not_dicom", "no 'DICM' marker at byte 128 (not a DICOM Part 10 file)")
    try:
        ds = pydicom.dcmread(path, defer_size=_DEFER)
    except InvalidDicomError:
        return rejected("not_dicom", "DICM marker present but the header is not DICOM")
    except (FileNotFoundError, PermissionError):
        raise
    except (EOFError, OSError) as err:
        return rejected("truncated", f"header ends early ({type(err).__name__})")
    except Exception as err:  # noqa: BLE001 - any parser failure is a rejection
        return rejected("not_dicom", f"header cannot be parsed ({type(err).__name__})")
    if any("End of file" in str(w.message) for w in caught):
        return rejected("truncated", "file ends before a delimiter (cut short)")
    declared_end = _declared_end(ds)
    if len(ds) == 0 or declared_end > size:
        return rejected("truncated", f"file is {size} bytes, its elements declare {declared_end}")
    return _classify(ds, pseudo, burned_in_annotation)


def _declared_end(ds: pydicom.Dataset) -> int:
    """Largest end offset declared by a defined-length top-level element (before conversion)."""
    end = 0
    for tag in ds.keys():  # raw elements keep their file offset and length; deferred values stay unread
        elem = ds.get_item(tag, keep_deferred=True)
        tell, length = getattr(elem, "value_tell", None), getattr(elem, "length", None)
        if tell is not None and length is not None and length != 0xFFFFFFFF:
            end = max(end, tell + length)
    return end


def _classify(ds: pydicom.Dataset, pseudo: Pseudonymizer, burned_in_annotation: str) -> dict[str, Any]:
    meta = getattr(ds, "file_meta", None) or pydicom.Dataset()
    sop_class = str(ds.get("SOPClassUID") or meta.get("MediaStorageSOPClassUID") or "").strip()
    syntax = str(meta.get("TransferSyntaxUID") or "").strip()
    facts: dict[str, Any] = {"sop_class": sop_class, "transfer_syntax": syntax}
    patient_id = str(ds.get("PatientID") or "").strip()
    if patient_id:
        facts["patient_key"] = pseudo.patient(patient_id)

    if sop_class not in KEPT_SOP_CLASSES:
        name = UID(sop_class).name if sop_class else "missing"
        if "Image Storage" in name:
            return rejected("unsupported_image_sop_class", f"SOP class {sop_class} ({name})", **facts)
        return rejected("not_an_image_sop_class", f"SOP class {sop_class or '-'} ({name})", **facts)
    image_type = [str(v).upper() for v in (ds.get("ImageType") or [])]
    if len(image_type) > 1 and image_type[1] == "SECONDARY":
        return rejected("secondary_image", "Image Type value 2 is SECONDARY", **facts)
    study_uid = str(ds.get("StudyInstanceUID") or "").strip()
    sop_uid = str(ds.get("SOPInstanceUID") or meta.get("MediaStorageSOPInstanceUID") or "").strip()
    dates = [(tag, parse_dicom_date(ds.get(tag))) for tag in DATE_TAGS]
    date_tag, date = next(((t, d) for t, d in dates if d is not None), (None, None))
    missing = [
        name
        for name, value in (("PatientID", patient_id), ("StudyInstanceUID", study_uid), ("SOPInstanceUID", sop_uid))
        if not value
    ] + ([] if date else ["StudyDate (and every other date tag)"])
    if missing:
        return rejected("missing_required_tag", "missing or empty: " + ", ".join(missing), **facts)
    facts["image_key"] = pseudo.image(sop_uid)
    burned_in = str(ds.get("BurnedInAnnotation") or "").strip().upper()
    if burned_in == "YES":
        return rejected("burned_in_annotation", "BurnedInAnnotation is YES (text burned into the pixels)", **facts)
    if burned_in not in ("", "NO"):
        return rejected("burned_in_annotation_unknown", "BurnedInAnnotation is neither YES nor NO", **facts)
    if not burned_in and burned_in_annotation == "reject_absent":
        return rejected(
            "burned_in_annotation_unknown", "BurnedInAnnotation is absent (cohort.burned_in_annotation)", **facts
        )

    if "PixelData" not in ds:
        return rejected("no_pixel_data", "no Pixel Data element", **facts)
    frames = int(ds.get("NumberOfFrames") or 1)
    if frames > 1:
        return rejected("multiframe", f"{frames} frames", **facts)
    photometric = str(ds.get("PhotometricInterpretation") or "").strip().upper()
    if int(ds.get("SamplesPerPixel") or 1) != 1 or photometric not in ("MONOCHROME1", "MONOCHROME2"):
        return rejected("not_grayscale", f"photometric interpretation {photometric or '-'}", **facts)
    if not _decodable(syntax):
        return rejected("unsupported_syntax", f"transfer syntax {syntax or '-'} ({UID(syntax).name})", **facts)

    view, view_source = resolve_view(ds)
    slope, intercept = ds.get("RescaleSlope"), ds.get("RescaleIntercept")
    return {
        "status": OK,
        "message": "",
        **facts,
        "exam_key": pseudo.exam(study_uid),
        "date": pseudo.shift(date, patient_id),
        "date_tag": date_tag,
        "view": view,
        "view_source": view_source,
        "modality": str(ds.get("Modality") or "").strip(),
        "image_type": "\\".join(image_type),
        "series_number": _int_or_none(ds.get("SeriesNumber")),
        "instance_number": _int_or_none(ds.get("InstanceNumber")),
        "photometric": photometric,
        "bits_allocated": int(ds.get("BitsAllocated") or 0),
        "bits_stored": int(ds.get("BitsStored") or ds.get("BitsAllocated") or 0),
        "pixel_representation": int(ds.get("PixelRepresentation") or 0),
        "rescale_slope": float(slope) if slope is not None else 1.0,
        "rescale_intercept": float(intercept) if intercept is not None else 0.0,
        "has_modality_lut": "ModalityLUTSequence" in ds,
        "rows": int(ds.get("Rows") or 0),
        "columns": int(ds.get("Columns") or 0),
    }


def _decodable(syntax: str) -> bool:
    try:
        return bool(syntax) and get_decoder(UID(syntax)).is_available
    except (NotImplementedError, ValueError):
        return False


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
