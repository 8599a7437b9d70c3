"""The synthetic generator's twin of a real mocap trial: the trial's own motion — its joint angles
and its pelvis orientation — through the generator's body model (rigid pelvis-femur-tibia-calcn
chain placed on the ground by foot contact) and its sensor model (nominal sites, soft tissue,
heel-strike shock, bias, noise). Scored against the real IMUs of the same trial by
`trainer.data.sensor_agreement`, it says how realistic the generator's signals are for a motion
that really happened, apart from how realistic its motion templates are.

Frames are OpenSim's (x anterior, y up, z right), so the twin's flexion axis is z.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.interpolate import CubicSpline
from scipy.signal import butter, sosfiltfilt
from scipy.spatial.transform import Rotation

from ..data.loaders.c3d_segments import SegmentPoses
from ..data.recording import Recording
from ..data.schema import ANGLES, TIME
from .generate import OVERSAMPLE, segment_imus, subject_rng
from .kinematics import Body, chain_origins, place_on_ground, segment_orientations
from .subjects import sample_subject

SAGITTAL_AXIS = "z"
CONTACT_WIDTH_M = 0.01   # how sharply support passes to the lower foot
HEADING_CUTOFF_HZ = 0.4  # below the stride frequency: where the person heads, not how the pelvis swings


def _lab_to_opensim(up: np.ndarray) -> np.ndarray:
    """Rotation taking lab coordinates (any vertical axis) to OpenSim's ground (y up)."""
    k = int(np.argmax(np.abs(up)))
    if k == 2:
        A = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])
    elif k == 1:
        A = np.eye(3)
    else:
        A = np.array([[0, 0, -1.0], [1, 0, 0], [0, -1, 0]])
    return A if up[k] > 0 else np.diag([1.0, -1.0, -1.0]) @ A


# Segment axes of the mocap layouts (x anterior, y left, z proximal) in OpenSim body axes.
_MOCAP_TO_OPENSIM_BODY = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]])


def pelvis_angles(poses: SegmentPoses) -> dict:
    """The pelvis orientation as the generator's rotation (yaw, heading included), list and tilt."""
    A = _lab_to_opensim(poses.up)
    R = A @ poses.rotations["pelvis"] @ _MOCAP_TO_OPENSIM_BODY
    yaw, lst, tilt = Rotation.from_matrix(R).as_euler("YXZ").T
    return {"rotation": np.unwrap(yaw), "list": lst, "tilt": tilt}


def _support_right(body: Body, frames: dict, origins: dict) -> np.ndarray:
    """Share of support on the right foot: the lower foot carries the body."""
    lowest = {}
    for side in ("r", "l"):
        points = [origins[f"calcn_{side}"] + np.einsum("tij,j->ti", frames[f"calcn_{side}"], p)
                  for p in (body.heel, body.toe)]
        lowest[side] = np.minimum(points[0][:, 1], points[1][:, 1])
    return 1.0 / (1.0 + np.exp(-(lowest["l"] - lowest["r"]) / CONTACT_WIDTH_M))


def twin_of(reference: Recording, poses: SegmentPoses, seed: int = 0) -> Recording:
    """The generator's IMUs for `reference`'s motion (all ten angles needed; `poses` gives the
    pelvis orientation of the same trial on the same clock)."""
    missing = [a for a in ANGLES if a not in reference.angles]
    if missing:
        raise ValueError(f"a twin needs all ten joint angles; the reference lacks {', '.join(missing)}")
    rng = subject_rng(seed, 0)
    profile = sample_subject(rng, f"{reference.subject}-twin")
    # Sensors square with their segments (soft tissue, gains, noise as drawn): the comparison fits
    # each sensor's mounting anyway, and this keeps the twin's flexion axis at z.
    profile.mounts = {s: dataclasses.replace(m, rotvec=np.zeros(3)) for s, m in profile.mounts.items()}
    rate = reference.sample_rate * OVERSAMPLE
    t_out = reference.data[TIME].to_numpy(dtype=float)
    t = np.arange(len(t_out) * OVERSAMPLE) / rate + t_out[0]
    angles = {a: CubicSpline(t_out, reference.data[a].to_numpy(dtype=float))(t) for a in ANGLES}
    pelvis = {k: CubicSpline(np.arange(len(v)) / poses.rate, v)(t - t_out[0]) for k, v in pelvis_angles(poses).items()}
    body = Body.of(profile)
    frames = segment_orientations({k: np.deg2rad(v) for k, v in angles.items()}, pelvis)
    origins = chain_origins(body, frames)
    support_r = _support_right(body, frames, origins)
    pelvis_position = place_on_ground(body, frames, origins, 1.0 / rate, support_r)
    crossing = np.diff((support_r > 0.5).astype(int))
    strikes = {"r": t[1:][crossing > 0], "l": t[1:][crossing < 0]}
    # Soft tissue reads each segment's swing in the walking direction: the slow part of the yaw
    # (where the person heads) is taken out, its stride-to-stride swing kept, as the generator does.
    slow = sosfiltfilt(butter(2, HEADING_CUTOFF_HZ, fs=rate, output="sos"), pelvis["rotation"])
    heading_free = segment_orientations({k: np.deg2rad(v) for k, v in angles.items()},
                                        {**pelvis, "rotation": pelvis["rotation"] - slow})
    columns = {TIME: t[::OVERSAMPLE],
               **segment_imus(profile, frames, heading_free, pelvis_position, origins, angles, t, strikes, 1.0, rng)}
    for name in ANGLES:
        columns[name] = reference.data[name].to_numpy(dtype=np.float32)
    return Recording(data=pd.DataFrame(columns), subject=profile.subject_id, activity=reference.activity,
                     sample_rate=reference.sample_rate, source="synthetic-twin",
                     extra={"of": reference.extra.get("file", reference.source), "seed": seed})
