"""Synthetic trials and data sets: subject profile + activity → joint angles → IMU recording."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import butter, sosfiltfilt

from ..data.recording import Recording
from ..data.schema import ANGLE_BASES, SEGMENTS, TIME, imu_columns
from . import templates
from .kinematics import Body, chain_origins, place_on_ground, segment_orientations, support_weights
from .subjects import SubjectProfile, sample_subject
from .virtual_imu import heel_strike_transient, ideal_imu

GENERATOR_VERSION = 1
# Angles of quiet standing, about which a subject's range of motion is scaled. The pelvis tilts
# forward by about the standing hip flexion, so the thigh hangs vertically.
STANDING_DEG = {"hip_flexion": 8.0, "hip_adduction": 0.0, "hip_rotation": 0.0, "knee_angle": 3.0, "ankle_angle": 0.0}
# Heel-strike shock amplitude (m/s^2 at comfortable speed) as it travels up the leg.
IMPACT = {"calcn": 14.0, "tibia": 7.0, "femur": 3.0, "pelvis": 1.5}
OVERSAMPLE = 2  # kinematics are differentiated at twice the output rate, then decimated


@dataclass(frozen=True)
class TrialSpec:
    activity: str            # a key of templates.ACTIVITY_DELTAS
    speed: float             # relative to the subject's comfortable speed
    duration_s: float
    standing_s: float = 2.0  # quiet standing at the start: the static pose a calibration uses

    @property
    def name(self) -> str:
        return f"{self.activity}_{self.speed:.2f}".replace(".", "p")


def default_trials(minutes_per_subject: float) -> list[TrialSpec]:
    """Level walking slow / comfortable / fast, then up and down a ramp, sharing the time."""
    plan = [("walk", 0.8), ("walk", 1.0), ("walk", 1.25), ("ramp_up", 0.9), ("ramp_down", 0.9)]
    each = minutes_per_subject * 60.0 / len(plan)
    return [TrialSpec(activity, speed, each) for activity, speed in plan]


def _slow_noise(rng, n: int, rate: float, cutoff_hz: float, size: int = 1) -> np.ndarray:
    """Unit-variance Gaussian noise low-passed at `cutoff_hz`: stride-to-stride variability."""
    sos = butter(2, cutoff_hz, fs=rate, output="sos")
    x = sosfiltfilt(sos, rng.standard_normal((size, n)), axis=1)
    return x / x.std(axis=1, keepdims=True)


def _envelope(t: np.ndarray, standing_s: float, ramp_s: float = 1.5) -> np.ndarray:
    x = np.clip((t - standing_s) / ramp_s, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def stance_fraction(profile: SubjectProfile, spec: TrialSpec) -> float:
    """People spend a smaller part of the cycle on the ground the faster they walk."""
    return float(np.clip(profile.stance_fraction - 0.05 * (spec.speed - 1.0), 0.55, 0.67))


def joint_angles(profile: SubjectProfile, spec: TrialSpec, t: np.ndarray, rng) -> tuple[dict, dict, np.ndarray]:
    """Joint angles (deg), pelvis angles (deg) and right-leg gait phase (cycles) over time `t`."""
    rate = 1.0 / (t[1] - t[0])
    n = len(t)
    frequency = profile.stride_frequency * spec.speed ** 0.45
    frequency = frequency * (1 + 0.02 * _slow_noise(rng, n, rate, 0.5)[0])
    phase_r = np.cumsum(frequency) / rate + rng.uniform(0, 1)
    stance = stance_fraction(profile, spec)
    speed_rom = 0.78 + 0.22 * spec.speed
    env = _envelope(t, spec.standing_s)
    variability = _slow_noise(rng, n, rate, 0.7, size=2 * len(ANGLE_BASES))

    angles = {}
    for side, leg_phase in (("r", phase_r), ("l", phase_r + 0.5 + profile.left_phase_offset)):
        for j, joint in enumerate(ANGLE_BASES):
            k = 2 * j + (side == "l")
            phase = templates.warp_phase(leg_phase + profile.timing_shift[joint, side], stance)
            shape = templates.joint_curve(joint, spec.activity, phase)
            rom = profile.rom_scale[joint, side] * speed_rom * (1 + 0.04 * variability[k])
            walking = STANDING_DEG[joint] + rom * (shape - STANDING_DEG[joint]) + 1.2 * variability[k]
            standing = STANDING_DEG[joint]
            angles[f"{joint}_{side}"] = profile.offset_deg[joint, side] + standing + env * (walking - standing)

    tilt, lst, rot = profile.pelvis_amplitude_deg * speed_rom
    pelvis = {
        # Negative pelvis_tilt is anterior tilt: rotation about +z lifts the front of the pelvis.
        "tilt": profile.pelvis_tilt_deg + env * tilt * np.sin(4 * np.pi * (phase_r - 0.05)),
        "list": -env * lst * np.sin(2 * np.pi * (phase_r + 0.05)),
        "rotation": env * rot * np.cos(2 * np.pi * phase_r),
    }
    return angles, pelvis, phase_r


def synthesize_trial(profile: SubjectProfile, spec: TrialSpec, rng: np.random.Generator,
                     rate: float = 100.0) -> Recording:
    fine_rate = rate * OVERSAMPLE
    dt = 1.0 / fine_rate
    t = np.arange(int(round(spec.duration_s * fine_rate))) * dt
    angles, pelvis_deg, phase_r = joint_angles(profile, spec, t, rng)

    body = Body.of(profile)
    frames = segment_orientations({k: np.deg2rad(v) for k, v in angles.items()},
                                  {k: np.deg2rad(v) for k, v in pelvis_deg.items()})
    origins = chain_origins(body, frames)
    slope = templates.ACTIVITY_SLOPE_DEG[spec.activity]
    env = _envelope(t, spec.standing_s)
    # While standing both feet carry the body equally; the phase-driven schedule fades in with gait.
    support_r = 0.5 + env * (support_weights(phase_r, stance_fraction(profile, spec)) - 0.5)
    pelvis_position = place_on_ground(body, frames, origins, dt, support_r, slope)

    walking = env > 0.5
    strikes = {}
    for side, offset in (("r", 0.0), ("l", 0.5 + profile.left_phase_offset)):
        cycle = np.floor(phase_r + offset)
        strikes[side] = t[1:][(np.diff(cycle) > 0) & walking[1:]]

    columns = {TIME: t[::OVERSAMPLE]}
    for segment in SEGMENTS:
        placement = segment.split("_")[0]
        side = segment[-1] if segment != "pelvis" else "r"
        shock = np.zeros((len(t), 3))
        sides = ("r", "l") if segment == "pelvis" else (side,)
        for s in sides:
            shock[:, 1] += heel_strike_transient(t, strikes[s], IMPACT[placement] * spec.speed)
        acc, gyr = ideal_imu(frames[segment], pelvis_position + origins[segment],
                             profile.mounts[segment], dt, shock)
        acc = acc[::OVERSAMPLE] + rng.normal(0, profile.acc_bias_sd, 3)
        gyr = gyr[::OVERSAMPLE] + rng.normal(0, profile.gyro_bias_sd, 3)
        acc += rng.normal(0, profile.acc_noise, acc.shape)
        gyr += rng.normal(0, profile.gyro_noise, gyr.shape)
        for name, values in zip(imu_columns(segment), np.hstack([acc, gyr]).T):
            columns[name] = values.astype(np.float32)
    for name, values in angles.items():
        columns[name] = values[::OVERSAMPLE].astype(np.float32)

    distance = pelvis_position[-1, 0] - pelvis_position[np.argmax(walking), 0]
    walk_time = t[-1] - t[np.argmax(walking)]
    return Recording(
        data=pd.DataFrame(columns),
        subject=profile.subject_id,
        activity=spec.activity,
        sample_rate=rate,
        source="synthetic",
        extra={
            "generator_version": GENERATOR_VERSION,
            "trial": spec.name,
            "relative_speed": spec.speed,
            "slope_deg": slope,
            "standing_s": spec.standing_s,
            "walking_speed_mps": round(float(distance / walk_time), 3) if walk_time > 0 else 0.0,
            "right_heel_strikes_s": [round(float(x), 3) for x in strikes["r"]],
            "subject": profile.describe(),
        },
    )


def subject_rng(seed: int, index: int) -> np.random.Generator:
    """One independent stream per subject, so adding subjects never changes the existing ones."""
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def synthesize_subject(seed: int, index: int, trials: list[TrialSpec], rate: float = 100.0) -> list[Recording]:
    rng = subject_rng(seed, index)
    profile = sample_subject(rng, f"S{index + 1:02d}")
    return [synthesize_trial(profile, spec, rng, rate) for spec in trials]
