"""How close generated IMU signals come to real ones.

Two references from `../shared/data` (read, never copied):
- BioMAC P01 (Dorschky et al. 2019): real IMU signals averaged over gait cycles of level walking,
  in OpenSim segment frames, with the sensor sites given. We simulate a person of the same height,
  cadence and sensor sites, average our own cycles the same way, and correlate the waveforms
  channel by channel.
- gaittoolbox S02: raw Xsens signals of real walking; we compare the magnitudes (95th percentile of
  |acc| and |gyr| per segment) with those of synthetic walking at a comfortable speed.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from ..data.schema import imu_columns
from .generate import TrialSpec, subject_rng, synthesize_trial
from .subjects import SensorMount, sample_subject

BIOMAC_SEGMENTS = {"pelvis": "pelvis", "femur_r": "femur_r", "tibia_r": "tibia_r", "foot_r": "calcn_r",
                   "femur_l": "femur_l", "tibia_l": "tibia_l", "foot_l": "calcn_l"}
# BioMAC gives foot sites in OpenSim's calcn frame, whose origin lies this far from the ankle
# centre (gait2392 talus→calcn offset); ours has its origin at the ankle centre.
CALCN_ORIGIN_FROM_ANKLE = np.array([-0.049, -0.042, 0.0])
CYCLE_POINTS = 100


def load_biomac(path: Path) -> dict:
    """{'height', 'stride_s', 'speed', 'signals': {(segment, 'acc'|'gyr', axis_index): mean[100]},
    'sites': {segment: xyz}} from a BioMAC-Sim-Toolbox `P01_*.mat`."""
    import matio  # test/benchmark dependency (package `mat-io`)

    struct = matio.load_from_mat(str(path))["dataStruct"][0, 0]
    table = struct["variables"]
    out = {"height": float(np.ravel(struct["participantHeight"])[0]), "signals": {}, "sites": {}}
    for _, row in table.iterrows():
        kind = row["type"][0]
        mean = np.asarray(row["mean"], dtype=float).ravel()
        if kind == "dur":
            out["stride_s"] = float(mean[0])
        elif kind == "speed":
            out["speed"] = float(mean[0])
        elif kind in ("acc", "gyro"):
            segment = BIOMAC_SEGMENTS[row["segment"][0]]
            axis = int(np.argmax([row[f"direction_{k}"] for k in (1, 2, 3)]))
            out["signals"][segment, "acc" if kind == "acc" else "gyr", axis] = mean
            site = np.array([row[f"position_{k}"] for k in (1, 2, 3)], dtype=float)
            out["sites"][segment] = site + (CALCN_ORIGIN_FROM_ANKLE if segment.startswith("calcn") else 0.0)
    return out


def cycle_average(recording, column: str) -> np.ndarray:
    """Mean over complete right-leg gait cycles, each resampled to 100 points from heel strike."""
    t = recording.data["time"].to_numpy()
    x = recording.data[column].to_numpy(dtype=float)
    strikes = recording.extra["right_heel_strikes_s"]
    cycles = []
    for start, stop in zip(strikes[:-1], strikes[1:]):
        grid = np.linspace(start, stop, CYCLE_POINTS, endpoint=False)
        cycles.append(np.interp(grid, t, x))
    return np.mean(cycles, axis=0)


def biomac_twin(reference: dict, seed: int = 0, seconds: float = 40.0):
    """A synthetic walk of a person shaped like the BioMAC subject: same height, stride time and
    sensor sites, sensors aligned with their segments, no noise or bias."""
    rng = subject_rng(seed, 0)
    profile = sample_subject(rng, "P01-twin")
    profile = dataclasses.replace(
        profile,
        height=reference["height"], thigh_scale=1.0, shank_scale=1.0, foot_scale=1.0,
        stride_frequency=1.0 / reference["stride_s"],
        rom_scale={k: 1.0 for k in profile.rom_scale}, offset_deg={k: 0.0 for k in profile.offset_deg},
        timing_shift={k: 0.0 for k in profile.timing_shift}, shape_jitter={k: None for k in profile.shape_jitter},
        left_phase_offset=0.0,
        mounts={s: SensorMount(site=site, rotvec=np.zeros(3)) for s, site in reference["sites"].items()},
        gyro_noise=0.0, acc_noise=0.0, gyro_bias_sd=0.0, acc_bias_sd=0.0,
    )
    return synthesize_trial(profile, TrialSpec("walk", 1.0, seconds, standing_s=2.0, turns=False, may_stop=False), rng)


def compare_with_biomac(path: Path, seed: int = 0) -> dict:
    reference = load_biomac(path)
    twin = biomac_twin(reference, seed)
    rows = []
    for (segment, kind, axis), real in sorted(reference["signals"].items()):
        column = imu_columns(segment)[(0 if kind == "acc" else 3) + axis]
        synthetic = cycle_average(twin, column)
        rows.append({
            "channel": column,
            "r": float(np.corrcoef(real, synthetic)[0, 1]),
            "real_range": float(np.ptp(real)),
            "synthetic_range": float(np.ptp(synthetic)),
        })
    summary = {}
    for kind in ("acc", "gyr"):
        rs = np.array([row["r"] for row in rows if f"_{kind}_" in row["channel"]])
        summary[kind] = {"median_r": float(np.median(rs)), "mean_r": float(rs.mean()),
                         "channels_r_above_0.5": int((rs > 0.5).sum()), "channels": int(rs.size)}
    return {"reference": str(path.name), "real_speed_mps": reference.get("speed"),
            "synthetic_speed_mps": twin.extra["walking_speed_mps"], "summary": summary, "channels": rows}


ACC_BANDS_HZ = ((0.0, 3.0), (3.0, 6.0), (6.0, 10.0), (10.0, 20.0))
NEAR_GRAVITY = 1.5  # m/s^2: |acc| this close to g, as a sensor on a still segment reads


def near_gravity_share(acc: np.ndarray) -> float:
    """Share of samples whose |acc| (n, 3; m/s^2) is within NEAR_GRAVITY of g: how often a segment
    is (nearly) unaccelerated, which is when an inclination filter can trust its accelerometer."""
    return float(np.mean(np.abs(np.linalg.norm(acc, axis=1) - 9.80665) < NEAR_GRAVITY))


def acc_band_rms(acc: np.ndarray, rate: float, bands=ACC_BANDS_HZ) -> dict:
    """RMS (m/s^2, the three axes together) of the accelerometer's variation in each frequency band."""
    from scipy.signal import welch

    frequency, power = welch(acc - acc.mean(axis=0), fs=rate, nperseg=min(256, len(acc)), axis=0)
    power, step = power.sum(axis=1), frequency[1] - frequency[0]
    return {f"{lo:g}-{hi:g} Hz": float(np.sqrt(power[(frequency >= lo) & (frequency < hi)].sum() * step))
            for lo, hi in bands}


