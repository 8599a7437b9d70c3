"""How closely modelled IMU signals (virtual IMUs from mocap, or the synthetic generator's) match
real sensors worn on the same segments during the same movement: the realism figure of a
virtual or synthetic training source.

The two do not share a clock or a sensor frame, so both are estimated as a user would:
- time: one lag for all segments (each system samples its sensors together), the one that
  maximises the cross-correlation of gyro magnitudes — magnitudes need no common frame;
- mounting: per segment, the rotation that best maps the real gyro onto the modelled one in the
  least-squares sense (Kabsch), applied to the real accelerometer too.
Then per segment and axis of the modelled (segment) frame: Pearson r and RMS difference of gyro
and acc. The sagittal (flexion) axis is y, the mediolateral axis of every segment frame here
(mocap layouts and the generator alike); not the axis of largest variance, which on a trial with
a turn can be the thigh's long axis.
"""
from __future__ import annotations

import numpy as np

from .align import find_lag, gyro_speed, zscore
from .recording import Recording
from .resample import resample
from .schema import AXES, imu_columns

SAGITTAL_AXIS = "y"


def kabsch(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotation Q (3x3) minimising Σ |Q·source_i − target_i|² over rows of (N, 3) arrays."""
    H = source.T @ target
    u, _, vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(vt.T @ u.T))
    return vt.T @ np.diag([1.0, 1.0, d]) @ u.T


def _r(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")


def _gyro(recording: Recording, segment: str) -> np.ndarray:
    return recording.data[imu_columns(segment, ("gyr",))].to_numpy(dtype=float)


def _acc(recording: Recording, segment: str) -> np.ndarray:
    return recording.data[imu_columns(segment, ("acc",))].to_numpy(dtype=float)


def overlap(modelled: Recording, real: Recording, segments, max_lag_s: float) -> tuple[float, slice, slice]:
    """The lag (samples) and the two index ranges that cover the same instants."""
    a = sum(zscore(gyro_speed(real, s)) for s in segments)
    b = sum(zscore(gyro_speed(modelled, s)) for s in segments)
    lag, r = find_lag(a, b, int(round(max_lag_s * real.sample_rate)))
    shift = int(round(lag))           # real[t] ≈ modelled[t − shift]
    start_real = max(shift, 0)
    start_model = max(-shift, 0)
    n = min(len(a) - start_real, len(b) - start_model)
    return lag, slice(start_real, start_real + n), slice(start_model, start_model + n)


def compare_with_real(modelled: Recording, real: Recording, segments=None, max_lag_s: float = 10.0,
                      sagittal_axis: str = SAGITTAL_AXIS) -> dict:
    """Per-segment agreement of `modelled` IMU signals with `real` ones (see the module doc)."""
    if modelled.sample_rate != real.sample_rate:
        modelled = resample(modelled, real.sample_rate)
    segments = [s for s in (segments or real.segments) if s in modelled.segments and s in real.segments]
    if not segments:
        raise ValueError("the two recordings have no IMU segment in common")
    lag, in_real, in_model = overlap(modelled, real, segments, max_lag_s)
    out = {"lag_samples": round(float(lag), 2), "lag_s": round(float(lag) / real.sample_rate, 3),
           "overlap_s": round((in_real.stop - in_real.start) / real.sample_rate, 2), "segments": {}}
    for segment in segments:
        g_real, g_model = _gyro(real, segment)[in_real], _gyro(modelled, segment)[in_model]
        a_real, a_model = _acc(real, segment)[in_real], _acc(modelled, segment)[in_model]
        Q = kabsch(g_real, g_model)
        g_real, a_real = g_real @ Q.T, a_real @ Q.T
        sagittal = AXES.index(sagittal_axis)
        row = {"mounting_deg": round(float(np.degrees(np.arccos(np.clip((np.trace(Q) - 1) / 2, -1, 1)))), 1),
               "sagittal_axis": AXES[sagittal]}
        for kind, x, y in (("gyr", g_real, g_model), ("acc", a_real, a_model)):
            row[kind] = {axis: {"r": round(_r(x[:, k], y[:, k]), 3),
                                "rms_diff": round(float(np.sqrt(np.mean((x[:, k] - y[:, k]) ** 2))), 3)}
                         for k, axis in enumerate(AXES)}
            row[kind]["magnitude_r"] = round(_r(np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1)), 3)
        row["sagittal_gyr_r"] = row["gyr"][AXES[sagittal]]["r"]
        out["segments"][segment] = row
    return out


def describe_agreement(result: dict) -> str:
    lines = [f"aligned: lag {result['lag_s'] * 1000:+.0f} ms, {result['overlap_s']:.1f} s in common",
             f"{'segment':<9} {'mount':>6}  gyro r (x y z)        gyro rms rad/s      acc r (x y z)         "
             f"acc rms m/s^2"]
    for segment, row in result["segments"].items():
        g, a = row["gyr"], row["acc"]
        lines.append(f"{segment:<9} {row['mounting_deg']:5.1f}°  "
                     + " ".join(f"{g[x]['r']:6.2f}" for x in AXES) + "  "
                     + " ".join(f"{g[x]['rms_diff']:5.2f}" for x in AXES) + "   "
                     + " ".join(f"{a[x]['r']:6.2f}" for x in AXES) + "  "
                     + " ".join(f"{a[x]['rms_diff']:5.2f}" for x in AXES)
                     + f"   sagittal {row['sagittal_axis']}: r {row['sagittal_gyr_r']:.2f}")
    return "\n".join(lines)
