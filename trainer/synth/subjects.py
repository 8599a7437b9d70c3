"""Synthetic people: body size, gait style and how their sensors happen to sit.

Every difference here is one that exists between real people and real sessions, and each one
changes the mapping from IMU signals to joint angles — which is why a model trained on other
people does worse than one trained on the same person (the seed paper's central effect).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data.schema import ANGLE_BASES, SEGMENTS


@dataclass
class SensorMount:
    """Where an IMU sits on its segment (metres, segment frame) and how it is turned (rotation
    vector in radians from the segment frame to the sensor frame)."""

    site: np.ndarray
    rotvec: np.ndarray


@dataclass
class SubjectProfile:
    subject_id: str
    height: float                   # m
    thigh_scale: float              # segment length relative to the height-based norm
    shank_scale: float
    foot_scale: float
    pelvis_width_scale: float
    stride_frequency: float         # strides per second at the comfortable speed
    stance_fraction: float          # toe-off as a fraction of the cycle at the comfortable speed
    rom_scale: dict                 # (joint, side) -> multiplier of the template's excursion
    offset_deg: dict                # (joint, side) -> degrees added throughout
    timing_shift: dict              # (joint, side) -> phase shift in cycles
    left_phase_offset: float        # left leg lags the right by 0.5 + this
    pelvis_amplitude_deg: np.ndarray  # tilt, list, rotation amplitudes
    pelvis_tilt_deg: float          # standing pelvis_tilt (negative = anterior)
    mounts: dict = field(default_factory=dict)  # segment -> SensorMount
    gyro_noise: float = 0.008       # rad/s, white
    acc_noise: float = 0.05         # m/s^2, white
    gyro_bias_sd: float = 0.01      # rad/s, drawn per trial
    acc_bias_sd: float = 0.08       # m/s^2, drawn per trial

    def describe(self) -> dict:
        return {
            "height_m": round(self.height, 3),
            "stride_frequency_hz": round(self.stride_frequency, 3),
            "stance_fraction": round(self.stance_fraction, 3),
        }


# Nominal IMU sites (segment frame, metres, for a 1.75 m person), after the BioMAC placements:
# sacrum, lateral mid-thigh, lateral shank, dorsum of the foot. z points right, so lateral is +z
# on the right leg and -z on the left.
NOMINAL_SITES = {
    "pelvis": (-0.10, 0.05, 0.0),
    "femur": (0.0, -0.21, 0.07),
    "tibia": (0.0, -0.19, 0.055),
    "calcn": (0.07, -0.02, 0.0),
}


def nominal_site(segment: str) -> np.ndarray:
    placement = segment.split("_")[0]
    site = np.array(NOMINAL_SITES[placement], dtype=float)
    if segment.endswith("_l"):
        site[2] = -site[2]
    return site


def sample_subject(rng: np.random.Generator, subject_id: str) -> SubjectProfile:
    """Draw one person. Spreads are those reported between healthy adults."""
    rom_scale, offset, shift = {}, {}, {}
    asymmetry = rng.normal(0.0, 0.04)          # one leg moves a little more than the other
    for joint in ANGLE_BASES:
        base_scale = rng.normal(1.0, 0.12)
        base_offset = rng.normal(0.0, {"hip_flexion": 4, "hip_adduction": 2.5, "hip_rotation": 4,
                                       "knee_angle": 3, "ankle_angle": 3}[joint])
        base_shift = rng.normal(0.0, 0.015)
        for side, sign in (("r", 1), ("l", -1)):
            rom_scale[joint, side] = max(0.6, base_scale * (1 + sign * asymmetry) + rng.normal(0, 0.03))
            offset[joint, side] = base_offset + rng.normal(0.0, 1.5)
            shift[joint, side] = base_shift + rng.normal(0.0, 0.005)

    mounts = {}
    for segment in SEGMENTS:
        # Straps sit a few cm off the nominal site and a few degrees off the segment axes; the
        # turn about the long axis (y) is the largest, as on a round thigh or shank.
        site = nominal_site(segment) + rng.normal(0.0, [0.015, 0.025, 0.01])
        rotvec = np.deg2rad(rng.normal(0.0, [6.0, 12.0, 6.0]))
        mounts[segment] = SensorMount(site=site, rotvec=rotvec)

    return SubjectProfile(
        subject_id=subject_id,
        height=float(np.clip(rng.normal(1.74, 0.09), 1.52, 1.98)),
        thigh_scale=float(rng.normal(1.0, 0.04)),
        shank_scale=float(rng.normal(1.0, 0.04)),
        foot_scale=float(rng.normal(1.0, 0.04)),
        pelvis_width_scale=float(rng.normal(1.0, 0.07)),
        stride_frequency=float(np.clip(rng.normal(0.90, 0.06), 0.75, 1.05)),
        stance_fraction=float(np.clip(rng.normal(0.61, 0.015), 0.57, 0.65)),
        rom_scale=rom_scale,
        offset_deg=offset,
        timing_shift=shift,
        left_phase_offset=float(rng.normal(0.0, 0.01)),
        pelvis_amplitude_deg=np.abs(rng.normal([2.0, 4.0, 5.0], [0.7, 1.2, 1.5])),
        pelvis_tilt_deg=float(rng.normal(-8.0, 2.5)),
        mounts=mounts,
        gyro_noise=float(rng.uniform(0.005, 0.015)),
        acc_noise=float(rng.uniform(0.03, 0.10)),
    )
