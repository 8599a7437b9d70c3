"""The synthetic gait generator: deterministic, physically consistent, varied between people."""
import numpy as np
import pytest

from trainer.data.align import gyro_speed, sagittal_speed
from trainer.data.schema import ANGLES, SEGMENTS, imu_columns
from trainer.data.store import Dataset
from trainer.data.validate import validate
from trainer.synth.dataset import synthesize_dataset
from trainer.synth.generate import TrialSpec, default_trials, subject_rng, synthesize_subject, synthesize_trial
from trainer.synth.subjects import sample_subject


def test_same_seed_same_data_and_subjects_are_independent():
    a = synthesize_subject(5, 1, default_trials(0.5))
    b = synthesize_subject(5, 1, default_trials(0.5))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.data.to_numpy(), y.data.to_numpy())
    other_seed = synthesize_subject(6, 1, default_trials(0.5))
    assert not np.allclose(a[0].data["knee_angle_r"], other_seed[0].data["knee_angle_r"])


def test_parallel_generation_gives_the_same_data_set(tmp_path):
    serial = synthesize_dataset(tmp_path / "serial", subjects=2, minutes=0.5, seed=3, jobs=1)
    parallel = synthesize_dataset(tmp_path / "parallel", subjects=2, minutes=0.5, seed=3, jobs=2)
    for x, y in zip(Dataset(serial).load(), Dataset(parallel).load()):
        np.testing.assert_array_equal(x.data.to_numpy(), y.data.to_numpy())


def test_recording_has_every_imu_and_angle_and_validates(walk_recording):
    validate(walk_recording)
    assert walk_recording.segments == list(SEGMENTS)
    assert walk_recording.angles == list(ANGLES)


def test_standing_still_reads_gravity_and_no_rotation(walk_recording):
    standing = walk_recording.data["time"] < 1.5
    for segment in SEGMENTS:
        acc = walk_recording.data.loc[standing, imu_columns(segment)[:3]].to_numpy()
        gyr = walk_recording.data.loc[standing, imu_columns(segment)[3:]].to_numpy()
        assert np.linalg.norm(acc, axis=1).mean() == pytest.approx(9.81, abs=0.35), segment
        assert np.linalg.norm(gyr, axis=1).mean() < 0.06, segment


def test_gyroscopes_agree_with_the_joint_angles(walk_recording):
    """Segment rotation speed measured by the virtual gyros matches the one implied by the angles."""
    walking = walk_recording.data["time"].to_numpy() > 4
    for segment in ("femur_r", "tibia_l", "calcn_r"):
        r = np.corrcoef(gyro_speed(walk_recording, segment)[walking],
                        sagittal_speed(walk_recording, segment)[walking])[0, 1]
        assert r > 0.85, (segment, r)


def test_walking_speed_follows_cadence_and_is_human():
    rng = subject_rng(11, 0)
    profile = sample_subject(rng, "T")
    speeds = [synthesize_trial(profile, TrialSpec("walk", v, 15.0), rng).extra["walking_speed_mps"]
              for v in (0.8, 1.0, 1.25)]
    assert speeds[0] < speeds[1] < speeds[2]
    assert 0.8 < speeds[1] < 1.7


def test_joint_angles_have_gait_like_ranges(walk_recording):
    walking = walk_recording.data[walk_recording.data["time"] > 4]
    knee = walking["knee_angle_r"]
    assert 45 < knee.max() < 80 and -10 < knee.min() < 15
    hip = walking["hip_flexion_r"]
    assert 30 < hip.max() - hip.min() < 60
    ankle = walking["ankle_angle_l"]
    assert 15 < ankle.max() - ankle.min() < 45


def test_people_differ():
    profiles = [sample_subject(subject_rng(0, i), f"S{i}") for i in range(8)]
    heights = [p.height for p in profiles]
    assert np.std(heights) > 0.03
    knee_offsets = [p.offset_deg["knee_angle", "r"] for p in profiles]
    assert np.std(knee_offsets) > 1.0
    tilts = [np.linalg.norm(p.mounts["femur_r"].rotvec) for p in profiles]
    assert np.ptp(tilts) > np.deg2rad(3)


def test_ramps_change_the_gait(tmp_path):
    rng = subject_rng(2, 0)
    profile = sample_subject(rng, "T")
    level = synthesize_trial(profile, TrialSpec("walk", 0.9, 12.0), subject_rng(2, 1))
    up = synthesize_trial(profile, TrialSpec("ramp_up", 0.9, 12.0), subject_rng(2, 1))
    assert up.extra["slope_deg"] > 0
    assert up.data["hip_flexion_r"].mean() > level.data["hip_flexion_r"].mean() + 3


def test_realism_measures_find_band_and_stillness():
    """The realism bench's accelerometer measures: a 2 Hz sway shows in the 0-3 Hz band with its
    RMS, and only samples near g count as still."""
    from trainer.synth.realism import acc_band_rms, near_gravity_share

    t = np.arange(2000) / 100.0
    acc = np.zeros((len(t), 3))
    acc[:, 1] = 9.80665 + 2.0 * np.sin(2 * np.pi * 2.0 * t)
    bands = acc_band_rms(acc, 100.0)
    assert bands["0-3 Hz"] == pytest.approx(2.0 / np.sqrt(2), rel=0.05)
    assert bands["3-6 Hz"] < 0.05 and bands["6-10 Hz"] < 0.05
    # |2 sin| < 1.5 for a share asin(0.75) / (pi / 2) of the time (50 samples a period: +-0.03).
    assert near_gravity_share(acc) == pytest.approx(np.arcsin(0.75) / (np.pi / 2), abs=0.03)
