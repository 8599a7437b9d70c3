"""The classical estimate of each joint the IMU set observes, from the front-end's inclinations.

One definition, used by the classical baseline (baseline.py) and by the models' heads (head.py):
each joint both of whose segments carry an IMU is a linear map of their pitch and roll (degrees,
relative to the standing pose), in OpenSim's senses (schema.py):

    hip flexion    = femur pitch - pelvis pitch        (femur alone: femur pitch; the pelvis tilts
                                                         only a few degrees while walking)
    hip adduction  = +-(femur roll - pelvis roll)       (+ right, - left)
    knee angle     = femur pitch - tibia pitch
    ankle angle    = calcn pitch - tibia pitch

Hip rotation is never observed by inclinations; knee and ankle without a tibia IMU are not either,
but their difference is: knee - ankle = femur pitch - calcn pitch, the shank's pitch cancels
(`paired_physics`). So with femur + calcn the network infers one thing, the shank's pitch, and
the head keeps both joints consistent with the segments the IMUs see (`head_basis`).

Measured why the network is kept out of the observed joints: on the shared real S02 trial and on
held-out synthetic people, a network's read-out added to hip flexion made it worse than the thigh's
pitch alone (S02 right hip 7.1 -> 4.2 deg, synthetic 4.0 -> 2.5).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Every joint's angle in the calibration's standing pose, where every inclination is 0: the model's
# default pose, which is what OpenSense's IMU calibration assumes of the calibration trial. A
# label-free estimate cannot know a person's own standing pose; personalisation fits it.
STANDING_POSE_DEG = 0.0


def joint_physics(segments, side: str) -> dict:
    """{angle name: {feature name: weight}} for the joints `segments` observe."""
    have = _present(segments, side)
    pitch = lambda p: f"{have[p]}_pitch"
    roll = lambda p: f"{have[p]}_roll"
    sign = 1.0 if side == "r" else -1.0
    out = {}
    if "femur" in have:
        out[f"hip_flexion_{side}"] = {pitch("femur"): 1.0, **({pitch("pelvis"): -1.0} if "pelvis" in have else {})}
        if "pelvis" in have:
            out[f"hip_adduction_{side}"] = {roll("femur"): sign, roll("pelvis"): -sign}
        if "tibia" in have:
            out[f"knee_angle_{side}"] = {pitch("femur"): 1.0, pitch("tibia"): -1.0}
    if "tibia" in have and "calcn" in have:
        out[f"ankle_angle_{side}"] = {pitch("calcn"): 1.0, pitch("tibia"): -1.0}
    return out


def _present(segments, side: str) -> dict:
    return {s.split("_")[0]: s for s in segments if s == "pelvis" or s.endswith(f"_{side}")}


def paired_physics(segments, side: str) -> list[tuple[str, str, dict]]:
    """[(angle a, angle b, {feature: weight})]: differences a - b the IMUs observe although neither
    angle is observed alone. With femur and calcn but no tibia: knee - ankle = femur pitch - calcn
    pitch."""
    have = _present(segments, side)
    if "femur" in have and "calcn" in have and "tibia" not in have:
        return [(f"knee_angle_{side}", f"ankle_angle_{side}",
                 {f"{have['femur']}_pitch": 1.0, f"{have['calcn']}_pitch": -1.0})]
    return []


@dataclass
class HeadBasis:
    """The head's outputs in the basis where the classical estimates are single columns.

    `mix` (K, K) takes angles to that basis (z = y @ mix): the identity, except that a pair (a, b)
    of `paired_physics` becomes its mean (a + b) / 2, which the network infers, and its half
    difference (a - b) / 2, which physics observes. `physics[k]` are the feature weights of basis
    column k's classical estimate; `observed[k]` says it has one. The head is fitted and
    constrained in this basis (models/head.py, personalize.py) and stored back in angles."""

    mix: np.ndarray
    physics: dict

    @property
    def observed(self) -> list[bool]:
        return [k in self.physics for k in range(len(self.mix))]


def head_basis(segments, side: str, targets) -> HeadBasis:
    targets = list(targets)
    mix = np.eye(len(targets))
    physics = {targets.index(j): w for j, w in joint_physics(segments, side).items() if j in targets}
    for a, b, weights in paired_physics(segments, side):
        if a in targets and b in targets:
            i, j = targets.index(a), targets.index(b)
            mix[:, [i, j]] = 0.0
            mix[i, i] = mix[j, i] = 0.5      # z_i = (a + b) / 2
            mix[i, j], mix[j, j] = 0.5, -0.5  # z_j = (a - b) / 2
            physics[j] = {f: w / 2 for f, w in weights.items()}
    return HeadBasis(mix, physics)
