"""Which way the x-ray went through the patient: PA, AP or lateral.

Views are read from the tags in their order of trust (see ``resolve_view``); the normalised
vocabulary is ``PA``, ``AP``, ``LL``, ``RL``, ``LATERAL`` (side unknown), ``FRONTAL`` (PA or
AP, from PatientOrientation only) and ``UNKNOWN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

#: SNOMED CT codes of ViewCodeSequence (0054,0220).
SNOMED_VIEWS: dict[str, str] = {
    "272479007": "PA",
    "399348003": "AP",
    "399173006": "LL",
    "399198007": "RL",
    "399067008": "LATERAL",
}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("PA", re.compile(r"\bPA\b|\bP\s*-?>\s*A\b|\bP-A\b|\bP/A\b|POSTERO\W*ANTERIOR|POSTEROANTERIOR")),
    ("AP", re.compile(r"\bAP\b|\bA\s*-?>\s*P\b|\bA-P\b|\bA/P\b|ANTERO\W*POSTERIOR|ANTEROPOSTERIOR")),
    ("LL", re.compile(r"\bLL\b|\bLEFT\W+LAT(ERAL)?\b|\bLLAT\b")),
    ("RL", re.compile(r"\bRL\b|\bRIGHT\W+LAT(ERAL)?\b|\bRLAT\b")),
    ("LATERAL", re.compile(r"\bLAT(ERAL)?\b|\bLATERO")),
]

#: Text tags after the image-level ones, image/series level first, study level last.
TEXT_SOURCES: tuple[str, ...] = (
    "AcquisitionDeviceProcessingDescription",
    "SeriesDescription",
    "ProtocolName",
    "StudyDescription",
    "RequestedProcedureDescription",
    "PerformedProcedureStepDescription",
)


def view_from_text(text: str | None) -> str | None:
    """Normalised view named in a free text, or None when none or several views are named.

    Parameters
    ----------
    text : str or None
        A tag value such as ``"CHEST P->A"`` or ``"Thorax pa"``.

    Returns
    -------
    str or None
        ``PA``, ``AP``, ``LL``, ``RL`` or ``LATERAL``; None when the text names no view or
        more than one ("PA AND LAT" describes a study, not an image).

    Examples
    --------
    >>> view_from_text("CHEST P->A"), view_from_text("PA AND LAT"), view_from_text("")
    ('PA', None, None)
    """
    if not text:
        return None
    upper = str(text).upper().replace("_", " ")
    found = {name for name, pattern in _PATTERNS if pattern.search(upper)}
    if {"LL", "RL"} & found:
        found.discard("LATERAL")  # "LEFT LATERAL" also matches the generic pattern
    return found.pop() if len(found) == 1 else None


def view_from_code_sequence(items: Sequence[Any] | None) -> str | None:
    """Normalised view from ViewCodeSequence items (SNOMED CT code value or code meaning)."""
    for item in items or ():
        code = str(getattr(item, "CodeValue", "") or "").strip()
        if code in SNOMED_VIEWS:
            return SNOMED_VIEWS[code]
        meaning = view_from_text(getattr(item, "CodeMeaning", None))
        if meaning:
            return meaning
    return None


def view_from_orientation(orientation: Sequence[str] | str | None) -> str | None:
    """FRONTAL or LATERAL from PatientOrientation (0020,0020) row direction, else None."""
    if not orientation:
        return None
    values = [orientation] if isinstance(orientation, str) else list(orientation)
    row = str(values[0]).strip().upper()[:1]
    if row in ("L", "R"):
        return "FRONTAL"
    if row in ("A", "P"):
        return "LATERAL"
    return None


def resolve_view(tags: Mapping[str, Any]) -> tuple[str, str]:
    """Resolve the view of one image and record where it came from.

    Order of trust: ViewPosition (0018,5101); ViewCodeSequence (0054,0220); then the texts of
    ``TEXT_SOURCES`` in order (AcquisitionDeviceProcessingDescription, Series, Protocol, then
    the study-level descriptions, each used only when it names exactly one view, so "PA AND
    LAT" never decides); PatientOrientation (frontal vs lateral only) last.

    Parameters
    ----------
    tags : mapping
        A pydicom ``Dataset`` or a dict from keyword to value.

    Returns
    -------
    view : str
        ``PA``, ``AP``, ``LL``, ``RL``, ``LATERAL``, ``FRONTAL`` or ``UNKNOWN``.
    source : str
        Keyword of the tag that decided, or ``"none"``.
    """
    view = view_from_text(_get(tags, "ViewPosition"))
    if view:
        return view, "ViewPosition"
    view = view_from_code_sequence(_get(tags, "ViewCodeSequence"))
    if view:
        return view, "ViewCodeSequence"
    for keyword in TEXT_SOURCES:
        view = view_from_text(_get(tags, keyword))
        if view:
            return view, keyword
    view = view_from_orientation(_get(tags, "PatientOrientation"))
    if view:
        return view, "PatientOrientation"
    return "UNKNOWN", "none"


def _get(tags: Mapping[str, Any], keyword: str) -> Any:
    try:
        return tags.get(keyword)
    except Exception:  # a malformed value raises on conversion: treat as absent
        return None
