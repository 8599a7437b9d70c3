"""Virtual IMUs from motion capture: what a sensor strapped to each tracked segment would have
measured (`kinedge data virtualize`), the field's way to turn a mocap archive into training data.

Per segment, from its pose over time (origin + rotation, `c3d_segments.py`):
- gyro = the segment's angular velocity in the sensor frame (the vee of Rᵀ·dR/dt);
- acc  = specific force at the sensor's site, gravity included: R_sensorᵀ (d²p/dt² + g·up).

Filtering: mocap positions are differentiated twice, which multiplies marker noise by (2πf)²,
so poses are low-passed first — a 4th-order Butterworth run forwards and backwards (zero lag) on
the positions and on the rotation matrices (re-orthonormalised after). The default 10 Hz keeps
walking's content (most power below 6 Hz; heel-strike transients, which optical markers do not
resolve anyway, aside) and removes marker jitter. On the shared S02 trial, whose poses come
already smoothed, 6 Hz, 10 Hz, 15 Hz and no filter agree with the real Xsens sensors within 0.01
in r (`bench/virtual_vs_real.py`). Derivatives are central differences.

Sites, in each segment's frame (x anterior, y left, z proximal), after common placements: sacrum
8 cm behind mid-pelvis; lateral mid-thigh (50% from knee to hip, 7 cm out); lateral shank (55%
from ankle to knee, 5 cm out); mid-foot (50% from toe to ankle). The sensor frame is the segment
frame turned by an optional mounting rotation, fixed (`mounts`) or random up to `mount_error_deg`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import butter, sosfiltfilt
from scipy.spatial.transform import Rotation

from .errors import DataError
from .loaders.c3d_segments import SegmentPoses, read_segment_poses
from .recording import Recording
from .schema import SEGMENTS, TIME, imu_columns
# The same rigid-body kinematics the synthetic generator's virtual sensors use.
from ..synth.virtual_imu import body_angular_velocity

GRAVITY = 9.81
DEFAULT_CUTOFF_HZ = 10.0
# placement -> (fraction of the way from the segment origin to its proximal joint, lateral offset m)
DEFAULT_SITES = {"pelvis": (0.0, 0.0), "femur": (0.5, 0.07), "tibia": (0.55, 0.05), "calcn": (0.5, 0.0)}
SACRUM_BEHIND_M = 0.08
# The generator's sensor imperfections (trainer/synth/subjects.py SubjectProfile defaults).
NOISE = {"gyro_noise": 0.008, "acc_noise": 0.05, "gyro_bias_sd": 0.01, "acc_bias_sd": 0.08}


@dataclass
class VirtualSettings:
    cutoff_hz: float = DEFAULT_CUTOFF_HZ
    sites: dict = field(default_factory=lambda: dict(DEFAULT_SITES))   # placement -> (fraction, lateral m)
    mounts: dict = field(default_factory=dict)       # segment -> rotation vector (deg), sensor off its segment
    mount_error_deg: float = 0.0                     # plus a random turn up to this, per sensor
    noise: bool = False                              # white noise and a per-trial bias, as the generator
    seed: int = 0

    def to_json(self) -> dict:
        return {"cutoff_hz": self.cutoff_hz, "sites": {k: list(v) for k, v in self.sites.items()},
                "mounts": {k: list(map(float, v)) for k, v in self.mounts.items()},
                "mount_error_deg": self.mount_error_deg, "noise": self.noise, "seed": self.seed}


def _lowpass(x: np.ndarray, cutoff_hz: float, rate: float) -> np.ndarray:
    if cutoff_hz <= 0 or cutoff_hz >= rate / 2:
        return x
    return sosfiltfilt(butter(4, cutoff_hz, fs=rate, output="sos"), x, axis=0)


def _polar(M: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(M)
    return u @ vt


def sensor_site(poses: SegmentPoses, segment: str, settings: VirtualSettings) -> np.ndarray:
    """(T, 3) lab position of the sensor on `segment`."""
    placement, side = segment.split("_")[0], segment[-1]
    origin, R = poses.origins[segment], poses.rotations[segment]
    if placement == "pelvis":
        return origin - SACRUM_BEHIND_M * R[:, :, 0]
    fraction, lateral = settings.sites[placement]
    proximal = {"femur": poses.hips.get(side), "tibia": poses.origins.get(f"femur_{side}"),
                "calcn": poses.origins.get(f"tibia_{side}")}[placement]
    if proximal is None:
        raise DataError(poses.path, f"cannot place the {segment} sensor: the file has no pose or joint centre "
                                    f"of its proximal joint")
    outward = -1.0 if side == "r" else 1.0   # y points left in every segment frame
    return origin + fraction * (proximal - origin) + outward * lateral * R[:, :, 1]


def mounting(segment: str, settings: VirtualSettings, rng: np.random.Generator) -> np.ndarray:
    """Rotation from the segment frame to the sensor frame."""
    fixed = Rotation.from_rotvec(np.deg2rad(settings.mounts.get(segment, np.zeros(3))))
    if settings.mount_error_deg <= 0:
        return fixed.as_matrix()
    axis = rng.standard_normal(3)
    axis /= np.linalg.norm(axis)
    angle = np.deg2rad(rng.uniform(0.0, settings.mount_error_deg))
    return (fixed * Rotation.from_rotvec(axis * angle)).as_matrix()


def virtual_imus(poses: SegmentPoses, settings: VirtualSettings) -> tuple[dict, dict]:
    """Per segment present: (acc (T,3), gyr (T,3)) in the sensor frame, and the mounting used."""
    rng = np.random.default_rng(settings.seed)
    dt = 1.0 / poses.rate
    signals, mounts = {}, {}
    for segment in (s for s in SEGMENTS if s in poses.rotations):
        R = _polar(_lowpass(poses.rotations[segment], settings.cutoff_hz, poses.rate))
        site = _lowpass(sensor_site(poses, segment, settings), settings.cutoff_hz, poses.rate)
        M = mounting(segment, settings, rng)
        R_sensor = R @ M
        acceleration = np.gradient(np.gradient(site, dt, axis=0), dt, axis=0)
        acc = np.einsum("tji,tj->ti", R_sensor, acceleration + GRAVITY * poses.up)
        gyr = body_angular_velocity(R, dt) @ M
        if settings.noise:
            acc = acc + rng.normal(0, NOISE["acc_bias_sd"], 3) + rng.normal(0, NOISE["acc_noise"], acc.shape)
            gyr = gyr + rng.normal(0, NOISE["gyro_bias_sd"], 3) + rng.normal(0, NOISE["gyro_noise"], gyr.shape)
        signals[segment] = (acc, gyr)
        mounts[segment] = Rotation.from_matrix(M).as_rotvec(degrees=True).round(3).tolist()
    return signals, mounts


def virtualize_c3d(path: Path, subject: str, activity: str, settings: VirtualSettings | None = None,
                   convention: str = "auto") -> Recording:
    """A recording of virtual IMUs on every segment the C3D tracks, labelled with its joint angles
    (when the file has Plug-in-Gait style angle channels)."""
    from .loaders.c3d import load_c3d_angles, open_c3d

    settings = settings or VirtualSettings()
    opened = open_c3d(path)   # poses and angles come from the same file: read it once
    poses = read_segment_poses(path, opened=opened)
    signals, mounts = virtual_imus(poses, settings)
    n = len(next(iter(poses.origins.values())))
    columns = {TIME: np.arange(n) / poses.rate}
    for segment, (acc, gyr) in signals.items():
        for name, values in zip(imu_columns(segment), np.hstack([acc, gyr]).T):
            columns[name] = values.astype(np.float32)
    try:
        angles = load_c3d_angles(path, subject, activity, convention, opened=opened)
        for name in angles.angles:
            columns[name] = angles.data[name].to_numpy()
        convention_used = angles.extra["convention"]
    except DataError:
        convention_used = None   # poses without angle channels: IMU signals only
    return Recording(
        data=pd.DataFrame(columns), subject=subject, activity=activity, sample_rate=poses.rate,
        source="virtual-imu-c3d",
        extra={"file": Path(path).name, "layout": poses.layout, "first_frame": poses.first_frame,
               "angle_convention": convention_used, "up": poses.up.tolist(),
               "virtual": {**settings.to_json(), "mount_rotvec_deg": mounts}},
    )
