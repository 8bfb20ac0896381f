"""The lossless JPEG encoder: exact bytes on a hand-checkable case, bit-exact decoding by libjpeg."""

import io

import numpy as np
import pydicom
import pytest

from vrgan.demo.synth.jpeg_lossless import encode_jpeg_lossless

libjpeg = pytest.importorskip("libjpeg", reason="pylibjpeg-libjpeg decodes JPEG Lossless")


def test_single_sample_stream_is_exact():
    # One 12-bit sample equal to the first-sample prediction 2**11: one difference of category 0,
    # coded as the 1-bit code '0' and padded with 1-bits -> entropy byte 0x7F.
    stream = encode_jpeg_lossless(np.array([[2048]], dtype=np.uint16), precision=12, predictor=1)
    expected = (
        b"\xff\xd8"
        + b"\xff\xc3\x00\x0b\x0c\x00\x01\x00\x01\x01\x01\x11\x00"
        + b"\xff\xc4\x00\x14\x00"
        + b"\x01"
        + b"\x00" * 15
        + b"\x00"
        + b"\xff\xda\x00\x08\x01\x01\x00\x01\x00\x00"
        + b"\x7f"
        + b"\xff\xd9"
    )
    assert stream == expected


@pytest.mark.parametrize("precision", [2, 8, 12, 14, 16])
@pytest.mark.parametrize("predictor", range(1, 8))
def test_libjpeg_decodes_bit_exactly(precision, predictor):
    rng = np.random.default_rng(precision * 10 + predictor)
    for shape in [(1, 1), (1, 7), (5, 1), (4, 4), (17, 23)]:
        image = rng.integers(0, 1 << precision, shape).astype(np.uint16)
        decoded = libjpeg.decode(encode_jpeg_lossless(image, precision, predictor))
        np.testing.assert_array_equal(decoded, image)


def test_extreme_differences_and_byte_stuffing():
    # Alternating 0 / 65535 gives the difference 32768 (category 16, no extra bits) and many 0xFF bytes.
    image = np.zeros((8, 9), dtype=np.uint16)
    image[:, 1::2] = 65535
    image[3] = 32768
    stream = encode_jpeg_lossless(image, 16, 1)
    np.testing.assert_array_equal(libjpeg.decode(stream), image)
    body = stream[stream.index(b"\xff\xda") + 10 : -2]
    assert all(body[i + 1] == 0 for i in range(len(body) - 1) if body[i] == 0xFF)


def test_pydicom_decodes_an_encapsulated_frame():
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGLosslessSV1

    image = np.arange(12 * 10, dtype=np.uint16).reshape(12, 10) * 33
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = JPEGLosslessSV1
    ds.Rows, ds.Columns, ds.SamplesPerPixel = 12, 10, 1
    ds.PhotometricInterpretation, ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = (
        "MONOCHROME2",
        16,
        12,
        11,
        0,
    )
    ds.PixelData = encapsulate([encode_jpeg_lossless(image, 12)])
    ds["PixelData"].VR = "OB"
    buffer = io.BytesIO()
    ds.save_as(buffer, implicit_vr=False, little_endian=True)
    np.testing.assert_array_equal(pydicom.dcmread(io.BytesIO(buffer.getvalue()), force=True).pixel_array, image)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        encode_jpeg_lossless(np.zeros(4, dtype=np.uint16), 12)
    with pytest.raises(ValueError, match=r"\[0, 2\*\*12\)"):
        encode_jpeg_lossless(np.full((2, 2), 4096, dtype=np.uint16), 12)
    with pytest.raises(ValueError, match="predictor"):
        encode_jpeg_lossless(np.zeros((2, 2), dtype=np.uint16), 12, predictor=8)
