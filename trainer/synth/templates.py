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

# Stairs differ too much from level walking for additive changes: their own shapes, after the
# stair-gait studies of Riener et al. 2002 and Protopapadaki et al. 2007 (17 cm risers). Going up,
# the leading leg lands flexed (hip ~55, knee ~60 deg) and straightens to lift the body; going
# down, the knee takes the load flexing to ~40 deg and the foot lands toe first.
STAIR_UP = {
    "hip_flexion": [(0, 55), (15, 45), (40, 17), (60, 5), (72, 30), (86, 60), (95, 60)],
    "hip_adduction": [(0, 0), (15, 6), (35, 5), (55, -1), (67, -5), (82, -3)],
    "hip_rotation": [(0, 2), (15, 4), (45, -1), (60, -5), (80, 0)],
    "knee_angle": [(0, 58), (15, 48), (35, 18), (55, 10), (65, 40), (76, 88), (88, 80), (96, 64)],
    "ankle_angle": [(0, -2), (15, 8), (35, 12), (55, 1), (65, -15), (75, -2), (88, 8)],
}
STAIR_DOWN = {
    "hip_flexion": [(0, 12), (15, 15), (35, 9), (55, 3), (70, 26), (85, 34), (95, 20)],
    "hip_adduction": [(0, 1), (15, 7), (35, 4), (55, -2), (67, -6), (82, -2)],
    "hip_rotation": [(0, 2), (15, 5), (45, -2), (60, -6), (80, 0)],
    "knee_angle": [(0, 8), (15, 32), (35, 30), (55, 50), (70, 88), (84, 52), (96, 14)],
    "ankle_angle": [(0, -20), (15, 6), (40, 15), (60, 22), (72, -4), (88, -24)],
}

ACTIVITY_DELTAS = {"walk": {}, "ramp_up": RAMP_UP_DELTA, "ramp_down": RAMP_DOWN_DELTA,
                   "stair_up": {}, "stair_down": {}}
ACTIVITY_BASE = {"stair_up": STAIR_UP, "stair_down": STAIR_DOWN}
# Ground slope of each activity, degrees (positive = uphill in the walking direction); stairs
# rise about 31 deg (17 cm risers, 28 cm treads) but their treads, where the feet land, are level.
ACTIVITY_SLOPE_DEG = {"walk": 0.0, "ramp_up": 6.0, "ramp_down": -6.0, "stair_up": 31.0, "stair_down": -31.0}
STAIRS = ("stair_up", "stair_down")


@lru_cache(maxsize=None)
def _spline(key: tuple) -> CubicSpline:
    phases = np.array([p for p, _ in key] + [100.0]) / 100.0
    values = np.array([v for _, v in key] + [key[0][1]], dtype=float)
    return CubicSpline(phases, values, bc_type="periodic")


def curve(keypoints, phase: np.ndarray) -> np.ndarray:
    """Evaluate a keypoint curve at `phase` (cycles; only the fractional part matters)."""
    return _spline(tuple(keypoints))(np.mod(phase, 1.0))


def jittered(keypoints, jitter) -> list:
    """Keypoints moved by a person's own (value deg, phase %) offsets, one pair per keypoint
    (cycled when there are fewer), keeping the phases in order."""
    if jitter is None:
        return list(keypoints)
    out, last = [], 0.0
    for i, (p, v) in enumerate(keypoints):
        dv, dp = jitter[i % len(jitter)]
        # The first keypoint stays put: the spline's period starts there.
        phase = float(p) if i == 0 else float(np.clip(p + dp, last + 5.0, 95.0 - 5.0 * (len(keypoints) - 1 - i)))
        out.append((round(phase, 3), round(float(v + dv), 3)))
        last = phase
    return out


def joint_curve(joint: str, activity: str, phase: np.ndarray, jitter=None) -> np.ndarray:
    """The joint's curve for an activity; `jitter` reshapes it for one person (see `jittered`)."""
    values = curve(jittered(ACTIVITY_BASE.get(activity, LEVEL_WALK)[joint], jitter), phase)
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
