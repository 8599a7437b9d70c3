"""C3D angle import, on files written with ezc3d in both conventions."""
import ezc3d
import numpy as np
import pytest

from trainer.data.errors import DataError
from trainer.data.loaders.c3d import load_c3d_angles


def write_c3d(path, labels_and_xyz: dict, rate=100.0):
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [rate]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = tuple(labels_and_xyz)
    n = len(next(iter(labels_and_xyz.values()))[0])
    points = np.ones((4, len(labels_and_xyz), n))
    for i, xyz in enumerate(labels_and_xyz.values()):
        points[:3, i, :] = xyz
    c3d["data"]["points"] = points
    c3d.write(str(path))
    return path


phase = np.linspace(0, 4 * np.pi, 400)
FLEX = 30 + 30 * np.sin(phase)     # 0..60: the knee's wide flexion range
ADD = 5 * np.sin(phase + 1)
ROT = 3 * np.cos(phase)


def test_plug_in_gait_components_and_signs(tmp_path):
    path = write_c3d(tmp_path / "pig.c3d", {
        "Sub:RHipAngles": (FLEX / 2, ADD, ROT), "Sub:RKneeAngles": (FLEX, ADD / 5, ROT / 3),
        "Sub:RAnkleAngles": (FLEX / 5 - 10, ADD, ROT), "Sub:RPelvis": (ADD, ADD, ADD)})
    recording = load_c3d_angles(path, "S1", "walk")
    assert recording.extra["convention"] == "plug-in-gait"
    assert recording.angles == ["hip_flexion_r", "hip_adduction_r", "hip_rotation_r", "knee_angle_r", "ankle_angle_r"]
    np.testing.assert_allclose(recording.data["knee_angle_r"], FLEX, atol=1e-4)
    np.testing.assert_allclose(recording.data["hip_adduction_r"], ADD, atol=1e-4)
    np.testing.assert_allclose(recording.data["hip_rotation_r"], ROT, atol=1e-4)
    np.testing.assert_allclose(recording.data["ankle_angle_r"], FLEX / 5 - 10, atol=1e-4)


def test_gaittoolbox_yxz_components_are_detected(tmp_path):
    path = write_c3d(tmp_path / "gt.c3d", {
        "LHipAngles": (ADD, FLEX / 2, ROT), "LKneeAngles": (ADD / 5, FLEX, ROT / 3), "LAnkleAngles": (ADD, FLEX / 5, 0 * ROT)})
    recording = load_c3d_angles(path, "S1", "walk")
    assert recording.extra["convention"] == "gaittoolbox"
    np.testing.assert_allclose(recording.data["knee_angle_l"], FLEX, atol=1e-4)
    np.testing.assert_allclose(recording.data["hip_adduction_l"], ADD, atol=1e-4)
    np.testing.assert_allclose(recording.data["hip_flexion_l"], FLEX / 2, atol=1e-4)


def test_c3d_without_angle_labels_says_so(tmp_path):
    path = write_c3d(tmp_path / "markers.c3d", {"LASI": (ADD, ADD, ADD), "RASI": (ADD, ADD, ADD)})
    with pytest.raises(DataError, match=r"markers.c3d: no joint-angle labels .*labels present: LASI, RASI"):
        load_c3d_angles(path, "S1", "walk")


def test_not_a_c3d_file(tmp_path):
    (tmp_path / "bad.c3d").write_bytes(b"not a c3d file at all")
    with pytest.raises(DataError, match=r"bad.c3d: not a readable C3D file"):
        load_c3d_angles(tmp_path / "bad.c3d", "S1", "walk")
