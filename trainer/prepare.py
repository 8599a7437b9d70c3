"""From a person's raw recordings to what a model learns on: calibrated front-end features.

Every person — training subjects and the one held out alike — is calibrated the way a user is:
label-free, from the IMU data of the first `calibration_fraction` of each of their trials (a user's
standing-then-walking calibration walk). No angle is used. The front-end (firmware/frontend, the
device's own C) then turns each whole trial into features, causally from its first sample, so a
feature at time t is what the device has at time t.

Training subjects also get augmented copies (`augmented`): their raw signals with other gains,
biases, noise and tempo, re-calibrated from scratch, and the calibration then turned by a few
degrees — the residual error a calibration leaves on real sensors, larger than on synthetic ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.transform import Rotation

from .calibration import Calibration, CalibrationError, calibrate, features
from .data.recording import Recording
from .data.schema import TIME, imu_columns
from .frontend import feature_names


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random changes of one augmented copy (uniform, or normal sd where noted)."""

    residual_rotation_deg: float = 4.0   # sd per axis, applied to the calibration result
    gain: float = 0.03                   # sd of each channel's gain error
    gyro_bias: float = 0.02              # sd, rad/s, per channel
    acc_bias: float = 0.15               # sd, m/s^2, per channel
    gyro_noise: float = 0.01             # sd of added white noise, rad/s
    acc_noise: float = 0.08              # m/s^2
    tempo: float = 0.08                  # time stretched by a factor in [1 - tempo, 1 + tempo]


def calibration_parts(recordings, fraction: float) -> list[Recording]:
    return [r.slice(0, max(1, int(round(fraction * r.n_samples)))) for r in recordings]


def person_calibration(recordings, segments, fraction: float) -> Calibration:
    """One person's label-free calibration from the first `fraction` of each trial; when that is too
    little to calibrate on, from their whole trials (still IMU data only), which the quality says."""
    try:
        return calibrate(calibration_parts(recordings, fraction), segments)
    except CalibrationError as first:
        try:
            calibration = calibrate(recordings, segments)
        except CalibrationError as whole:
            # Name the person: inside an experiment the recordings' own source says little.
            subjects = sorted({r.subject for r in recordings})
            raise CalibrationError(", ".join(subjects), f"cannot calibrate ({whole.problem})") from None
        calibration.quality["summary"]["note"] = f"first {fraction:.0%} of the trials was not enough ({first.problem}); " \
                                                 f"calibrated on the whole trials"
        return calibration


def featurize(recording: Recording, calibration: Calibration) -> Recording:
    """The recording with its IMU channels replaced by the front-end's features (angles kept)."""
    table = pd.DataFrame(features(recording, calibration), columns=feature_names(calibration.segments))
    table.insert(0, TIME, recording.data[TIME].to_numpy())
    for name in recording.angles:
        table[name] = recording.data[name].to_numpy()
    return recording.replace(data=table)


def prepare_person(recordings, segments, fraction: float) -> tuple[Calibration, list[Recording]]:
    calibration = person_calibration(recordings, segments, fraction)
    return calibration, [featurize(r, calibration) for r in recordings]


def _stretch(recording: Recording, factor: float) -> Recording:
    """The trial played `factor` times slower (>1) or faster (<1): every channel resampled in
    time, rotation rates scaled to match; accelerations are kept (the gravity part dominates)."""
    n = recording.n_samples
    m = max(2, int(round(n * factor)))
    source = np.linspace(0.0, n - 1.0, m)
    data = {TIME: recording.data[TIME].iloc[0] + np.arange(m) / recording.sample_rate}
    for column in recording.data.columns:
        if column == TIME:
            continue
        values = recording.data[column].to_numpy(np.float64)
        stretched = np.interp(source, np.arange(n), values)
        if "_gyr_" in column:
            stretched = stretched / factor
        data[column] = stretched.astype(np.float32)
    return recording.replace(data=pd.DataFrame(data))


def augmented(recordings, segments, fraction: float, rng: np.random.Generator,
              settings: Augmentation = Augmentation()) -> list[Recording]:
    """One augmented copy of a person's trials, calibrated and featurised as a new person would be."""
    factor = 1.0 + rng.uniform(-settings.tempo, settings.tempo)
    gains = {s: 1.0 + rng.normal(0.0, settings.gain, 6) for s in segments}
    biases = {s: np.concatenate([rng.normal(0.0, settings.acc_bias, 3), rng.normal(0.0, settings.gyro_bias, 3)])
              for s in segments}
    changed = []
    for recording in recordings:
        r = _stretch(recording, factor)
        data = r.data.copy()
        for s in segments:
            columns = imu_columns(s)
            x = data[columns].to_numpy(np.float64) * gains[s] + biases[s]
            noise = np.concatenate([np.full(3, settings.acc_noise), np.full(3, settings.gyro_noise)])
            data[columns] = (x + rng.normal(0.0, 1.0, x.shape) * noise).astype(np.float32)
        changed.append(r.replace(data=data))
    calibration = person_calibration(changed, segments, fraction)
    turn = Rotation.from_rotvec(np.deg2rad(rng.normal(0.0, settings.residual_rotation_deg, (len(segments), 3))))
    calibration.rotations = turn.as_matrix() @ calibration.rotations
    return [featurize(r, calibration) for r in changed]
