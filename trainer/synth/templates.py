"""Joint-angle shapes over one gait cycle, as keypoints through which a periodic spline passes.

Phase 0 is heel strike of the same leg; toe-off sits at 60% for these keypoints and is moved to a
subject's own stance fraction by `warp_phase`. Values are degrees in the conventions of
`trainer.data.schema`, shaped after normative adult gait (Winter's textbook curves, Perry's phase
descriptions): a starting point that subjects then scale, offset, retime and make asymmetric.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.interpolate import CubicSpline

TEMPLATE_TOE_OFF = 0.60

# (phase %, degrees) for level walking at a comfortable speed.
LEVEL_WALK = {
    "hip_flexion": [(0, 27), (12, 24), (30, 9), (53, -11), (62, -1), (75, 19), (88, 31)],
    "hip_adduction": [(0, 1), (15, 7), (35, 4), (55, -2), (67, -6), (82, -2)],
    "hip_rotation": [(0, 2), (15, 5), (45, -2), (60, -6), (80, 0)],
    "knee_angle": [(0, 4), (15, 18), (40, 5), (50, 11), (60, 38), (72, 62), (85, 33), (96, 3)],
    "ankle_angle": [(0, 0), (7, -6), (25, 4), (47, 10), (55, 3), (63, -17), (75, -2), (88, 1)],
}

# Additive changes (same keypoint form) for walking up and down a ramp: more hip and knee flexion
# and ankle dorsiflexion in stance uphill, more knee flexion in loading downhill.
RAMP_UP_DELTA = {
    "hip_flexion": [(0, 8), (30, 6), (53, 3), (88, 8)],
    "knee_angle": [(0, 8), (15, 6), (40, 3), (72, 2), (96, 6)],
    "ankle_angle": [(0, 3), (25, 5), (47, 4), (63, 2), (88, 3)],
}
RAMP_DOWN_DELTA = {
    "hip_flexion": [(0, -3), (30, -2), (53, 2), (88, -2)],
    "knee_angle": [(0, 2), (15, 12), (40, 10), (50, 8), (72, 2), (96, 2)],
    "ankle_angle": [(0, -3), (25, 2), (47, 2), (63, -3), (88, -2)],
}

ACTIVITY_DELTAS = {"walk": {}, "ramp_up": RAMP_UP_DELTA, "ramp_down": RAMP_DOWN_DELTA}
# Ground slope of each activity, degrees (positive = uphill in the walking direction).
ACTIVITY_SLOPE_DEG = {"walk": 0.0, "ramp_up": 6.0, "ramp_down": -6.0}


@lru_cache(maxsize=None)
def _spline(key: tuple) -> CubicSpline:
    phases = np.array([p for p, _ in key] + [100.0]) / 100.0
    values = np.array([v for _, v in key] + [key[0][1]], dtype=float)
    return CubicSpline(phases, values, bc_type="periodic")


def curve(keypoints, phase: np.ndarray) -> np.ndarray:
    """Evaluate a keypoint curve at `phase` (cycles; only the fractional part matters)."""
    return _spline(tuple(keypoints))(np.mod(phase, 1.0))


def joint_curve(joint: str, activity: str, phase: np.ndarray) -> np.ndarray:
    values = curve(LEVEL_WALK[joint], phase)
    delta = ACTIVITY_DELTAS[activity].get(joint)
    if delta:
        values = values + curve(delta, phase)
    return values


def warp_phase(phase: np.ndarray, stance_fraction: float) -> np.ndarray:
    """Map a subject's phase onto template phase so that their toe-off lands on the template's."""
    cycles = np.floor(phase)
    p = phase - cycles
    s = stance_fraction
    warped = np.where(
        p < s,
        p * TEMPLATE_TOE_OFF / s,
        TEMPLATE_TOE_OFF + (p - s) * (1 - TEMPLATE_TOE_OFF) / (1 - s),
    )
    return cycles + warped
