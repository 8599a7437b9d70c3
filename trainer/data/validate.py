"""Checks that a recording keeps the contract, failing on the first problem with its location."""
from __future__ import annotations

from collections import Counter

import numpy as np

from . import schema
from .errors import DataError
from .recording import Recording

DEFAULT_GAP_LIMIT_S = 0.1      # longest run of missing samples a loader may leave (interpolable)
RATE_TOLERANCE = 0.01          # relative mismatch allowed between the stated rate and timestamps
# 35 rad/s is 2000 deg/s, the range limit of common MEMS gyros; walking in deg/s reaches 300-600,
# so real rad/s data stays far below and deg/s data far above.
GYRO_RAD_S_LIMIT = 35.0
# Median |acc| of a worn sensor is about 9.81 m/s^2; in g it is about 1.
ACC_G_UNITS_BELOW = 3.0


def check_columns(columns, source) -> None:
    counts = Counter(columns)
    for name, count in counts.items():
        if count > 1:
            raise DataError(source, f"appears {count} times", column=name)
    if schema.TIME not in counts:
        raise DataError(source, "missing column (time in seconds)", column=schema.TIME)
    for name in columns:
        if name == schema.TIME or name in schema.ANGLES:
            continue
        match = schema.IMU_COLUMN.match(name)
        if not match:
            raise DataError(source, "unknown column; expected time, <segment>_<acc|gyr>_<x|y|z> "
                                    "or an OpenSim angle name such as knee_angle_r", column=name)
        if match["segment"] not in schema.SEGMENTS:
            raise DataError(source, f"unknown segment {match['segment']!r}; expected one of "
                                    f"{', '.join(schema.SEGMENTS)}", column=name)
    # An IMU is all six channels or none: a lone gyro axis is a broken export, not a sensor.
    for segment in schema.SEGMENTS:
        present = [c for c in schema.imu_columns(segment) if c in counts]
        if present and len(present) < 6:
            missing = next(c for c in schema.imu_columns(segment) if c not in counts)
            raise DataError(source, f"missing column: {segment} has {len(present)} of its 6 IMU channels",
                            column=missing)
    if not schema.segments_in(columns) and not schema.angles_in(columns):
        raise DataError(source, "no IMU channels and no joint angles")


def _longest_nan_run(values: np.ndarray) -> tuple[int, int]:
    """(length, first frame) of the longest run of NaN."""
    isnan = np.concatenate([[False], np.isnan(values), [False]])
    edges = np.flatnonzero(np.diff(isnan.astype(np.int8)))
    if edges.size == 0:
        return 0, -1
    starts, stops = edges[::2], edges[1::2]
    k = int(np.argmax(stops - starts))
    return int(stops[k] - starts[k]), int(starts[k])


def validate(recording: Recording, source=None, gap_limit_s: float = DEFAULT_GAP_LIMIT_S) -> Recording:
    """Return the recording unchanged if it keeps the contract, else raise `DataError`."""
    source = source or recording.source
    data = recording.data
    check_columns(list(data.columns), source)
    if len(data) < 2:
        raise DataError(source, f"only {len(data)} frame(s); a recording needs at least 2")
    if not recording.sample_rate or recording.sample_rate <= 0:
        raise DataError(source, f"sample rate must be positive, got {recording.sample_rate}")

    t = data[schema.TIME].to_numpy(dtype=float)
    if np.isnan(t).any():
        raise DataError(source, "time is missing", column=schema.TIME, frame=int(np.flatnonzero(np.isnan(t))[0]))
    steps = np.diff(t)
    if (steps <= 0).any():
        frame = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise DataError(source, f"time does not increase ({t[frame - 1]:.6g} s then {t[frame]:.6g} s)",
                        column=schema.TIME, frame=frame)
    median_step = float(np.median(steps))
    if abs(median_step * recording.sample_rate - 1.0) > RATE_TOLERANCE:
        raise DataError(source, f"stated sample rate {recording.sample_rate:g} Hz does not match the timestamps "
                                f"(median step {median_step:.6g} s = {1.0 / median_step:.4g} Hz)", column=schema.TIME)
    gap = int(np.flatnonzero(steps > 1.5 * median_step)[0]) + 1 if (steps > 1.5 * median_step).any() else None
    if gap is not None and steps[gap - 1] > gap_limit_s + median_step / 2:
        raise DataError(source, f"time jumps by {steps[gap - 1]:.3f} s (gap limit {gap_limit_s:g} s)",
                        column=schema.TIME, frame=gap)

    max_run = len(data) if np.isinf(gap_limit_s) else max(1, int(round(gap_limit_s * recording.sample_rate)))
    for name in data.columns:
        if name == schema.TIME:
            continue
        values = data[name].to_numpy(dtype=float)
        run, first = _longest_nan_run(values)
        if run > max_run:
            raise DataError(source, f"{run} missing samples in a row ({run / recording.sample_rate:.2f} s; "
                                    f"gap limit {gap_limit_s:g} s)", column=name, frame=first)
        if run == len(values):
            raise DataError(source, "no values", column=name)

    for segment in recording.segments:
        gyro = data[schema.imu_columns(segment, ("gyr",))].to_numpy(dtype=float)
        peak = float(np.nanpercentile(np.abs(gyro), 99.5))
        if peak > GYRO_RAD_S_LIMIT:
            column = schema.imu_columns(segment, ("gyr",))[int(np.nanargmax(np.nanmax(np.abs(gyro), axis=0)))]
            raise DataError(source, f"gyroscope reaches {peak:.0f} (99.5th percentile); that looks like deg/s, "
                                    f"expected rad/s (multiply by pi/180)", column=column)
        acc = data[schema.imu_columns(segment, ("acc",))].to_numpy(dtype=float)
        magnitude = float(np.nanmedian(np.linalg.norm(acc, axis=1)))
        if magnitude < ACC_G_UNITS_BELOW:
            raise DataError(source, f"median accelerometer magnitude is {magnitude:.2f}; that looks like g, "
                                    f"expected m/s^2 (multiply by 9.81)", column=schema.imu_columns(segment)[0])
    return recording
