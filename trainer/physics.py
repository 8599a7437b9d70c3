"""The classical estimate of each joint the IMU set observes, from the front-end's inclinations.

One definition, used by the classical baseline (baseline.py) and by the models' heads (head.py):
each joint both of whose segments carry an IMU is a linear map of their pitch and roll (degrees,
relative to the standing pose), in OpenSim's senses (schema.py):

    hip flexion    = femur pitch - pelvis pitch        (femur alone: femur pitch; the pelvis tilts
                                                         only a few degrees while walking)
    hip adduction  = +-(femur roll - pelvis roll)       (+ right, - left)
    knee angle     = femur pitch - tibia pitch
    ankle angle    = calcn pitch - tibia pitch

Hip rotation is never observed by inclinations; knee and ankle without a tibia IMU are not either:
those the network must infer. Measured why the network is kept out of the observed joints: on the
shared real S02 trial and on held-out synthetic people, a network's read-out added to hip flexion
made it worse than the thigh's pitch alone (S02 right hip 7.1 -> 4.2 deg, synthetic 4.0 -> 2.5).
"""
from __future__ import annotations


def joint_physics(segments, side: str) -> dict:
    """{angle name: {feature name: weight}} for the joints `segments` observe."""
    have = {s.split("_")[0]: s for s in segments if s == "pelvis" or s.endswith(f"_{side}")}
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
