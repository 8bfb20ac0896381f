"""DICOM Part 10 files of the synthetic export, written with pydicom, as bytes.

Valid images are CR Image Storage or DX Image Storage - For Presentation, uint16 pixels
(BitsAllocated 16, BitsStored 12/14/16), MONOCHROME1 or MONOCHROME2, in one of the transfer
syntaxes of :data:`TRANSFER_SYNTAXES`. The broken variants a real PACS export contains (truncated,
no preamble, no pixel data, dose report, secondary capture, DX For Processing, multi-frame, an
undecodable transfer syntax) are built here too; which reason code each maps to is decided by
:mod:`vrgan.demo.synth.export`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLossless,
    JPEGLosslessSV1,
    PYDICOM_IMPLEMENTATION_UID,
    RLELossless,
    UID,
)

from vrgan.demo.synth.jpeg_lossless import encode_jpeg_lossless
from vrgan.demo.synth.pixel_encoding import PixelEncoding

__all__ = [
    "CR_IMAGE",
    "DX_PRESENTATION",
    "DX_PROCESSING",
    "SECONDARY_CAPTURE",
    "DOSE_SR",
    "TRANSFER_SYNTAXES",
    "JPEG2000_PART2",
    "VIEW_CODES",
    "ImageHeader",
    "image_file_bytes",
    "header_only_bytes",
    "preambleless_bytes",
    "dose_report_bytes",
    "truncated",
]

CR_IMAGE = UID("1.2.840.10008.5.1.4.1.1.1")
DX_PRESENTATION = UID("1.2.840.10008.5.1.4.1.1.1.1")
DX_PROCESSING = UID("1.2.840.10008.5.1.4.1.1.1.1.1")
SECONDARY_CAPTURE = UID("1.2.840.10008.5.1.4.1.1.7")
DOSE_SR = UID("1.2.840.10008.5.1.4.1.1.88.67")
# JPEG 2000 Part 2 (lossless): a Part 1 codestream is a valid Part 2 codestream, but pydicom 3.0.2
# has no decoder for this transfer syntax, whatever plugins are installed.
JPEG2000_PART2 = UID("1.2.840.10008.1.2.4.92")
TRANSFER_SYNTAXES = {
    "explicit_le": ExplicitVRLittleEndian,
    "implicit_le": ImplicitVRLittleEndian,
    "rle": RLELossless,
    "jpeg_lossless_sv1": JPEGLosslessSV1,
    "jpeg_lossless_p6": JPEGLossless,  # process 14, predictor 6
    "jpeg2000_lossless": JPEG2000Lossless,
    "jpeg2000_part2": JPEG2000_PART2,
}
VIEW_CODES = {  # SNOMED CT (CID 4010), dicom-notes
    "PA": ("272479007", "postero-anterior"),
    "AP": ("399348003", "antero-posterior"),
    "LL": ("399173006", "left lateral"),
}
_ORIENTATION = {"PA": ["L", "F"], "AP": ["L", "F"], "LL": ["P", "F"]}


@dataclass(frozen=True)
class ImageHeader:
    """Header content of one synthetic file (strings as written; dates YYYYMMDD).

    ``view_position`` may be "" (empty ViewPosition); ``view_code`` is the view named in a
    ViewCodeSequence (None: no sequence); ``processing_description`` fills
    AcquisitionDeviceProcessingDescription (None: absent).
    """

    patient_id: str
    patient_name: str
    patient_birth_date: str
    patient_sex: str
    other_patient_id: str
    study_uid: str
    series_uid: str
    sop_instance_uid: str
    sop_class_uid: str
    modality: str
    study_date: str
    study_time: str
    accession_number: str
    study_description: str
    series_description: str
    series_number: int
    instance_number: int
    view: str
    view_position: str
    view_code: str | None
    processing_description: str | None
    pixel_spacing_mm: float
    institution_name: str = "SYNTHETIC UNIVERSITY HOSPITAL"
    referring_physician: str = "HOUSE^GREGORY"
    manufacturer: str = "VRGAN SYNTHETIC"


def _base_dataset(h: ImageHeader) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = h.sop_class_uid
    ds.file_meta.MediaStorageSOPInstanceUID = h.sop_instance_uid
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = h.sop_class_uid
    ds.SOPInstanceUID = h.sop_instance_uid
    ds.StudyInstanceUID = h.study_uid
    ds.SeriesInstanceUID = h.series_uid
    ds.PatientID = h.patient_id
    ds.PatientName = h.patient_name
    ds.PatientBirthDate = h.patient_birth_date
    ds.PatientSex = h.patient_sex
    ds.OtherPatientIDs = h.other_patient_id
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = h.study_date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = h.study_time
    ds.AccessionNumber = h.accession_number
    ds.StudyID = h.accession_number[-6:]
    ds.InstitutionName = h.institution_name
    ds.ReferringPhysicianName = h.referring_physician
    ds.Manufacturer = h.manufacturer
    ds.Modality = h.modality
    ds.StudyDescription = h.study_description
    ds.SeriesDescription = h.series_description
    ds.SeriesNumber = h.series_number
    ds.InstanceNumber = h.instance_number
    return ds


def _image_dataset(h: ImageHeader, encoding: PixelEncoding, shape: tuple[int, ...]) -> Dataset:
    """All header elements of an image, PixelData excepted."""
    ds = _base_dataset(h)
    ds.BodyPartExamined = "CHEST"
    ds.ViewPosition = h.view_position
    ds.PatientOrientation = _ORIENTATION[h.view]
    ds.ImageType = ["DERIVED", "SECONDARY"] if h.sop_class_uid == SECONDARY_CAPTURE else ["ORIGINAL", "PRIMARY"]
    if h.sop_class_uid == SECONDARY_CAPTURE:
        ds.ConversionType = "WSD"
    if h.view_code is not None:
        code, meaning = VIEW_CODES[h.view_code]
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code, "SCT", meaning
        item.ViewModifierCodeSequence = Sequence()
        ds.ViewCodeSequence = Sequence([item])
    if h.processing_description is not None:
        ds.AcquisitionDeviceProcessingDescription = h.processing_description
    rows, cols = shape[-2:]
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = encoding.photometric
    ds.BitsAllocated = 8 if encoding.bits_stored <= 8 else 16
    ds.BitsStored = encoding.bits_stored
    ds.HighBit = encoding.bits_stored - 1
    ds.PixelRepresentation = 0
    if len(shape) == 3:
        ds.NumberOfFrames = shape[0]
    spacing = [round(h.pixel_spacing_mm, 6)] * 2
    if h.modality == "DX":
        ds.ImagerPixelSpacing = spacing
        ds.PresentationIntentType = "FOR PROCESSING" if h.sop_class_uid == DX_PROCESSING else "FOR PRESENTATION"
        ds.DetectorType = "SCINTILLATOR"
        ds.PixelIntensityRelationship = "LIN" if h.sop_class_uid == DX_PROCESSING else "LOG"
        ds.PixelIntensityRelationshipSign = 1
        ds.PresentationLUTShape = "INVERSE" if encoding.photometric == "MONOCHROME1" else "IDENTITY"
        ds.BurnedInAnnotation = "NO"
    else:
        ds.PixelSpacing = spacing
    if encoding.has_rescale:
        ds.RescaleIntercept = encoding.rescale_intercept
        ds.RescaleSlope = encoding.rescale_slope
        ds.RescaleType = "US"
    low = encoding.rescale_intercept
    high = encoding.rescale_slope * encoding.max_level + encoding.rescale_intercept
    ds.WindowCenter = (low + high) // 2  # a VOI an ingest must ignore (dicom-notes)
    ds.WindowWidth = high - low
    return ds


def _to_bytes(ds: Dataset, **kwargs) -> bytes:
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, **kwargs)
    return buffer.getvalue()


def image_file_bytes(
    header: ImageHeader, stored: NDArray[np.unsignedinteger], encoding: PixelEncoding, transfer_syntax: str
) -> bytes:
    """A complete DICOM Part 10 image file.

    Parameters
    ----------
    header : ImageHeader
    stored : ndarray of shape (H, W) or (F, H, W), uint16 (uint8 if bits_stored <= 8)
        Stored pixel values (see :mod:`vrgan.demo.synth.pixel_encoding`).
    encoding : PixelEncoding
    transfer_syntax : str
        A key of :data:`TRANSFER_SYNTAXES`; compressed syntaxes take single-frame images, and
        JPEG 2000 (openjpeg's 6 resolution levels) needs both sides >= 32.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        If the transfer syntax is unknown or a compressed syntax is given several frames.
    """
    if transfer_syntax not in TRANSFER_SYNTAXES:
        raise ValueError(f"transfer_syntax must be one of {sorted(TRANSFER_SYNTAXES)}, got {transfer_syntax!r}")
    if stored.ndim != 2 and transfer_syntax not in ("explicit_le", "implicit_le"):
        raise ValueError(f"compressed transfer syntax {transfer_syntax!r} is only used for single frames")
    ds = _image_dataset(header, encoding, stored.shape)
    dtype = "<u2" if ds.BitsAllocated == 16 else "u1"
    if transfer_syntax in ("explicit_le", "implicit_le"):
        ds.PixelData = np.ascontiguousarray(stored, dtype=dtype).tobytes()
        ds.file_meta.TransferSyntaxUID = TRANSFER_SYNTAXES[transfer_syntax]
    elif transfer_syntax in ("jpeg_lossless_sv1", "jpeg_lossless_p6"):
        predictor = 1 if transfer_syntax == "jpeg_lossless_sv1" else 6
        ds.PixelData = encapsulate([encode_jpeg_lossless(stored, encoding.bits_stored, predictor)])
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = TRANSFER_SYNTAXES[transfer_syntax]
    elif transfer_syntax == "rle":
        ds.compress(RLELossless, stored.astype(dtype), encoding_plugin="pylibjpeg", generate_instance_uid=False)
    else:  # JPEG 2000 lossless, possibly relabelled as Part 2
        ds.compress(JPEG2000Lossless, stored.astype(dtype), generate_instance_uid=False)
        ds.file_meta.TransferSyntaxUID = TRANSFER_SYNTAXES[transfer_syntax]
    return _to_bytes(ds, enforce_file_format=True)


def header_only_bytes(header: ImageHeader, encoding: PixelEncoding, shape: tuple[int, int]) -> bytes:
    """An image file whose header promises pixels but that has no PixelData element."""
    return _to_bytes(_image_dataset(header, encoding, shape), enforce_file_format=True)


def preambleless_bytes(header: ImageHeader, stored: NDArray[np.unsignedinteger], encoding: PixelEncoding) -> bytes:
    """A valid image dataset written raw: no 128-byte preamble, no 'DICM', no file meta."""
    ds = _image_dataset(header, encoding, stored.shape)
    ds.PixelData = np.ascontiguousarray(stored, dtype="<u2").tobytes()
    del ds.file_meta
    ds.preamble = None
    return _to_bytes(ds, implicit_vr=True, little_endian=True, enforce_file_format=False)


def dose_report_bytes(header: ImageHeader) -> bytes:
    """An X-Ray Radiation Dose SR (no pixel data, not an image SOP class)."""
    ds = _base_dataset(header)
    ds.ValueType = "CONTAINER"
    concept = Dataset()
    concept.CodeValue, concept.CodingSchemeDesignator, concept.CodeMeaning = (
        "113701",
        "DCM",
        "X-Ray Radiation Dose Report",
    )
    ds.ConceptNameCodeSequence = Sequence([concept])
    ds.ContinuityOfContent = "SEPARATE"
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    item = Dataset()
    item.RelationshipType, item.ValueType = "CONTAINS", "TEXT"
    name = Dataset()
    name.CodeValue, name.CodingSchemeDesignator, name.CodeMeaning = "121106", "DCM", "Comment"
    item.ConceptNameCodeSequence = Sequence([name])
    item.TextValue = "Synthetic dose report: no pixel data"
    ds.ContentSequence = Sequence([item])
    return _to_bytes(ds, enforce_file_format=True)


def truncated(file_bytes: bytes, keep_fraction: float = 0.6) -> bytes:
    """The file cut inside its (native) pixel data: the header survives, the pixels do not.

    Parameters
    ----------
    file_bytes : bytes
        A file whose last element is native PixelData.
    keep_fraction : float
        Fraction of the pixel bytes kept.

    Returns
    -------
    bytes
    """
    ds = pydicom.dcmread(io.BytesIO(file_bytes))
    n_pixel = len(ds.PixelData)
    return file_bytes[: len(file_bytes) - n_pixel + int(keep_fraction * n_pixel) // 2 * 2]
