"""Virtual IMUs: what an ideal accelerometer and gyroscope strapped to a moving segment measure.

gyro = angular velocity of the sensor, in the sensor frame;
acc  = specific force at the sensor's position (its acceleration minus gravity), in the sensor
       frame — so a sensor lying still with its y axis up reads +9.81 on y.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from .subjects import SensorMount

GRAVITY = np.array([0.0, -9.81, 0.0])


def body_angular_velocity(R: np.ndarray, dt: float) -> np.ndarray:
    """Angular velocity in the body frame from orientations (T,3,3): the vee of Rᵀ·dR/dt."""
    W = np.einsum("tji,tjk->tik", R, np.gradient(R, dt, axis=0))
    # Numerical W is only nearly skew-symmetric; averaging both halves cancels the error terms.
    return 0.5 * np.stack([W[:, 2, 1] - W[:, 1, 2], W[:, 0, 2] - W[:, 2, 0], W[:, 1, 0] - W[:, 0, 1]], -1)


def ideal_imu(R_segment: np.ndarray, origin: np.ndarray, mount: SensorMount, dt: float,
              extra_world_acc: np.ndarray | None = None,
              tissue_rotvec: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free (acc, gyr), each (T,3), of a sensor mounted on a segment; `tissue_rotvec` (T,3,
    segment frame, radians) turns the sensor against the bone as soft tissue does."""
    R_mount = Rotation.from_rotvec(mount.rotvec).as_matrix()
    position = origin + np.einsum("tij,j->ti", R_segment, mount.site)
    acceleration = np.gradient(np.gradient(position, dt, axis=0), dt, axis=0)
    if extra_world_acc is not None:
        acceleration = acceleration + extra_world_acc
    if tissue_rotvec is None:
        R_sensor = R_segment @ R_mount
        gyr = body_angular_velocity(R_segment, dt) @ R_mount
    else:
        R_sensor = R_segment @ Rotation.from_rotvec(tissue_rotvec).as_matrix() @ R_mount
        gyr = body_angular_velocity(R_sensor, dt)
    acc = np.einsum("tji,tj->ti", R_sensor, acceleration - GRAVITY)
    return acc * mount.acc_gain, gyr * mount.gyr_gain


def heel_strike_transient(t: np.ndarray, strike_times, amplitude: float,
                          frequency: float = 22.0, decay: float = 0.018) -> np.ndarray:
    """Damped oscillation started at each heel strike: the impact shock that runs up the leg."""
    out = np.zeros_like(t)
    for t0 in strike_times:
        after = t >= t0
        tau = t[after] - t0
        out[after] += amplitude * np.exp(-tau / decay) * np.sin(2 * np.pi * frequency * tau)
    return out
