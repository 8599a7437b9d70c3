"""Virtual IMUs from mocap: exact on a known motion, and close to the real Xsens sensors worn on
the shared S02 trial (`kinedge data virtualize ... --check-against`)."""
import json

import numpy as np
import pytest

from conftest import shared
from test_c3d import write_c3d
from test_cli_data import assert_one_line_error, run
from trainer.data.errors import DataError
from trainer.data.virtualize import VirtualSettings, virtualize_c3d

RATE = 100.0
t = np.arange(400) / RATE
THETA = 0.4 * np.sin(2 * np.pi * t)              # thigh swing about the lab's y axis (rad)
THETA_DOT = 0.4 * 2 * np.pi * np.cos(2 * np.pi * t)
THETA_DDOT = -0.4 * (2 * np.pi) ** 2 * np.sin(2 * np.pi * t)
HIP = np.array([0.0, -0.1, 0.9])
THIGH, SHANK, FOOT = 0.4, 0.4, 0.15


def rot_y(a):
    c, s, z, o = np.cos(a), np.sin(a), np.zeros_like(a), np.ones_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def bones(origin, R, proximal=None, arm=0.1):
    """Plug-in-Gait style bone points (metres): O, A (x), L (y), P (z, or the proximal joint)."""
    points = [origin + arm * R[:, :, k] for k in range(3)]
    if proximal is not None:
        points[2] = proximal
    return [origin] + points


def pendulum_c3d(path, drop=None):
    """A straight right leg swinging from a fixed pelvis, written as Plug-in-Gait bones in mm."""
    R = rot_y(THETA)
    still = np.repeat(np.eye(3)[None], len(t), axis=0)
    hip = np.repeat(HIP[None], len(t), axis=0)
    down = lambda length: hip + np.einsum("tij,j->ti", R, [0.0, 0.0, -length])
    knee, ankle = down(THIGH), down(THIGH + SHANK)
    toe = ankle + np.einsum("tij,j->ti", R, [FOOT, 0.0, 0.0])
    segments = {"PEL": bones(np.repeat([[0.0, 0.0, 0.95]], len(t), 0), still),
                "RFE": bones(knee, R, proximal=hip), "RTI": bones(ankle, R, proximal=knee), "RFO": bones(toe, R)}
    labels = {}
    for code, points in segments.items():
        for suffix, xyz in zip("OALP", points):
            labels[f"{code}{suffix}"] = (xyz * 1000).T
    if drop:
        label, frames = drop
        labels[label] = labels[label].copy()
        labels[label][:, frames] = np.nan
    return write_c3d(path, labels, RATE)


def test_known_motion_gives_the_exact_gyro_and_specific_force(tmp_path):
    recording = virtualize_c3d(pendulum_c3d(tmp_path / "swing.c3d"), "S1", "walk")
    assert recording.extra["layout"] == "plug-in-gait" and recording.extra["up"] == [0.0, 0.0, 1.0]
    assert recording.segments == ["pelvis", "femur_r", "tibia_r", "calcn_r"] and recording.angles == []
    inner = slice(30, -30)   # away from the filter's and the differences' edges
    gyr = recording.data[["femur_r_gyr_x", "femur_r_gyr_y", "femur_r_gyr_z"]].to_numpy()
    np.testing.assert_allclose(gyr[inner, 1], THETA_DOT[inner], atol=0.02)
    np.testing.assert_allclose(gyr[inner][:, [0, 2]], 0.0, atol=1e-3)
    # Site: halfway down the thigh, 7 cm lateral (−y on the right): p = hip + Ry(θ)(0, −0.07, −0.2).
    c, s = np.cos(THETA), np.sin(THETA)
    a_world = np.column_stack([-0.2 * (c * THETA_DDOT - s * THETA_DOT ** 2), np.zeros_like(t),
                               -0.2 * (-s * THETA_DDOT - c * THETA_DOT ** 2) + 9.81])
    expected = np.einsum("tji,tj->ti", rot_y(THETA), a_world)
    acc = recording.data[["femur_r_acc_x", "femur_r_acc_y", "femur_r_acc_z"]].to_numpy()
    np.testing.assert_allclose(acc[inner], expected[inner], atol=0.08)
    still = recording.data[["pelvis_acc_x", "pelvis_acc_y", "pelvis_acc_z"]].to_numpy()
    np.testing.assert_allclose(still[inner], [[0.0, 0.0, 9.81]] * len(still[inner]), atol=1e-6)


