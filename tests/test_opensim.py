import numpy as np
import pytest

from trainer.data.errors import DataError
from trainer.data.loaders.opensim import load_angles, load_imu_storage
from trainer.data.schema import imu_columns


def write_mot(path, recording, names, in_degrees=True, knee_sign=1.0, drop_last_value=False):
    t = recording.data["time"].to_numpy()
    lines = ["Coordinates", "version=1", f"nRows={len(t)}", f"nColumns={len(names) + 1}",
             f"inDegrees={'yes' if in_degrees else 'no'}", "endheader", "\t".join(["time", *names])]
    for i in range(len(t)):
        values = []
        for name in names:
            v = float(recording.data[name].iloc[i]) * (knee_sign if name.startswith("knee") else 1.0)
            values.append(v if in_degrees else np.deg2rad(v))
        row = [f"{t[i]:.4f}"] + [f"{v:.6f}" for v in values]
        if drop_last_value and i == 7:
            row = row[:-1]
        lines.append("\t".join(row))
    path.write_text("\n".join(lines) + "\n")
    return path


NAMES = ["hip_flexion_r", "knee_angle_r", "ankle_angle_r"]


def test_angles_are_read_in_degrees(walk_recording, tmp_path):
    recording = load_angles(write_mot(tmp_path / "ik.mot", walk_recording, NAMES), "S1", "walk")
    assert recording.angles == NAMES and recording.sample_rate == pytest.approx(100.0)
    np.testing.assert_allclose(recording.data["knee_angle_r"], walk_recording.data["knee_angle_r"], atol=1e-4)


def test_radians_are_converted(walk_recording, tmp_path):
    recording = load_angles(write_mot(tmp_path / "ik.sto", walk_recording, NAMES, in_degrees=False), "S1", "walk")
    np.testing.assert_allclose(recording.data["hip_flexion_r"], walk_recording.data["hip_flexion_r"], atol=1e-3)


def test_gait2392_negative_knee_flexion_is_turned_positive(walk_recording, tmp_path):
    path = write_mot(tmp_path / "ik.mot", walk_recording, NAMES, knee_sign=-1.0)
    recording = load_angles(path, "S1", "walk")
    assert recording.extra["knee_sign_flipped"] == ["knee_angle_r"]
    assert recording.data["knee_angle_r"].max() > 50
    kept = load_angles(path, "S1", "walk", knee_flexion_negative=False)
    assert kept.data["knee_angle_r"].max() < 20


def test_requested_angle_missing_is_named(walk_recording, tmp_path):
    path = write_mot(tmp_path / "ik.mot", walk_recording, NAMES)
    with pytest.raises(DataError, match=r"ik.mot, column 'knee_angle_l': missing column"):
        load_angles(path, "S1", "walk", angles=["knee_angle_r", "knee_angle_l"])


def test_row_missing_a_value_names_the_frame(walk_recording, tmp_path):
    path = write_mot(tmp_path / "ik.mot", walk_recording, NAMES, drop_last_value=True)
    with pytest.raises(DataError, match=r"ik.mot, frame 7: row has 3 values for 4 columns"):
        load_angles(path, "S1", "walk")


def test_file_without_header_end(tmp_path):
    (tmp_path / "x.mot").write_text("time\tknee_angle_r\n0\t1\n")
    with pytest.raises(DataError, match="no 'endheader'"):
        load_angles(tmp_path / "x.mot", "S1", "walk")


def write_vec3(path, recording, kind):
    columns = {s: imu_columns(s)[(0 if kind == "acc" else 3):][:3] for s in ("pelvis", "femur_r")}
    lines = ["DataRate=100.000000", "DataType=Vec3", "version=3", "OpenSimVersion=4.4", "endheader",
             "\t".join(["time"] + [f"{s}_imu" for s in columns])]
    for i, t in enumerate(recording.data["time"]):
        cells = [",".join(f"{recording.data[c].iloc[i]:.6f}" for c in cols) for cols in columns.values()]
        lines.append("\t".join([f"{t:.3f}"] + cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_opensense_vec3_imu_files(walk_recording, tmp_path):
    short = walk_recording.slice(0, 200)
    recording = load_imu_storage(write_vec3(tmp_path / "acc.sto", short, "acc"),
                                 write_vec3(tmp_path / "gyr.sto", short, "gyr"), "S1", "walk")
    assert recording.segments == ["pelvis", "femur_r"]
    np.testing.assert_allclose(recording.data["femur_r_gyr_z"], short.data["femur_r_gyr_z"], atol=1e-5)
