"""Forward kinematics of a pelvis–femur–tibia–calcaneus chain on both legs, placed on the ground.

Frames follow OpenSim: x anterior, y up, z to the right, for the ground and every segment.
Joint rotations follow the OpenSim/Rajagopal coordinate definitions (see `trainer.data.schema`):
femur = pelvis · Rz(hip_flexion) · Rx(±hip_adduction) · Ry(±hip_rotation), tibia = femur ·
Rz(−knee_angle), calcn = tibia · Rz(ankle_angle); the ± is + on the right leg, − on the left.

No root trajectory is prescribed: the pelvis moves so that the supporting foot stays on the
ground and does not slide. Walking speed therefore follows from leg geometry, joint angles and
cadence, as it does in a person.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfiltfilt

from .subjects import SubjectProfile

REFERENCE_HEIGHT = 1.75
# Within a foot, a point's share of contact falls as exp(-height / CONTACT_SOFTNESS) with its
# height above the foot's lowest point: 5 mm makes the heel-to-toe roll smooth enough to
# differentiate twice without being mushy.
CONTACT_SOFTNESS = 0.005
# The pelvis path is low-passed at this frequency: in a person the heel pad, the knee and soft
# tissue smooth the contact hand-over that a rigid chain would turn into acceleration spikes.
PELVIS_CUTOFF_HZ = 3.0


def rot_x(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def rot_y(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def rot_z(a: np.ndarray) -> np.ndarray:
    c, s, o, z = np.cos(a), np.sin(a), np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


@dataclass
class Body:
    """Joint centres and foot points in segment frames (metres)."""

    hip: dict          # side -> hip centre in the pelvis frame
    thigh: float       # hip to knee
    shank: float       # knee to ankle
    heel: np.ndarray   # in the calcn frame, origin at the ankle centre
    toe: np.ndarray    # metatarsal heads, where the foot rolls off

    @classmethod
    def of(cls, profile: SubjectProfile) -> "Body":
        k = profile.height / REFERENCE_HEIGHT
        width = 0.082 * k * profile.pelvis_width_scale
        foot = k * profile.foot_scale
        return cls(
            hip={"r": np.array([-0.056 * k, -0.078 * k, width]),
                 "l": np.array([-0.056 * k, -0.078 * k, -width])},
            thigh=0.245 * profile.height * profile.thigh_scale,
            shank=0.246 * profile.height * profile.shank_scale,
            heel=np.array([-0.055, -0.065, 0.0]) * foot,
            toe=np.array([0.135, -0.065, 0.0]) * foot,
        )


def segment_orientations(angles_rad: dict, pelvis_rad: dict) -> dict:
    """World orientation (T,3,3) of every segment from joint angles and pelvis tilt/list/rotation."""
    pelvis = rot_y(pelvis_rad["rotation"]) @ rot_x(pelvis_rad["list"]) @ rot_z(pelvis_rad["tilt"])
    frames = {"pelvis": pelvis}
    for side, sign in (("r", 1.0), ("l", -1.0)):
        a = {base: angles_rad[f"{base}_{side}"] for base in
             ("hip_flexion", "hip_adduction", "hip_rotation", "knee_angle", "ankle_angle")}
        femur = pelvis @ rot_z(a["hip_flexion"]) @ rot_x(sign * a["hip_adduction"]) @ rot_y(sign * a["hip_rotation"])
        tibia = femur @ rot_z(-a["knee_angle"])
        frames[f"femur_{side}"] = femur
        frames[f"tibia_{side}"] = tibia
        frames[f"calcn_{side}"] = tibia @ rot_z(a["ankle_angle"])
    return frames


def _apply(R: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum("tij,j->ti", R, v)


def chain_origins(body: Body, frames: dict) -> dict:
    """Segment origins relative to the pelvis origin, in ground-aligned axes (T,3)."""
    T = frames["pelvis"].shape[0]
    origins = {"pelvis": np.zeros((T, 3))}
    down = np.array([0.0, -1.0, 0.0])
    for side in ("r", "l"):
        hip = _apply(frames["pelvis"], body.hip[side])
        knee = hip + _apply(frames[f"femur_{side}"], down * body.thigh)
        ankle = knee + _apply(frames[f"tibia_{side}"], down * body.shank)
        origins[f"femur_{side}"], origins[f"tibia_{side}"], origins[f"calcn_{side}"] = hip, knee, ankle
    return origins


def support_weights(phase_r: np.ndarray, stance_fraction: float) -> np.ndarray:
    """Share of body support on the right foot (0..1) from the right leg's gait phase.

    Right heel strike at phase 0, left heel strike at 0.5, toe-offs a stance fraction later: in the
    two double-support intervals the load moves smoothly from the trailing to the leading foot.
    """
    p = np.mod(phase_r, 1.0)
    double = max(stance_fraction - 0.5, 0.02)
    rise = np.clip(p / double, 0.0, 1.0)
    fall = np.clip((p - 0.5) / double, 0.0, 1.0)
    smooth = lambda x: x * x * (3 - 2 * x)
    return np.where(p < 0.5, smooth(rise), 1.0 - smooth(fall))


def place_on_ground(body: Body, frames: dict, origins: dict, dt: float, support_r: np.ndarray,
                    slope_deg: float = 0.0, stairs: bool = False) -> np.ndarray:
    """Pelvis trajectory (T,3) that keeps the supporting foot planted on a plane of `slope_deg`.

    Which foot supports comes from the gait phase (`support_r`, see `support_weights`); where it
    touches is geometric: the lower of its heel and metatarsal heads, so the foot rolls over.
    On `stairs` the feet stand on level treads and the body rises (or sinks) by what the stance
    leg straightens (or bends) each step, so the pelvis height follows the planted foot as its
    forward position does, instead of a plane.
    """
    tan = 0.0 if stairs else np.tan(np.deg2rad(slope_deg))
    velocity = np.zeros_like(origins["pelvis"])
    height = np.zeros(len(velocity))
    for side, weight in (("r", support_r), ("l", 1.0 - support_r)):
        points = np.stack([origins[f"calcn_{side}"] + _apply(frames[f"calcn_{side}"], local)
                           for local in (body.heel, body.toe)])          # (2, T, 3)
        above = points[..., 1] - tan * points[..., 0]                 # height above the plane, up to a shift
        lowest = above.min(axis=0)
        roll = np.exp(-(above - lowest) / CONTACT_SOFTNESS)
        roll /= roll.sum(axis=0)
        # A planted point has zero ground velocity, so the pelvis moves opposite to it.
        point_velocity = (roll[..., None] * np.gradient(points, dt, axis=1)).sum(axis=0)
        velocity -= weight[:, None] * point_velocity
        height += weight * (lowest - CONTACT_SOFTNESS * np.log(np.exp(-(above - lowest) / CONTACT_SOFTNESS).sum(axis=0)))
    pelvis = np.cumsum(velocity, axis=0) * dt
    if not stairs:
        pelvis[:, 1] = tan * pelvis[:, 0] - height
    return sosfiltfilt(butter(2, PELVIS_CUTOFF_HZ, fs=1.0 / dt, output="sos"), pelvis, axis=0)
