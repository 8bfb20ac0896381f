"""A lossless Huffman JPEG encoder (ITU-T T.81 process 14), numpy only.

pydicom 3.0.2 with the pylibjpeg plugins can *decode* JPEG Lossless (DICOM transfer syntaxes
1.2.840.10008.1.2.4.57 and its selection-value-1 subset 1.2.840.10008.1.2.4.70) but none of the
installed packages can *encode* it, so the synthetic export writes the bitstream itself.

The stream holds one grey-scale frame: SOI, SOF3, one DHT (an optimal table for the image, code
lengths limited to 16 bits as in T.81 annex K.2), SOS (predictor ``Ss``, point transform 0),
the entropy-coded differences, EOI. No restart intervals. The tests check that
pylibjpeg-libjpeg decodes every predictor bit-exactly.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["encode_jpeg_lossless"]

_N_CATEGORIES = 17  # difference categories SSSS = 0..16


def _predictions(image: NDArray[np.int64], predictor: int, precision: int) -> NDArray[np.int64]:
    """Predicted value of every sample (T.81 H.1.2.1, table H.1), edges included.

    Parameters
    ----------
    image : ndarray of shape (H, W), int64
        Sample values in [0, 2**precision).
    predictor : int
        Selection value 1..7.
    precision : int
        Sample precision P in bits.

    Returns
    -------
    ndarray of shape (H, W), int64
    """
    ra = np.zeros_like(image)
    rb = np.zeros_like(image)
    rc = np.zeros_like(image)
    ra[:, 1:] = image[:, :-1]
    rb[1:, :] = image[:-1, :]
    rc[1:, 1:] = image[:-1, :-1]
    formulas = {
        1: lambda: ra,
        2: lambda: rb,
        3: lambda: rc,
        4: lambda: ra + rb - rc,
        5: lambda: ra + ((rb - rc) >> 1),
        6: lambda: rb + ((ra - rc) >> 1),
        7: lambda: (ra + rb) >> 1,
    }
    prediction = formulas[predictor]().copy()
    prediction[0, 1:] = image[0, :-1]  # first line: the sample to the left
    prediction[1:, 0] = image[:-1, 0]  # first column: the sample above
    prediction[0, 0] = 1 << (precision - 1)
    return prediction


def _code_lengths(frequencies: NDArray[np.int64]) -> NDArray[np.int64]:
    """Huffman code length per symbol, limited to 16 bits (T.81 annex K.2, figures K.1-K.3).

    Parameters
    ----------
    frequencies : ndarray of shape (17,), int64
        Count of each difference category.

    Returns
    -------
    ndarray of shape (17,), int64
        Code length per category, 0 for categories that never occur.
    """
    freq = [int(f) for f in frequencies] + [1]  # the reserved symbol keeps all-ones codes unused
    size = [0] * len(freq)
    others = [-1] * len(freq)
    while True:
        live = [i for i, f in enumerate(freq) if f > 0]
        if len(live) < 2:
            break
        v1 = min(live, key=lambda i: (freq[i], -i))  # least frequent; ties: the larger index
        v2 = min((i for i in live if i != v1), key=lambda i: (freq[i], -i))
        freq[v1] += freq[v2]
        freq[v2] = 0
        size[v1] += 1
        while others[v1] != -1:
            v1 = others[v1]
            size[v1] += 1
        others[v1] = v2
        size[v2] += 1
        while others[v2] != -1:
            v2 = others[v2]
            size[v2] += 1
    bits = [0] * 33
    for s in size:
        if s:
            bits[s] += 1
    for i in range(32, 16, -1):  # adjust_bits: no code longer than 16
        while bits[i] > 0:
            j = i - 2
            while bits[j] == 0:
                j -= 1
            bits[i] -= 2
            bits[i - 1] += 1
            bits[j + 1] += 2
            bits[j] -= 1
    longest = max(i for i in range(17) if bits[i] > 0)
    bits[longest] -= 1  # drop the reserved symbol
    order = sorted(range(_N_CATEGORIES), key=lambda i: (size[i] == 0, size[i], i))
    lengths = np.zeros(_N_CATEGORIES, dtype=np.int64)
    position = 0
    for length in range(1, 17):
        for _ in range(bits[length]):
            lengths[order[position]] = length
            position += 1
    return lengths


def _canonical_codes(lengths: NDArray[np.int64]) -> tuple[NDArray[np.int64], list[int], list[int]]:
    """Canonical Huffman codes (T.81 annex C) for the given lengths.

    Returns
    -------
    codes : ndarray of shape (17,), int64
        Code word per category (0 where unused).
    counts : list of int, length 16
        Number of codes of each length 1..16 (the DHT ``BITS`` list).
    symbols : list of int
        Categories in code order (the DHT ``HUFFVAL`` list).
    """
    symbols = sorted((int(s) for s in np.flatnonzero(lengths)), key=lambda s: (lengths[s], s))
    counts = [int(np.sum(lengths == n)) for n in range(1, 17)]
    codes = np.zeros(_N_CATEGORIES, dtype=np.int64)
    code, previous = 0, int(lengths[symbols[0]])
    for symbol in symbols:
        code <<= int(lengths[symbol]) - previous
        previous = int(lengths[symbol])
        codes[symbol] = code
        code += 1
    return codes, counts, symbols


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def _pack_bits(values: NDArray[np.int64], lengths: NDArray[np.int64]) -> bytes:
    """Concatenate variable-length codes (at most 32 bits each) MSB first, pad the last byte
    with 1-bits, and stuff a 0x00 after every 0xFF.

    Codes never share bits, so each 32-bit output word is the *sum* of the parts of the codes
    that overlap it. A code starting at bit ``s`` is placed in the 64-bit window of words
    ``s // 32`` and ``s // 32 + 1``; as starts are sorted, the per-word sums are segment sums
    (``numpy.add.reduceat``).
    """
    total = int(lengths.sum())
    start = np.cumsum(lengths) - lengths
    window = values.astype(np.uint64) << (64 - (start & 31) - lengths).astype(np.uint64)
    word = start >> 5
    words = np.zeros(total // 32 + 2, dtype=np.uint64)
    first = np.concatenate([[0], np.flatnonzero(np.diff(word)) + 1])
    words[word[first]] += np.add.reduceat(window >> np.uint64(32), first)
    words[word[first] + 1] += np.add.reduceat(window & np.uint64(0xFFFFFFFF), first)
    data = np.frombuffer(words.astype(">u4").tobytes(), dtype=np.uint8)[: -(-total // 8)].copy()
    if total % 8:
        data[-1] |= (1 << (8 - total % 8)) - 1
    ff = np.flatnonzero(data == 0xFF)
    return np.insert(data, ff + 1, 0).tobytes()


def encode_jpeg_lossless(image: NDArray[np.integer], precision: int, predictor: int = 1) -> bytes:
    """Encode one grey-scale frame as a lossless Huffman JPEG (SOF3) bitstream.

    Parameters
    ----------
    image : ndarray of shape (H, W), unsigned integer
        Samples, all in [0, 2**precision).
    precision : int
        Sample precision P in bits, 2..16 (for DICOM: BitsStored).
    predictor : int, default 1
        Selection value 1..7 (1 for transfer syntax 1.2.840.10008.1.2.4.70).

    Returns
    -------
    bytes
        The complete JPEG stream, SOI to EOI, ready for DICOM encapsulation.

    Raises
    ------
    ValueError
        If the image is not 2-D, the precision or predictor is out of range, or a sample does
        not fit in ``precision`` bits.
    """
    if image.ndim != 2 or image.size == 0:
        raise ValueError(f"image must be a non-empty 2-D array, got shape {image.shape}")
    if not 2 <= precision <= 16:
        raise ValueError(f"precision must be in 2..16, got {precision}")
    if predictor not in range(1, 8):
        raise ValueError(f"predictor must be in 1..7, got {predictor}")
    samples = image.astype(np.int64)
    if samples.min() < 0 or samples.max() >= 1 << precision:
        raise ValueError(f"samples must lie in [0, 2**{precision}), got [{samples.min()}, {samples.max()}]")
    diff = (samples - _predictions(samples, predictor, precision)) % 65536
    diff = np.where(diff > 32768, diff - 65536, diff).ravel()
    magnitude = np.abs(diff)
    category = np.frexp(magnitude.astype(np.float64))[1].astype(np.int64)  # bit length, 0 for 0
    extra = np.where(diff < 0, diff - 1, diff) & ((1 << category) - 1)
    extra[category == 16] = 0  # difference 32768: no additional bits (T.81 H.1.2.2)
    extra_len = np.where(category == 16, 0, category)
    lengths = _code_lengths(np.bincount(category, minlength=_N_CATEGORIES))
    codes, counts, symbols = _canonical_codes(lengths)
    words = (codes[category] << extra_len) | extra
    word_len = lengths[category] + extra_len
    height, width = image.shape
    sof = bytes([precision]) + height.to_bytes(2, "big") + width.to_bytes(2, "big") + bytes([1, 1, 0x11, 0])
    dht = bytes([0x00]) + bytes(counts) + bytes(symbols)
    sos = bytes([1, 1, 0x00, predictor, 0, 0])
    return (
        b"\xff\xd8"
        + _segment(0xC3, sof)
        + _segment(0xC4, dht)
        + _segment(0xDA, sos)
        + _pack_bits(words, word_len)
        + b"\xff\xd9"
    )
