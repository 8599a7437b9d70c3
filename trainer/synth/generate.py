"""Synthetic trials and data sets: subject profile + activity → joint angles → IMU recording."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import butter, sosfiltfilt

from ..data.recording import Recording
from ..data.schema import ANGLE_BASES, SEGMENTS, TIME, imu_columns
from . import templates
from .kinematics import Body, chain_origins, place_on_ground, rot_y, segment_orientations, support_weights
from .subjects import SubjectProfile, sample_subject
from .virtual_imu import heel_strike_transient, ideal_imu

GENERATOR_VERSION = 2
# Angles of quiet standing, about which a subject's range of motion is scaled: the model's default
# pose, as OpenSense's calibration assumes for the standing trial (each person then stands a few
# degrees off it: SubjectProfile.offset_deg). The pelvis is level on average, the thigh vertical.
STANDING_DEG = {"hip_flexion": 0.0, "hip_adduction": 0.0, "hip_rotation": 0.0, "knee_angle": 0.0, "ankle_angle": 0.0}
STANDING_RANGE_S = (1.5, 5.0)   # how long a trial's quiet standing lasts, when not given
SWAY_DEG = 0.4                  # postural sway while standing, per joint (slow, 0.3 Hz)
STOP_RANGE_S = (1.5, 3.5)       # standing at the end of a trial that stops
KNEE_MIN_DEG = -6.0             # the most a knee hyperextends (approached smoothly)
# Heel-strike shock amplitude (m/s^2 at comfortable speed) as it travels up the leg.
IMPACT = {"calcn": 14.0, "tibia": 7.0, "femur": 3.0, "pelvis": 1.5}
OVERSAMPLE = 2  # kinematics are differentiated at twice the output rate, then decimated


@dataclass(frozen=True)
class TrialSpec:
    activity: str            # a key of templates.ACTIVITY_DELTAS
    speed: float             # relative to the subject's comfortable speed
    duration_s: float
    # Quiet standing at the start, the pose a calibration uses; None: drawn from STANDING_RANGE_S.
    standing_s: float | None = None
    turns: bool = True      # level trials: half turns now and then, as walking back and forth
    may_stop: bool = True   # level trials: half of them end standing again

    @property
    def name(self) -> str:
        return f"{self.activity}_{self.speed:.2f}".replace(".", "p")


def default_trials(minutes_per_subject: float) -> list[TrialSpec]:
    """Level walking slow / comfortable / fast, up and down a ramp, up and down stairs, sharing the time."""
    plan = [("walk", 0.8), ("walk", 1.0), ("walk", 1.25), ("ramp_up", 0.9), ("ramp_down", 0.9),
            ("stair_up", 0.8), ("stair_down", 0.8)]
    each = minutes_per_subject * 60.0 / len(plan)
    return [TrialSpec(activity, speed, each) for activity, speed in plan]


def _slow_noise(rng, n: int, rate: float, cutoff_hz: float, size: int = 1) -> np.ndarray:
    """Unit-variance Gaussian noise low-passed at `cutoff_hz`: stride-to-stride variability."""
    sos = butter(2, cutoff_hz, fs=rate, output="sos")
    # Filtered with room on both sides and cut out of the middle: a filter's edges would start
    # every trial with a jolt.
    pad = int(2 * rate / cutoff_hz)
    x = sosfiltfilt(sos, rng.standard_normal((size, n + 2 * pad)), axis=1)[:, pad:pad + n]
    return x / x.std(axis=1, keepdims=True)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _envelope(t: np.ndarray, standing_s: float, stop_s: float | None = None, ramp_s: float = 1.5) -> np.ndarray:
    """0 while standing, 1 while walking: walking starts at `standing_s` and, if given, ends (back
    to standing) by `stop_s`."""
    env = _smoothstep((t - standing_s) / ramp_s)
    if stop_s is not None:
        env = env * _smoothstep((stop_s - t) / ramp_s)
    return env


def turn_heading(t: np.ndarray, start_s: float, stop_s: float, rng) -> np.ndarray:
    """World heading (rad) over time for walking back and forth as in a gait lab: a half turn
    (180 +- 20 deg, 1.2-2.2 s, either way) every 6-10 s of walking."""
    heading = np.zeros_like(t)
    at = start_s + rng.uniform(4.0, 8.0)
    while True:
        length = rng.uniform(1.2, 2.2)
        if at + length > stop_s - 1.0:
            return heading
        heading += rng.choice([-1.0, 1.0]) * np.deg2rad(rng.normal(180.0, 10.0)) * _smoothstep((t - at) / length)
        at += length + rng.uniform(6.0, 10.0)


def stance_fraction(profile: SubjectProfile, spec: TrialSpec) -> float:
    """People spend a smaller part of the cycle on the ground the faster they walk; on stairs more."""
    if spec.activity in templates.STAIRS:
        return float(np.clip(profile.stance_fraction + 0.03, 0.58, 0.68))
    return float(np.clip(profile.stance_fraction - 0.05 * (spec.speed - 1.0), 0.55, 0.67))


def joint_angles(profile: SubjectProfile, spec: TrialSpec, t: np.ndarray, rng, standing_s: float,
                 stop_s: float | None = None) -> tuple[dict, dict, np.ndarray]:
    """Joint angles (deg), pelvis angles (deg) and right-leg gait phase (cycles) over time `t`."""
    rate = 1.0 / (t[1] - t[0])
    n = len(t)
    stairs = spec.activity in templates.STAIRS
    # Stairs are climbed at a lower cadence, with joint excursions set by the steps, not the speed.
    frequency = profile.stride_frequency * spec.speed ** 0.45 * (0.85 if stairs else 1.0)
    frequency = frequency * (1 + 0.02 * _slow_noise(rng, n, rate, 0.5)[0])
    phase_r = np.cumsum(frequency) / rate + rng.uniform(0, 1)
    stance = stance_fraction(profile, spec)
    speed_rom = 1.0 if stairs else 0.78 + 0.22 * spec.speed
    env = _envelope(t, standing_s, stop_s)
    variability = _slow_noise(rng, n, rate, 0.7, size=2 * len(ANGLE_BASES))
    sway = SWAY_DEG * (1.0 - env) * _slow_noise(rng, n, rate, 0.3, size=2 * len(ANGLE_BASES) + 2)

    angles = {}
    for side, leg_phase in (("r", phase_r), ("l", phase_r + 0.5 + profile.left_phase_offset)):
        for j, joint in enumerate(ANGLE_BASES):
            k = 2 * j + (side == "l")
            phase = templates.warp_phase(leg_phase + profile.timing_shift[joint, side], stance)
            shape = templates.joint_curve(joint, spec.activity, phase, profile.shape_jitter[joint])
            rom = profile.rom_scale[joint, side] * speed_rom * (1 + 0.04 * variability[k])
            walking = STANDING_DEG[joint] + rom * (shape - STANDING_DEG[joint]) + 1.2 * variability[k]
            standing = STANDING_DEG[joint]
            angle = profile.offset_deg[joint, side] + standing + env * (walking - standing) + sway[k]
            if joint == "knee_angle":  # a knee bends only a few degrees past straight
                angle = KNEE_MIN_DEG + np.logaddexp(0.0, angle - KNEE_MIN_DEG)
            angles[f"{joint}_{side}"] = angle

    tilt, lst, rot = profile.pelvis_amplitude_deg * speed_rom
    pelvis = {
        # Negative pelvis_tilt is anterior tilt: rotation about +z lifts the front of the pelvis.
        "tilt": profile.pelvis_tilt_deg + env * tilt * np.sin(4 * np.pi * (phase_r - 0.05)) + sway[-2],
        "list": -env * lst * np.sin(2 * np.pi * (phase_r + 0.05)) + sway[-1],
        "rotation": env * rot * np.cos(2 * np.pi * phase_r),
    }
    return angles, pelvis, phase_r


def synthesize_trial(profile: SubjectProfile, spec: TrialSpec, rng: np.random.Generator,
                     rate: float = 100.0) -> Recording:
    fine_rate = rate * OVERSAMPLE
    dt = 1.0 / fine_rate
    t = np.arange(int(round(spec.duration_s * fine_rate))) * dt
    standing_s = spec.standing_s if spec.standing_s is not None else float(rng.uniform(*STANDING_RANGE_S))
    stairs = spec.activity in templates.STAIRS
    # Half the level trials end standing again, as a walk in a lab does (and the shared S02 trial).
    stops = spec.may_stop and not stairs and rng.uniform() < 0.5
    stop_s = spec.duration_s - rng.uniform(*STOP_RANGE_S) if stops else None
    angles, pelvis_deg, phase_r = joint_angles(profile, spec, t, rng, standing_s, stop_s)

    body = Body.of(profile)
    frames = segment_orientations({k: np.deg2rad(v) for k, v in angles.items()},
                                  {k: np.deg2rad(v) for k, v in pelvis_deg.items()})
    origins = chain_origins(body, frames)
    slope = templates.ACTIVITY_SLOPE_DEG[spec.activity]
    env = _envelope(t, standing_s, stop_s)
    # While standing both feet carry the body equally; the phase-driven schedule fades in with gait.
    support_r = 0.5 + env * (support_weights(phase_r, stance_fraction(profile, spec)) - 0.5)
    pelvis_position = place_on_ground(body, frames, origins, dt, support_r, slope, stairs=stairs)
    heading_free = frames  # the soft-tissue model reads each segment's swing in the walking direction
    if spec.turns and not stairs:
        # Walking back and forth: the whole body turns about the vertical; the path bends with it.
        heading = turn_heading(t, standing_s, spec.duration_s if stop_s is None else stop_s, rng)
        turn = rot_y(heading)
        frames = {k: turn @ R for k, R in frames.items()}
        origins = {k: np.einsum("tij,tj->ti", turn, v) for k, v in origins.items()}
        velocity = np.einsum("tij,tj->ti", turn, np.gradient(pelvis_position, dt, axis=0))
        pelvis_position = pelvis_position[:1] + np.cumsum(velocity, axis=0) * dt

    walking = env > 0.5
    strikes = {}
    for side, offset in (("r", 0.0), ("l", 0.5 + profile.left_phase_offset)):
        cycle = np.floor(phase_r + offset)
        strikes[side] = t[1:][(np.diff(cycle) > 0) & walking[1:]]

    columns = {TIME: t[::OVERSAMPLE],
               **segment_imus(profile, frames, heading_free, pelvis_position, origins, angles, t, strikes, spec.speed, rng)}
    for name, values in angles.items():
        columns[name] = values[::OVERSAMPLE].astype(np.float32)

    path = np.linalg.norm(np.diff(pelvis_position[:, [0, 2]], axis=0), axis=1)
    distance, walk_time = path[walking[1:]].sum(), walking.sum() * dt
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
            "standing_s": round(standing_s, 3),
            "stops_at_s": None if stop_s is None else round(float(stop_s), 3),
            "walking_speed_mps": round(float(distance / walk_time), 3) if walk_time > 0 else 0.0,
            "right_heel_strikes_s": [round(float(x), 3) for x in strikes["r"]],
            "subject": profile.describe(),
        },
    )


def segment_imus(profile: SubjectProfile, frames: dict, heading_free: dict, pelvis_position: np.ndarray,
                 origins: dict, angles: dict, t: np.ndarray, strikes: dict, speed: float, rng) -> dict:
    """Every segment's IMU channels (decimated to the output rate) for a moving chain: ideal
    sensor physics plus heel-strike shock, soft tissue, bias and noise as the profile says."""
    dt = t[1] - t[0]
    columns = {}
    for segment in SEGMENTS:
        placement = segment.split("_")[0]
        side = segment[-1] if segment != "pelvis" else "r"
        shock = np.zeros((len(t), 3))
        sides = ("r", "l") if segment == "pelvis" else (side,)
        for s in sides:
            shock[:, 1] += heel_strike_transient(t, strikes[s], IMPACT[placement] * speed)
        tissue = soft_tissue(profile.mounts[segment], heading_free[segment], angles, side, t,
                             [x for s in sides for x in strikes[s]])
        acc, gyr = ideal_imu(frames[segment], pelvis_position + origins[segment],
                             profile.mounts[segment], dt, shock, tissue)
        acc = acc[::OVERSAMPLE] + rng.normal(0, profile.acc_bias_sd, 3)
        gyr = gyr[::OVERSAMPLE] + rng.normal(0, profile.gyro_bias_sd, 3)
        acc += rng.normal(0, profile.acc_noise, acc.shape)
        gyr += rng.normal(0, profile.gyro_noise, gyr.shape)
        for name, values in zip(imu_columns(segment), np.hstack([acc, gyr]).T):
            columns[name] = values.astype(np.float32)
    return columns


def soft_tissue(mount, R_segment: np.ndarray, angles: dict, side: str, t: np.ndarray, strikes) -> np.ndarray:
    """The sensor's turn against its bone (rotation vector, segment frame, radians) over time:
    lag of the segment's sagittal swing, twist with the knee, a damped wobble after heel strikes."""
    pitch = np.unwrap(np.arctan2(R_segment[:, 1, 0], R_segment[:, 0, 0]))
    pitch = pitch - pitch[0]
    knee = np.deg2rad(angles[f"knee_angle_{side}"] - angles[f"knee_angle_{side}"][0])
    wobble = heel_strike_transient(t, strikes, np.deg2rad(mount.wobble_deg), frequency=15.0, decay=0.03)
    return np.column_stack([0.6 * wobble, mount.twist * knee, -mount.lag * pitch + wobble])


def subject_rng(seed: int, index: int) -> np.random.Generator:
    """One independent stream per subject, so adding subjects never changes the existing ones."""
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def synthesize_subject(seed: int, index: int, trials: list[TrialSpec], rate: float = 100.0) -> list[Recording]:
    rng = subject_rng(seed, index)
    profile = sample_subject(rng, f"S{index + 1:02d}")
    return [synthesize_trial(profile, spec, rng, rate) for spec in trials]
