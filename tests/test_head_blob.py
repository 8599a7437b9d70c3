import numpy as np
import pytest

from converter.head_blob import Head, HeadBlobError

# A pinned vector: a 2x1 head; any change to the layout changes these bytes.
PINNED = Head(np.array([[1.0], [-2.0]], np.float32), np.array([0.5], np.float32), bytes(range(8)), head_id=7)
PINNED_HEX = ("4b454844010020000001020304050607020001000700000000000000000000000000803f000000c00000003f")


def test_layout_is_pinned():
    blob = PINNED.to_bytes()
    assert blob[:-4].hex() == PINNED_HEX
    assert len(blob) == 32 + 4 * 2 + 4 + 4


def test_round_trip():
    head = Head(np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32),
                np.arange(5, dtype=np.float32), b"abcdefgh", head_id=42)
    back = Head.from_bytes(head.to_bytes())
    np.testing.assert_array_equal(back.kernel, head.kernel)
    np.testing.assert_array_equal(back.bias, head.bias)
    assert back.model_hash == b"abcdefgh" and back.head_id == 42


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-1], "bytes, its header says"),
    (lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:], "CRC mismatch"),
    (lambda b: b"XXXX" + b[4:], "not a head blob"),
    (lambda b: b[:10], "too short"),
])
def test_damage_is_detected(damage, message):
    with pytest.raises(HeadBlobError, match=message):
        Head.from_bytes(damage(PINNED.to_bytes()))