def compare_magnitudes(real_recording, synthetic_recording, start_s: float, stop_s: float) -> dict:
    """Per segment, real (between start_s and stop_s) vs synthetic: the 95th percentile of |acc|
    and |gyr|, how often |acc| is near g, and the accelerometer's RMS per frequency band."""
    t = real_recording.data["time"].to_numpy()
    walking = (t >= start_s) & (t < stop_s)
    out = {}
    for segment in real_recording.segments:
        if segment not in synthetic_recording.segments:
            continue
        row, signals = {}, {}
        for kind, cols in (("acc", imu_columns(segment)[:3]), ("gyr", imu_columns(segment)[3:])):
            signals[kind] = (real_recording.data.loc[walking, cols].to_numpy(dtype=float),
                             synthetic_recording.data[cols].to_numpy(dtype=float))
            real, synth = (np.linalg.norm(x, axis=1) for x in signals[kind])
            row[kind] = {"real_p95": float(np.percentile(real, 95)), "synthetic_p95": float(np.percentile(synth, 95))}
            row[kind]["ratio"] = row[kind]["synthetic_p95"] / row[kind]["real_p95"]
        real_acc, synth_acc = signals["acc"]
        row["acc"]["real_near_g_share"] = near_gravity_share(real_acc)
        row["acc"]["synthetic_near_g_share"] = near_gravity_share(synth_acc)
        row["acc_band_rms"] = {band: {"real": real_rms, "synthetic": synth_rms} for (band, real_rms), synth_rms in zip(
            acc_band_rms(real_acc, real_recording.sample_rate).items(),
            acc_band_rms(synth_acc, synthetic_recording.sample_rate).values())}
        out[segment] = row
    return out


# --- Is the between-people difference real enough? ------------------------------------------------
EFFECT_CHANNELS = ("femur_r", "calcn_r")
EFFECT_TARGETS = ("hip_flexion_r", "knee_angle_r", "ankle_angle_r")
WINDOW, WINDOW_STRIDE, HOP = 60, 6, 5


def _windows(recordings, lo: float, hi: float):
    """Flattened windows (every WINDOW_STRIDE-th sample) and their causal targets."""
    from ..data.schema import imu_channels
    from ..windows import Examples, make_windows

    examples = Examples.concat([make_windows(r, imu_channels(EFFECT_CHANNELS), list(EFFECT_TARGETS), WINDOW, HOP, lo, hi)
                                for r in recordings])
    x = examples.x[:, WINDOW_STRIDE - 1::WINDOW_STRIDE, :]
    return x.reshape(len(x), -1).astype(np.float64), examples.y.astype(np.float64)


def _fit_ridge(x, y, lam: float = 1.0):
    mean, sd = x.mean(0), x.std(0) + 1e-9
    design = lambda z: np.hstack([(z - mean) / sd, np.ones((len(z), 1))])
    a = design(x)
    w = np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ y)
    return lambda z: design(z) @ w


def subject_effect(people: list) -> dict:
    """RMSE (deg) on each person's last 20% of every trial, from a ridge model trained on their own
    first 80% ('own') and from one trained on everybody else ('others').

    The simplest learner that can show the seed paper's central effect, so the check is about the
    data, not about a network. `people` is a list of per-person recording lists.
    """
    own, others = [], []
    for k, recordings in enumerate(people):
        x_test, y_test = _windows(recordings, 0.8, 1.0)
        rmse = lambda model: float(np.sqrt(np.mean((model(x_test) - y_test) ** 2)))
        own.append(rmse(_fit_ridge(*_windows(recordings, 0.0, 0.8))))
        rest = [r for j, p in enumerate(people) if j != k for r in p]
        others.append(rmse(_fit_ridge(*_windows(rest, 0.0, 1.0))))
    return {"own_rmse_deg": own, "others_rmse_deg": others,
            "own_mean": float(np.mean(own)), "others_mean": float(np.mean(others))}
