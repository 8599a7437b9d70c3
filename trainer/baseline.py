"""The classical, training-free estimate a user could pick instead of a learned model.

Per person and leg, from the pelvis, femur, tibia and calcaneus IMUs:
1. the same label-free calibration every approach uses (calibration.py), from the IMU data of the
   first `transfer_fraction` of each trial: each sensor's segment frame and gyro bias;
2. the same front-end (firmware/frontend, VQF's inclination filter): each segment's inclination —
   its pitch about its flexion axis and its roll — relative to the standing pose. Inclination
   needs no heading, so no sensor's unobservable heading can spoil a joint (the old hinge-search
   baseline was 40-50 deg off for some people);
3. joint angles from adjacent segments' inclinations, in the sagittal and frontal planes, as
   physics.py defines them (knee = femur pitch - tibia pitch, ...); hip rotation is not observable
   from inclinations and stays at the standing pose.
The standing pose is taken as every joint at 0 deg — the model's default pose, which is what
OpenSense's IMU calibration assumes of the calibration trial. The person-offset variant
(`baseline-offset`) replaces that assumption with each joint's mean error over the labelled first
part of the trials, the same data transfer-head learns from.
"""
from __future__ import annotations

import numpy as np

from .data.recording import Recording
from .physics import STANDING_POSE_DEG, joint_physics
from .prepare import featurize, person_calibration
from .windows import device_ends, scoring_ends, side_angles

CHAIN = ("pelvis", "femur", "tibia", "calcn")


def leg_segments(side: str) -> list[str]:
    return ["pelvis"] + [f"{p}_{side}" for p in CHAIN[1:]]


def angles_from_inclination(featurized: Recording, side: str) -> dict:
    """Baseline angles (degrees) over a featurised trial: {angle name: (T,)}, from the joints'
    classical estimates (physics.py); hip rotation stays at the standing pose."""
    observed = joint_physics(leg_segments(side), side)
    n = featurized.n_samples
    out = {}
    for name in side_angles(side):
        weights = observed.get(name, {})
        estimate = sum((w * featurized.data[f].to_numpy(np.float64) for f, w in weights.items()), np.zeros(n))
        out[name] = estimate + STANDING_POSE_DEG
    return out


def estimate_person(config, recordings) -> list[dict]:
    """Baseline angles of each of one person's trials, calibrated label-free as every approach is."""
    segments = leg_segments(config.side)
    missing = [s for s in segments if s not in recordings[0].segments]
    if missing:
        raise ValueError(f"the classical baseline needs IMUs on {', '.join(segments)}; missing {', '.join(missing)}")
    calibration = person_calibration(recordings, segments, config.transfer_fraction)
    return [angles_from_inclination(featurize(r, calibration), config.side) for r in recordings]


def person_offsets(config, recordings, estimates) -> np.ndarray:
    """Per joint, the mean of (reference - baseline) over the device's estimates in the labelled
    first `transfer_fraction` of each trial."""
    errors = []
    for recording, estimate in zip(recordings, estimates):
        ends = device_ends(recording.n_samples, config.window, config.hop)
        ends = ends[ends < int(round(config.transfer_fraction * recording.n_samples))]
        y = recording.channels(config.targets)[ends]
        errors.append(y - np.column_stack([estimate[name] for name in config.targets])[ends])
    errors = np.concatenate(errors)
    return np.nan_to_num(np.nanmean(errors, axis=0)) if len(errors) else np.zeros(len(config.targets))


def score_subject(config, recordings, with_offset: bool = False) -> tuple:
    """Baseline angles at exactly the samples the learned models are scored on, as
    (y_true, y_pred, trial) arrays; `with_offset` adds the person-offset correction."""
    estimates = estimate_person(config, recordings)
    offset = person_offsets(config, recordings, estimates) if with_offset else 0.0
    trues, preds, trials = [], [], []
    for recording, estimate in zip(recordings, estimates):
        ends = scoring_ends(recording.n_samples, config.window, config.hop, config.test_fraction)
        y = recording.channels(config.targets)[ends]
        keep = ~np.isnan(y).any(axis=1)
        pred = np.column_stack([estimate[name] for name in config.targets])[ends] + offset
        trues.append(y[keep])
        preds.append(pred[keep].astype(np.float32))
        trials.append(np.full(keep.sum(), f"{recording.subject}/{recording.extra.get('trial', recording.activity)}"))
    return np.concatenate(trues), np.concatenate(preds), np.concatenate(trials)
