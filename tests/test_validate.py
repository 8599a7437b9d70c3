import numpy as np
import pytest

from trainer.data.errors import DataError
from trainer.data.validate import validate


def broken(recording, edit):
    data = recording.data.copy()
    data = edit(data) if edit else data
    return recording.replace(data=data)


def test_a_generated_recording_keeps_the_contract(walk_recording):
    assert validate(walk_recording) is walk_recording


def test_missing_column_is_named(walk_recording):
    bad = broken(walk_recording, lambda d: d.drop(columns=["femur_r_gyr_y"]))
    with pytest.raises(DataError, match=r"column 'femur_r_gyr_y'.*5 of its 6"):
        validate(bad, source="trial.parquet")


def test_missing_time_is_named(walk_recording):
    with pytest.raises(DataError, match=r"trial.parquet, column 'time'"):
        validate(broken(walk_recording, lambda d: d.drop(columns=["time"])), source="trial.parquet")


def test_duplicated_column_is_named(walk_recording):
    def dup(d):
        d = d.copy()
        d.insert(1, "knee_angle_r", d["knee_angle_r"], allow_duplicates=True)
        return d
    with pytest.raises(DataError, match=r"column 'knee_angle_r': appears 2 times"):
        validate(broken(walk_recording, dup))


def test_unknown_column_is_named(walk_recording):
    bad = broken(walk_recording, lambda d: d.assign(thorax_acc_x=0.0))
    with pytest.raises(DataError, match=r"column 'thorax_acc_x': unknown segment 'thorax'"):
        validate(bad)


def test_non_monotonic_time_names_the_frame(walk_recording):
    def swap(d):
        d = d.copy()
        t = d["time"].to_numpy().copy()
        t[101], t[100] = t[100], t[101]
        d["time"] = t
        return d
    with pytest.raises(DataError, match=r"column 'time', frame 101: time does not increase"):
        validate(broken(walk_recording, swap))


def test_long_nan_run_names_column_and_first_frame(walk_recording):
    def hole(d):
        d = d.copy()
        d.loc[500:540, "tibia_l_acc_z"] = np.nan
        return d
    with pytest.raises(DataError, match=r"column 'tibia_l_acc_z', frame 500: 41 missing samples"):
        validate(broken(walk_recording, hole))


def test_short_nan_run_is_allowed(walk_recording):
    def hole(d):
        d = d.copy()
        d.loc[500:504, "tibia_l_acc_z"] = np.nan
        return d
    validate(broken(walk_recording, hole))


def test_sample_rate_not_matching_timestamps(walk_recording):
    with pytest.raises(DataError, match=r"stated sample rate 50 Hz does not match .* = 100 Hz"):
        validate(walk_recording.replace(sample_rate=50.0))


def test_time_gap_longer_than_limit(walk_recording):
    def jump(d):
        d = d.copy()
        d.loc[300:, "time"] += 0.5
        return d
    with pytest.raises(DataError, match=r"frame 300: time jumps by 0.510 s"):
        validate(broken(walk_recording, jump))


def test_gyro_in_degrees_per_second_is_caught(walk_recording):
    def degrees(d):
        d = d.copy()
        for axis in "xyz":
            d[f"calcn_r_gyr_{axis}"] = np.rad2deg(d[f"calcn_r_gyr_{axis}"])
        return d
    with pytest.raises(DataError, match=r"column 'calcn_r_gyr_.': gyroscope reaches \d+ .*deg/s"):
        validate(broken(walk_recording, degrees))


def test_acc_in_g_is_caught(walk_recording):
    def in_g(d):
        d = d.copy()
        for axis in "xyz":
            d[f"pelvis_acc_{axis}"] = d[f"pelvis_acc_{axis}"] / 9.81
        return d
    with pytest.raises(DataError, match=r"column 'pelvis_acc_x': .*looks like g"):
        validate(broken(walk_recording, in_g))
