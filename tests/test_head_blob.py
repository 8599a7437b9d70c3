import numpy as np
import pytest

from converter.calibration_blob import CalibrationBlob, CalibrationBlobError
from converter.head_blob import Head, HeadBlobError
from trainer.calibration import Calibration

# Pinned vectors: any change to a layout changes these bytes. A head of 2 embedding rows and 1
# physics row for 1 output; a calibration of one IMU.
PINNED = Head(np.array([[1.0], [-2.0], [0.25]], np.float32), np.array([0.5], np.float32), bytes(range(8)),
              head_id=7, n_physics=1)
PINNED_HEX = ("4b454844020020000001020304050607020001000700000001000000000000"
              "000000803f000000c00000803e0000003f")
PINNED_CALIBRATION = CalibrationBlob(Calibration(["femur_r"], np.eye(3)[None], np.array([[0.5, -0.25, 0.0]])),
                                     bytes(range(8)), 3)
PINNED_CALIBRATION_HEX = ("4b45434101002000000102030405060701000c00030000000000000000000000"
                          "0000803f0000000000000000000000000000803f0000000000000000000000000000803f"
                          "0000003f000080be00000000")


def test_layout_is_pinned():
    blob = PINNED.to_bytes()
    assert blob[:-4].hex() == PINNED_HEX
    assert len(blob) == 32 + 4 * 3 + 4 + 4


def test_calibration_layout_is_pinned_and_round_trips():
    blob = PINNED_CALIBRATION.to_bytes()
    assert blob[:-4].hex() == PINNED_CALIBRATION_HEX
    back = CalibrationBlob.from_bytes(blob, ["femur_r"])
    np.testing.assert_array_equal(back.calibration.as_array(), PINNED_CALIBRATION.calibration.as_array())
    assert back.calibration_id == 3 and back.model_hash == bytes(range(8))
    with pytest.raises(CalibrationBlobError, match="holds 1 IMUs, the model reads 2"):
        CalibrationBlob.from_bytes(blob, ["femur_r", "calcn_r"])
    with pytest.raises(CalibrationBlobError, match="CRC mismatch"):
        CalibrationBlob.from_bytes(blob[:40] + bytes([blob[40] ^ 1]) + blob[41:], ["femur_r"])


def test_round_trip():
    head = Head(np.random.default_rng(0).normal(size=(68, 5)).astype(np.float32),
                np.arange(5, dtype=np.float32), b"abcdefgh", head_id=42, n_physics=4)
    back = Head.from_bytes(head.to_bytes())
    np.testing.assert_array_equal(back.kernel, head.kernel)
    np.testing.assert_array_equal(back.bias, head.bias)
    assert back.model_hash == b"abcdefgh" and back.head_id == 42 and back.n_physics == 4 and back.n_embedding == 64


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-1], "CRC mismatch"),
    (lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:], "CRC mismatch"),
    (lambda b: b"XXXX" + b[4:], "not a head blob"),
    (lambda b: b[:10], "too short"),
])
def test_damage_is_detected(damage, message):
    with pytest.raises(HeadBlobError, match=message):
        Head.from_bytes(damage(PINNED.to_bytes()))
