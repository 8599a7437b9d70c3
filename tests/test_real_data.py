"""The real-data path on the shared recordings; every test skips when ../shared/data is absent."""

import numpy as np
import pytest

from conftest import shared
from test_cli_data import run
from trainer.data.store import read_recording

pytestmark = pytest.mark.shared_data

# Sensor ids of the gaittoolbox S02 trial (from the data's README).
S02_MAP = ["00B40C45=femur_l", "00B40C3C=femur_r", "00B40C44=tibia_l", "00B40C47=tibia_r",
           "00B40C55=calcn_l", "00B40C48=calcn_r"]


@pytest.fixture(scope="module")
def s02(tmp_path_factory):
    folder = shared("gaittoolbox-s02-walk")
    out = tmp_path_factory.mktemp("s02") / "s02.parquet"
    args = ["data", "import", "xsens", *sorted((folder / "rawimu").glob("*.txt"))]
    for item in S02_MAP:
        args += ["--map", item]
    result = run(*args, "--reference", folder / "S02-Trial-Walk-1-vicon.c3d", "--subject", "S02",
                 "--activity", "walk", "--out", out)
    assert result.returncode == 0, result.stderr
    return read_recording(out), result.stdout


def test_s02_imu_and_vicon_are_aligned_by_cross_correlation(s02):
    recording, printed = s02
    alignment = recording.extra["alignment"]
    # The clocks differ by a few samples (data README); the leg signals agree closely once aligned.
    assert 0 < alignment["lag_samples"] < 6
    assert alignment["correlation"] > 0.85
    assert "aligned to S02-Trial-Walk-1-vicon.c3d" in printed


def test_s02_is_a_validated_recording_with_both_legs(s02):
    recording, _ = s02
    assert recording.segments == ["femur_r", "femur_l", "tibia_r", "tibia_l", "calcn_r", "calcn_l"]
    assert len(recording.angles) == 10
    assert recording.sample_rate == 100.0 and recording.n_samples > 2400
    assert recording.extra["reference_extra"]["convention"] == "gaittoolbox"


def test_s02_angles_are_those_of_walking(s02):
    recording, _ = s02
    walking = recording.data[(recording.data["time"] > 10.5) & (recording.data["time"] < 19.5)]
    for side in "rl":
        knee = walking[f"knee_angle_{side}"]
        assert 50 < knee.max() < 75 and -10 < knee.min() < 10
        hip = walking[f"hip_flexion_{side}"]
        assert 35 < hip.max() - hip.min() < 65
        ankle = walking[f"ankle_angle_{side}"]
        assert -30 < ankle.min() < -10 and 5 < ankle.max() < 25
    # Gyro magnitudes of real walking: shank peaks of several rad/s.
    shank = np.linalg.norm(walking[["tibia_r_gyr_x", "tibia_r_gyr_y", "tibia_r_gyr_z"]].to_numpy(), axis=1)
    assert 3 < shank.max() < 15


def test_synthetic_sagittal_gyros_match_real_gait_cycles():
    """Regression guard on realism: the dominant (sagittal) gyro waveforms of the legs stay close
    to the real BioMAC cycle averages. The full per-channel table is in bench/results."""
    from trainer.synth.realism import compare_with_biomac

    pytest.importorskip("matio")
    result = compare_with_biomac(shared("biomac-p01", "P01_normwalking.mat"))
    r = {row["channel"]: row["r"] for row in result["channels"]}
    for side in "rl":
        for segment in ("femur", "tibia", "calcn"):
            assert r[f"{segment}_{side}_gyr_z"] > 0.8, (segment, side, r[f"{segment}_{side}_gyr_z"])


def test_single_user_on_the_real_trial(s02, tmp_path):
    """The seed paper's single-user setting on real sensors: first 60% of the trial trains
    (its last sixth validates), the last 40% tests. The trial stands still for its first 10 s, so
    training sees only about 2.5 s of walking: the model is expected to follow the gait pattern,
    not to be accurate. Per-joint RMSE and r are printed (-s) for the record."""
    from trainer.approaches import ExperimentConfig
    from trainer.data.store import write_dataset
    from trainer.experiment import Experiment
    from trainer.fit import FitSettings
    from trainer.results import collect

    recording, _ = s02
    folder = write_dataset([recording], tmp_path / "s02")
    config = ExperimentConfig(test_fraction=0.4, val_fraction=0.1, train_hop=1, fit=FitSettings(epochs=60, patience=10))
    Experiment(folder, tmp_path / "r", config).run(["single-user"], ["S02"])
    joints = collect(tmp_path / "r")["single-user"]["joints"]
    print({j: (round(v["rmse_deg"]["mean"], 2), round(v["r"]["mean"], 2)) for j, v in joints.items()})
    assert len(joints) == 5
    for joint, values in joints.items():
        assert np.isfinite(values["rmse_deg"]["mean"]) and values["r"]["mean"] > 0.3, (joint, values)
