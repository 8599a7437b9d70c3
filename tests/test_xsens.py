"""The Xsens MT Manager export loader, on files written here in the exporter's exact layout."""
from pathlib import Path

import numpy as np
import pytest

from trainer.data.errors import DataError
from trainer.data.loaders.xsens import load_xsens_trial, parse_sensor_map, read_xsens_file
from trainer.data.schema import imu_columns
from trainer.data.validate import validate

HEADER = ("// Start Time: Unknown\n// Update Rate: 100.0Hz\n// Filter Profile: human (46.1)\n"
          "// Option Flags: AHS Disabled ICC Disabled \n// Firmware Version: 4.3.4\n"
          "PacketCounter,SampleTimeFine,Acc_X,Acc_Y,Acc_Z,Gyr_X,Gyr_Y,Gyr_Z,Mag_X,Mag_Y,Mag_Z,"
          "Quat_q0,Quat_q1,Quat_q2,Quat_q3\n")


def write_export(path: Path, recording, segment: str, first_packet: int, drop=()) -> Path:
    values = recording.data[imu_columns(segment)].to_numpy(dtype=float)
    rows = []
    for i, (ax, ay, az, gx, gy, gz) in enumerate(values):
        if i in drop:
            continue
        counter = (first_packet + i) % 65536
        rows.append(f"{counter},,{ax:.6f},{ay:.6f},{az:.6f},{gx:.6f},{gy:.6f},{gz:.6f},"
                    f"0.76,-0.37,0.69,1.0,0.0,0.0,0.0")
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def trial_files(walk_recording, tmp_path):
    # The two sensors start one packet apart, as they do in a real export.
    return [write_export(tmp_path / "Walk-000_00B40C3C.txt", walk_recording, "femur_r", 27626),
            write_export(tmp_path / "Walk-000_00B40C48.txt", walk_recording, "calcn_r", 27625)]


MAP = {"00B40C3C": "femur_r", "00B40C48": "calcn_r"}


def test_trial_is_put_on_one_time_base_by_packet_counter(trial_files, walk_recording):
    recording = load_xsens_trial(trial_files, MAP, "S1", "walk")
    validate(recording)
    assert recording.sample_rate == 100.0 and recording.segments == ["femur_r", "calcn_r"]
    assert recording.n_samples == walk_recording.n_samples - 1
    np.testing.assert_allclose(recording.data["femur_r_gyr_z"].to_numpy(),
                               walk_recording.data["femur_r_gyr_z"].to_numpy()[:-1], atol=1e-5)
    np.testing.assert_allclose(recording.data["calcn_r_acc_y"].to_numpy(),
                               walk_recording.data["calcn_r_acc_y"].to_numpy()[1:], atol=1e-5)


def test_packet_counter_wraps_at_16_bits(walk_recording, tmp_path):
    f = read_xsens_file(write_export(tmp_path / "x_00B40C3C.txt", walk_recording, "femur_r", 65500))
    assert np.all(np.diff(f.packet) == 1) and f.missing_packets == 0


def test_dropped_packets_become_gaps_not_shifts(walk_recording, tmp_path):
    f = read_xsens_file(write_export(tmp_path / "x_00B40C3C.txt", walk_recording, "femur_r", 0, drop={10, 11}))
    assert f.missing_packets == 2 and np.isnan(f.gyr[10:12]).all()
    np.testing.assert_allclose(f.gyr[12, 2], walk_recording.data["femur_r_gyr_z"][12], atol=1e-5)


def test_truncated_export_names_file_and_frame(trial_files):
    text = trial_files[0].read_text()
    trial_files[0].write_text(text[: text.rindex("\n", 0, len(text) - 1) + 25])
    with pytest.raises(DataError, match=r"Walk-000_00B40C3C.txt, frame 1199: truncated or malformed row"):
        load_xsens_trial(trial_files, MAP, "S1", "walk")


def test_missing_gyro_column_is_named(trial_files):
    trial_files[1].write_text(trial_files[1].read_text().replace("Gyr_Y", "Gyr_Q"))
    with pytest.raises(DataError, match=r"00B40C48.txt, column 'Gyr_Y': missing column"):
        load_xsens_trial(trial_files, MAP, "S1", "walk")


def test_mapped_sensor_without_a_file(trial_files):
    with pytest.raises(DataError, match=r"no export file for sensor 00B40C55 \(mapped to calcn_l\)"):
        load_xsens_trial(trial_files, {**MAP, "00B40C55": "calcn_l"}, "S1", "walk")


def test_sensor_map_is_checked():
    assert parse_sensor_map(["00b40c48=calcn_r"]) == {"00B40C48": "calcn_r"}
    with pytest.raises(ValueError, match="unknown segment 'foot_r'"):
        parse_sensor_map(["00B40C48=foot_r"])
    with pytest.raises(ValueError, match="given twice"):
        parse_sensor_map(["A=calcn_r", "B=calcn_r"])
