"""Synthetic people: body size, gait style and how their sensors happen to sit.

Every difference here is one that exists between real people and real sessions, and each one
changes the mapping from IMU signals to joint angles — which is why a model trained on other
people does worse than one trained on the same person (the seed paper's central effect).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scipy.spatial.transform import Rotation

from ..data.schema import ANGLE_BASES, SEGMENTS


@dataclass
class SensorMount:
    """Where an IMU sits on its segment (metres, segment frame) and how it is turned (rotation
    vector in radians from the segment frame to the sensor frame), plus how it moves on the skin.

    Soft tissue: the sensor turns against the bone by `lag` times the segment's flexion from its
    standing pose (skin and muscle lag the bone: the thigh's sensor shows less flexion than the
    femur), by `twist` times the knee's flexion about the segment's long axis (the thigh's muscles
    roll under the strap), and it wobbles after each heel strike by `wobble_deg`."""

    site: np.ndarray
    rotvec: np.ndarray
    lag: float = 0.0
    twist: float = 0.0
    wobble_deg: float = 0.0
    acc_gain: np.ndarray = field(default_factory=lambda: np.ones(3))
    gyr_gain: np.ndarray = field(default_factory=lambda: np.ones(3))


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
    shape_jitter: dict              # joint -> [(value deg, phase %)] moving each template keypoint
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


# Soft-tissue ranges by placement (uniform draws): (lag, |twist|, wobble deg). The thigh moves most
# on its bone (Cappozzo et al. 1996: several degrees), the shank and foot much less.
SOFT_TISSUE = {"pelvis": (0.03, 0.0, 0.5), "femur": (0.12, 0.06, 2.0), "tibia": (0.05, 0.02, 1.2),
               "calcn": (0.03, 0.0, 0.8)}

# Typical excursion of each joint over a level-walking stride (deg): the scale of shape jitter.
JOINT_SPAN = {"hip_flexion": 40.0, "hip_adduction": 13.0, "hip_rotation": 11.0, "knee_angle": 60.0,
              "ankle_angle": 27.0}

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
        base_shift = rng.normal(0.0, 0.03)
        for side, sign in (("r", 1), ("l", -1)):
            rom_scale[joint, side] = max(0.6, base_scale * (1 + sign * asymmetry) + rng.normal(0, 0.03))
            offset[joint, side] = base_offset + rng.normal(0.0, 1.5)
            shift[joint, side] = base_shift + rng.normal(0.0, 0.008)
    # Every person's curves have their own shape, not only their own size and timing: a network
    # trained on people who share one template would learn that template's timing between joints.
    jitter = {joint: [(float(rng.normal(0.0, 0.06 * JOINT_SPAN[joint])), float(rng.normal(0.0, 1.5)))
                      for _ in range(8)] for joint in ANGLE_BASES}

    mounts = {}
    for segment in SEGMENTS:
        # Straps sit a few cm off the nominal site, and a sensor may be turned any way at all
        # (upside down, on its side): the label-free calibration has to find how.
        site = nominal_site(segment) + rng.normal(0.0, [0.015, 0.025, 0.01])
        rotvec = Rotation.random(random_state=rng).as_rotvec()
        lag, twist, wobble = SOFT_TISSUE[segment.split("_")[0]]
        mounts[segment] = SensorMount(site=site, rotvec=rotvec, lag=float(rng.uniform(0.0, lag)),
                                      twist=float(rng.uniform(-twist, twist)),
                                      wobble_deg=float(rng.uniform(0.3, 1.0) * wobble),
                                      acc_gain=1.0 + rng.normal(0.0, 0.01, 3), gyr_gain=1.0 + rng.normal(0.0, 0.01, 3))

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
        shape_jitter=jitter,
        left_phase_offset=float(rng.normal(0.0, 0.01)),
        pelvis_amplitude_deg=np.abs(rng.normal([3.0, 5.0, 6.0], [0.8, 1.2, 1.5])),
        pelvis_tilt_deg=float(rng.normal(0.0, 2.5)),
        mounts=mounts,
        gyro_noise=float(rng.uniform(0.005, 0.015)),
        acc_noise=float(rng.uniform(0.03, 0.10)),
    )
