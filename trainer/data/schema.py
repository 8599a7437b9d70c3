"""The recording contract: channel names, units and angle sign conventions, defined once.

A recording is one trial: a `time` column in seconds, IMU channels named
`<segment>_<acc|gyr>_<x|y|z>` (accelerometer in m/s^2 as specific force, gyroscope in rad/s,
both in the sensor's own frame) and joint angles in degrees with OpenSim names.

Angle sign conventions (those of OpenSim's Rajagopal 2015 / OpenSense models; Plug-in-Gait uses
the same senses, so C3D angles map without sign flips, see `c3d.py`):
  hip_flexion_*    + = flexion (thigh forward)
  hip_adduction_*  + = adduction (thigh toward the midline)
  hip_rotation_*   + = internal rotation (toes toward the midline)
  knee_angle_*     + = flexion (0 = straight leg)
  ankle_angle_*    + = dorsiflexion (toes up)
"""
from __future__ import annotations

import re

SEGMENTS = ("pelvis", "femur_r", "femur_l", "tibia_r", "tibia_l", "calcn_r", "calcn_l")
# A placement is a segment without its side; the IMU-combination analysis works on placements.
PLACEMENTS = ("pelvis", "femur", "tibia", "calcn")
SENSOR_KINDS = ("acc", "gyr")
AXES = ("x", "y", "z")

ANGLE_BASES = ("hip_flexion", "hip_adduction", "hip_rotation", "knee_angle", "ankle_angle")
ANGLES = tuple(f"{base}_{side}" for side in ("r", "l") for base in ANGLE_BASES)

TIME = "time"
UNITS = {"acc": "m/s^2", "gyr": "rad/s", "angle": "deg", "time": "s"}

IMU_COLUMN = re.compile(r"^(?P<segment>[a-z]+(?:_[rl])?)_(?P<kind>acc|gyr)_(?P<axis>[xyz])$")


def imu_columns(segment: str, kinds: tuple[str, ...] = SENSOR_KINDS) -> list[str]:
    """The six channels of one IMU, accelerometer first: the channel order used everywhere."""
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}; expected one of {', '.join(SEGMENTS)}")
    return [f"{segment}_{kind}_{axis}" for kind in kinds for axis in AXES]


def imu_channels(segments) -> list[str]:
    """Channels of several IMUs, in the order the segments are given."""
    return [column for segment in segments for column in imu_columns(segment)]


def segments_in(columns) -> list[str]:
    """Segments that have all six channels among `columns`, in canonical order."""
    present = set(columns)
    return [s for s in SEGMENTS if all(c in present for c in imu_columns(s))]


def angles_in(columns) -> list[str]:
    present = set(columns)
    return [a for a in ANGLES if a in present]


def side_of(name: str) -> str | None:
    """'r' or 'l' for a sided segment or angle name, None for the pelvis."""
    if name.endswith("_r"):
        return "r"
    if name.endswith("_l"):
        return "l"
    return None
