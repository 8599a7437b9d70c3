"""The classical, training-free estimate a user could pick instead of a learned model.

Per trial and leg, from the pelvis, femur, tibia and calcaneus IMUs:
1. static calibration: the quietest second near the start is taken as standing with every joint
   at 0 deg; the mean gyro there is each sensor's bias;
2. orientation of each sensor from x-io's Fusion AHRS (`imufusion`, accelerometer + gyroscope);
3. segment orientation = the sensor's rotation since the static pose;
4. without magnetometers every sensor has its own heading, so the heading offset between the two
   sensors of a joint — and the leg's forward direction — is the one that makes the joint most
   hinge-like over the trial (least variance outside flexion), with flexion's sign set by anatomy
   (the knee flexes to positive angles);
5. joint angle = relative orientation of adjacent segments, decomposed in OpenSim's order
   (flexion about z, then adduction about x, then rotation about y).
Its errors are the classical ones: standing is not exactly 0 deg, and heading and soft tissue
are unobserved.
"""
from __future__ import annotations

import numpy as np

from .data.recording import Recording
from .data.schema import imu_columns

CHAIN = ("pelvis", "femur", "tibia", "calcn")
GRID_DEG = np.arange(0, 360, 10)


def _rz(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(angle), np.ones_like(angle)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def static_period(recording: Recording, segments, seconds: float = 1.0, search_fraction: float = 0.3) -> slice:
    """The `seconds`-long stretch with the least rotation in the first part of the trial."""
    n = int(seconds * recording.sample_rate)
    speed = sum(np.linalg.norm(recording.channels(imu_columns(s)[3:]), axis=1) for s in segments)
    limit = max(n + 1, int(search_fraction * len(speed)))
    moving = np.convolve(speed[:limit], np.ones(n) / n, mode="valid")
    start = int(np.argmin(moving))
    return slice(start, start + n)


def sensor_orientations(acc: np.ndarray, gyr: np.ndarray, rate: float) -> np.ndarray:
    """World-from-sensor rotation matrices (T,3,3) from imufusion's 6-axis AHRS (z up)."""
    import imufusion

    ahrs = imufusion.Ahrs()
    settings = imufusion.AhrsSettings()
    settings.sample_rate = rate
    settings.gain = 0.5
    settings.gyroscope_range = 2000.0
    settings.acceleration_rejection = 10.0
    settings.rejection_timeout = int(5 * rate)
    ahrs.set_settings(settings)
    gyr_deg = np.rad2deg(gyr).astype(np.float64)
    acc_g = (acc / 9.80665).astype(np.float64)
    out = np.empty((len(acc), 3, 3))
    for i in range(len(acc)):
        ahrs.update_no_magnetometer(gyr_deg[i], acc_g[i])
        out[i] = imufusion.quaternion_to_matrix(ahrs.get_quaternion())
    return out


def rotations_since_static(recording: Recording, segment: str, static: slice) -> np.ndarray:
    channels = recording.channels(imu_columns(segment)).astype(np.float64)
    acc, gyr = channels[:, :3], channels[:, 3:]
    gyr = gyr - gyr[static].mean(axis=0)
    R = sensor_orientations(acc, gyr, recording.sample_rate)
    reference = R[static].mean(axis=0)
    u, _, vt = np.linalg.svd(reference)          # nearest rotation to the mean
    return R @ (u @ vt).T


def opensim_axes(heading: float) -> np.ndarray:
    """Columns: OpenSim x (forward), y (up), z (right) in a z-up world, forward at `heading`."""
    forward = np.array([np.cos(heading), np.sin(heading), 0.0])
    up = np.array([0.0, 0.0, 1.0])
    return np.column_stack([forward, up, np.cross(forward, up)])


def zxy_angles(R: np.ndarray) -> np.ndarray:
    """(a, b, c) with R = Rz(a) Rx(b) Ry(c), in radians, shape (T, 3)."""
    b = np.arcsin(np.clip(R[:, 2, 1], -1, 1))
    a = np.arctan2(-R[:, 0, 1], R[:, 1, 1])
    c = np.arctan2(-R[:, 2, 0], R[:, 2, 2])
    return np.column_stack([a, b, c])


def joint_angles(Qp: np.ndarray, Qd: np.ndarray, offset: float, heading: float) -> np.ndarray:
    """Angles of the distal segment relative to the proximal one, the distal sensor's world turned
    by `offset` about the vertical, the anatomical frame facing `heading` (proximal world)."""
    P = opensim_axes(heading)
    turn = _rz(np.array(offset))
    relative = np.swapaxes(Qp, 1, 2) @ turn @ Qd @ turn.T
    return zxy_angles(P.T @ relative @ P)


def _hinge_cost(angles: np.ndarray) -> float:
    return float(np.var(angles[:, 1]) + np.var(angles[:, 2]))


def fit_joint(Qp, Qd, heading_for=None, flexion_sign: float = 1.0):
    """(offset, heading) that make the joint most hinge-like; a coarse grid, then a fine one.

    `heading_for(offset)` gives the anatomical forward heading when another joint already fixed
    it; otherwise the heading is searched too, and anatomy (`flexion_sign`) picks between the two
    headings 180 deg apart that describe the same hinge with opposite flexion.
    """
    sub = slice(None, None, 4)
    Qp, Qd = Qp[sub], Qd[sub]
    search_heading = heading_for is None
    candidates = lambda offsets, headings: [
        (o, h) for o in offsets for h in (headings(o) if search_heading else [heading_for(o)])]
    cost = lambda oh: _hinge_cost(joint_angles(Qp, Qd, *oh))
    grid = np.deg2rad(GRID_DEG)
    best = min(candidates(grid, lambda o: grid), key=cost)
    steps = np.deg2rad(np.arange(-8, 9, 2))
    offset, heading = min(candidates(best[0] + steps, lambda o: best[1] + steps), key=cost)
    if search_heading:
        flexion = flexion_sign * joint_angles(Qp, Qd, offset, heading)[:, 0]
        if flexion.max() < -flexion.min():
            heading += np.pi
    return offset, heading


def estimate_leg(recording: Recording, side: str) -> dict:
    """Baseline angles (degrees) for one leg over the whole trial: {angle name: (T,)}."""
    segments = ["pelvis"] + [f"{p}_{side}" for p in CHAIN[1:]]
    missing = [s for s in segments if s not in recording.segments]
    if missing:
        raise ValueError(f"the classical baseline needs IMUs on {', '.join(segments)}; missing {', '.join(missing)}")
    static = static_period(recording, segments)
    Q = {s: rotations_since_static(recording, s, static) for s in segments}
    pelvis, femur, tibia, calcn = segments
    sign = 1.0 if side == "r" else -1.0
    # Knee: find the femur-tibia heading offset and the leg's forward heading (in the femur's world).
    knee_offset, heading = fit_joint(Q[femur], Q[tibia], flexion_sign=-1.0)
    knee = joint_angles(Q[femur], Q[tibia], knee_offset, heading)
    # The tibia's world is turned by knee_offset from the femur's, so forward there is heading - offset.
    ankle_offset, _ = fit_joint(Q[tibia], Q[calcn], heading_for=lambda offset: heading - knee_offset)
    ankle = joint_angles(Q[tibia], Q[calcn], ankle_offset, heading - knee_offset)
    # The hip's anatomical frame faces where the femur faces: heading in the femur's world, which
    # the pelvis sees turned by the hip offset.
    hip_offset, hip_heading = fit_joint(Q[pelvis], Q[femur], heading_for=lambda offset: heading + offset)
    hip = joint_angles(Q[pelvis], Q[femur], hip_offset, hip_heading)
    deg = np.rad2deg
    return {f"hip_flexion_{side}": deg(hip[:, 0]), f"hip_adduction_{side}": sign * deg(hip[:, 1]),
            f"hip_rotation_{side}": sign * deg(hip[:, 2]), f"knee_angle_{side}": -deg(knee[:, 0]),
            f"ankle_angle_{side}": deg(ankle[:, 0])}


def score_subject(config, recordings) -> tuple:
    """Baseline angles at exactly the samples the learned models are scored on (the ends of the
    test windows), as (y_true, y_pred, trial) arrays."""
    from .windows import window_ends

    trues, preds, trials = [], [], []
    for recording in recordings:
        estimate = estimate_leg(recording, config.side)
        ends = window_ends(recording.n_samples, config.window, 1.0 - config.test_fraction, 1.0, config.hop)
        y = recording.channels(config.targets)[ends]
        keep = ~np.isnan(y).any(axis=1)
        trues.append(y[keep])
        preds.append(np.column_stack([estimate[name] for name in config.targets])[ends][keep].astype(np.float32))
        trials.append(np.full(keep.sum(), f"{recording.subject}/{recording.extra.get('trial', recording.activity)}"))
    return np.concatenate(trues), np.concatenate(preds), np.concatenate(trials)
