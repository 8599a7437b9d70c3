import numpy as np
import pytest

from trainer.data.align import align_to_reference, find_lag
from trainer.data.resample import resample


def test_find_lag_recovers_a_known_shift(rng):
    a = np.convolve(rng.standard_normal(3000), np.ones(9) / 9, mode="same")
    b = np.roll(a, -37)  # b leads a by 37 samples
    lag, r = find_lag(a, b, max_lag=100)
    assert lag == pytest.approx(37, abs=0.2) and r > 0.99


def test_reference_on_another_clock_is_aligned_and_labelled(walk_recording):
    imu = walk_recording.replace(data=walk_recording.data.drop(columns=walk_recording.angles))
    # The mocap started 0.25 s after the IMUs, and its clock reads from zero.
    ref_data = walk_recording.data[["time", *walk_recording.angles]].iloc[25:].reset_index(drop=True).copy()
    ref_data["time"] -= ref_data["time"].iloc[0]
    reference = walk_recording.replace(data=ref_data, source="mocap")
    labelled, alignment = align_to_reference(imu, reference, max_lag_s=2.0)
    assert alignment.lag_s == pytest.approx(0.25, abs=0.005)
    assert alignment.correlation > 0.9
    start = labelled.data["time"].iloc[0]
    assert start == pytest.approx(0.25, abs=0.011)
    original = walk_recording.data.set_index(walk_recording.data["time"].round(3))
    np.testing.assert_allclose(labelled.data["knee_angle_r"].to_numpy()[:500],
                               original.loc[labelled.data["time"].round(3)[:500], "knee_angle_r"].to_numpy(), atol=0.5)


def test_resample_down_keeps_slow_signals_and_gaps(walk_recording):
    data = walk_recording.data.copy()
    data.loc[400:402, "knee_angle_r"] = np.nan
    down = resample(walk_recording.replace(data=data), 50.0)
    assert down.sample_rate == 50.0
    assert np.allclose(np.diff(down.data["time"]), 0.02)
    assert down.data["knee_angle_r"].isna().sum() in (1, 2)
    kept = down.data["knee_angle_r"].to_numpy()
    original = np.interp(down.data["time"], data["time"], walk_recording.data["knee_angle_r"])
    ok = ~np.isnan(kept)
    assert np.max(np.abs(kept[ok] - original[ok])[5:-5]) < 1.0