def test_mounting_turns_the_sensor_frame(tmp_path):
    path = pendulum_c3d(tmp_path / "swing.c3d")
    turned = virtualize_c3d(path, "S1", "walk", VirtualSettings(mounts={"femur_r": [0.0, 0.0, 90.0]}))
    gyr = turned.data[["femur_r_gyr_x", "femur_r_gyr_y"]].to_numpy()[30:-30]
    # Turned +90° about z, the sensor's x axis lies along the segment's y: it reads the swing there.
    np.testing.assert_allclose(gyr[:, 0], THETA_DOT[30:-30], atol=0.02)
    np.testing.assert_allclose(gyr[:, 1], 0.0, atol=1e-3)
    a = virtualize_c3d(path, "S1", "walk", VirtualSettings(mount_error_deg=10, noise=True, seed=3))
    b = virtualize_c3d(path, "S1", "walk", VirtualSettings(mount_error_deg=10, noise=True, seed=3))
    assert a.data.equals(b.data)
    angles = [np.linalg.norm(v) for v in a.extra["virtual"]["mount_rotvec_deg"].values()]
    assert all(0 < angle <= 10 for angle in angles)


def test_long_marker_gap_is_named(tmp_path):
    path = pendulum_c3d(tmp_path / "gap.c3d", drop=("RFEA", slice(100, 130)))
    with pytest.raises(DataError, match=r"gap.c3d, column 'RFEA', frame 100: 30 frames missing"):
        virtualize_c3d(path, "S1", "walk")
    short = virtualize_c3d(pendulum_c3d(tmp_path / "short.c3d", drop=("RFEA", slice(100, 105))), "S1", "walk")
    assert np.isfinite(short.data.to_numpy()).all()


def test_a_c3d_without_poses_is_one_line(tmp_path):
    path = write_c3d(tmp_path / "angles.c3d", {"RKneeAngles": (t, t, t)})
    result = run("data", "virtualize", path, "--subject", "S1", "--out", tmp_path / "v.parquet")
    assert_one_line_error(result, "angles.c3d", "no segment poses")
    assert not (tmp_path / "v.parquet").exists()


def test_s02_virtual_imus_agree_with_the_real_xsens(tmp_path):
    trial = shared("gaittoolbox-s02-walk")
    from test_sensor_maps import S02_SENSORS

    maps = [a for sid, segment in S02_SENSORS.items() for a in ("--map", f"{sid}={segment}")]
    real = run("data", "import", "xsens", *sorted((trial / "rawimu").glob("*.txt")), *maps, "--subject", "S02",
               "--out", tmp_path / "real.parquet")
    assert real.returncode == 0, real.stderr
    result = run("data", "virtualize", trial / "S02-Trial-Walk-1-vicon.c3d", "--subject", "S02",
                 "--out", tmp_path / "virtual.parquet", "--check-against", tmp_path / "real.parquet")
    assert result.returncode == 0, result.stderr
    assert "knee_angle_r" in result.stdout and all(s in result.stdout for s in S02_SENSORS.values())
    compared = run("data", "compare", tmp_path / "virtual.parquet", tmp_path / "real.parquet",
                   "--json", tmp_path / "agreement.json")
    assert compared.returncode == 0, compared.stderr
    agreement = json.loads((tmp_path / "agreement.json").read_text())
    assert abs(agreement["lag_s"]) < 0.2
    for segment, row in agreement["segments"].items():
        assert set(row["gyr"]) == set(row["acc"]) == {"x", "y", "z", "magnitude_r"}
        if segment.startswith(("femur", "tibia")):
            assert row["sagittal_gyr_r"] >= 0.9, (segment, row)
        assert row["gyr"]["magnitude_r"] > 0.8, (segment, row)
