"""Aligning an IMU recording with a reference system (mocap angles) whose clock it does not share.

Both sides are turned into one comparable signal — how fast the leg segments rotate — and the lag
that maximises their cross-correlation is the clock offset. From IMUs that is the gyroscope
magnitude; from joint angles it is the sagittal angular speed of each segment, built up the chain:
thigh = hip flexion, shank = hip flexion − knee, foot = shank + ankle (the pelvis is left out, as
its tilt is small). That needs no orientation estimate and works with any reference that has
hip, knee and ankle angles.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError
from .recording import Recording
from .resample import resample
from .schema import TIME, imu_columns

SAGITTAL_CHAIN = {"femur": ("hip_flexion",), "tibia": ("hip_flexion", "-knee_angle"),
                  "calcn": ("hip_flexion", "-knee_angle", "ankle_angle")}


@dataclass
class Alignment:
    lag_s: float          # reference time + lag_s = IMU time of the same instant
    lag_samples: float
    correlation: float    # Pearson r of the two signals at that lag
    segments: list[str]   # segments whose signals were compared

    def describe(self) -> str:
        return (f"lag {self.lag_s * 1000:+.0f} ms ({self.lag_samples:+.1f} samples), correlation {self.correlation:.3f}, "
                f"from {', '.join(self.segments)}")


def zscore(x: np.ndarray) -> np.ndarray:
    x = np.where(np.isnan(x), np.nanmean(x), x)
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else x * 0.0


def sagittal_speed(recording: Recording, segment: str) -> np.ndarray | None:
    """|d/dt| of the segment's sagittal angle from joint angles (rad/s), or None if angles are missing."""
    side = segment[-1]
    total = np.zeros(recording.n_samples)
    for term in SAGITTAL_CHAIN[segment.split("_")[0]]:
        name = f"{term.lstrip('-')}_{side}"
        if name not in recording.data:
            return None
        total += (-1 if term.startswith("-") else 1) * recording.data[name].to_numpy(dtype=float)
    return np.abs(np.gradient(np.deg2rad(total), 1.0 / recording.sample_rate))


def gyro_speed(recording: Recording, segment: str) -> np.ndarray:
    return np.linalg.norm(recording.data[imu_columns(segment, ("gyr",))].to_numpy(dtype=float), axis=1)


def find_lag(a: np.ndarray, b: np.ndarray, max_lag: int) -> tuple[float, float]:
    """Lag (samples, sub-sample by parabolic fit) at which b best matches a: a[t] ≈ b[t - lag]."""
    a, b = zscore(a), zscore(b)
    n = min(len(a), len(b))
    best, best_r = 0, -np.inf
    scores = {}
    for lag in range(-max_lag, max_lag + 1):
        x = a[max(lag, 0):n + min(lag, 0)]
        y = b[max(-lag, 0):n - max(lag, 0)]
        m = min(len(x), len(y))
        if m < 10:
            continue
        r = float(np.corrcoef(x[:m], y[:m])[0, 1])
        scores[lag] = r
        if r > best_r:
            best, best_r = lag, r
    refined = float(best)
    if best - 1 in scores and best + 1 in scores:
        left, mid, right = scores[best - 1], scores[best], scores[best + 1]
        curvature = left - 2 * mid + right
        if curvature < 0:
            refined = best + 0.5 * (left - right) / curvature
    return refined, best_r


def align_to_reference(imu: Recording, reference: Recording, max_lag_s: float = 5.0,
                       segments=None) -> tuple[Recording, Alignment]:
    """The IMU recording labelled with the reference's angles, shifted onto the IMU clock.

    The reference is resampled to the IMU rate; the result covers only the time both cover.
    """
    if reference.sample_rate != imu.sample_rate:
        reference = resample(reference, imu.sample_rate)
    candidates = segments or [s for s in imu.segments if s != "pelvis"]
    used, a_sum, b_sum = [], 0.0, 0.0
    for segment in candidates:
        b = sagittal_speed(reference, segment)
        if b is None:
            continue
        used.append(segment)
        a_sum = a_sum + zscore(gyro_speed(imu, segment))
        b_sum = b_sum + zscore(b)
    if not used:
        raise DataError(reference.source, "no segment can be compared: the reference needs hip, knee and "
                                          "ankle angles of a leg that has an IMU on femur, tibia or calcn")
    max_lag = int(round(max_lag_s * imu.sample_rate))
    lag, r = find_lag(a_sum, b_sum, max_lag)
    lag_s = lag / imu.sample_rate
    t_imu = imu.data[TIME].to_numpy(dtype=float)
    t_ref = reference.data[TIME].to_numpy(dtype=float) - reference.data[TIME].iloc[0] + t_imu[0] + lag_s
    inside = (t_imu >= t_ref[0]) & (t_imu <= t_ref[-1])
    if inside.sum() < 2:
        raise DataError(reference.source, f"after aligning (lag {lag_s:+.2f} s) the reference and the IMU "
                                          f"recording do not overlap")
    labelled = imu.data.loc[inside].reset_index(drop=True).copy()
    for name in reference.angles:
        labelled[name] = np.interp(labelled[TIME].to_numpy(), t_ref,
                                   reference.data[name].to_numpy(dtype=float)).astype(np.float32)
    alignment = Alignment(lag_s=lag_s, lag_samples=lag, correlation=r, segments=used)
    result = imu.replace(data=pd.DataFrame(labelled), extra={
        **imu.extra, "reference": reference.source, "reference_extra": reference.extra,
        "alignment": {"lag_s": lag_s, "lag_samples": lag, "correlation": r, "segments": used}})
    return result, alignment
