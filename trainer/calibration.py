"""Label-free sensor-to-segment calibration: how each IMU sits on its segment, from IMU data alone.

A user records quiet standing and a few steps of walking (`kinedge collect`); from that, for every
IMU, this finds the rotation from its sensor frame into its segment's frame (x anterior, y along
the segment — up in the standing pose —, z to the right) and its gyro bias:

1. standing (all IMUs quiet for >= 1 s): the vertical is the mean accelerometer direction, the gyro
   bias the mean gyro reading;
2. walking (the legs rotating for >= 3 s): the flexion axis is the dominant rotation axis of the
   gyro once its vertical part (turning) is removed — functional calibration as for hinge joints
   (Seel et al. 2014). For the pelvis, which hardly flexes, the dominant axis at the stride
   frequency is its list (anterior) axis instead;
3. signs from anatomy: the thigh's pitch over a stride reaches further into flexion than into
   extension, the shank's and the foot's further backwards (toe-off) than forwards; the pelvis
   moves forwards when walking starts.
The result does not depend on how a sensor is mounted: every step is computed in the sensor's own
frame, so turning a sensor turns its rotation with it (tests check any rotation).

Without standing the vertical falls back to the mean accelerometer direction while walking, set to
the segment's mean pitch over level walking (NOMINAL_WALKING_PITCH_DEG), and the pitch, which then
has no zero, cannot vote on signs: the shank's flexion-rate skew does (RATE_SKEW), and a leg without
a shank IMU is refused; the quality report says where the vertical came from.
What cannot support a calibration (no walking, too short, an IMU that does not move) raises
CalibrationError with one line saying what is missing.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import butter, sosfiltfilt
from scipy.stats import skew

from .data.errors import DataError
from .data.recording import Recording
from .data.schema import imu_columns
from .frontend import FEATURES_PER_IMU, run_frontend

G = 9.80665
STANDING_MIN_S = 1.0
WALKING_MIN_S = 3.0
STANDING_GYRO = 0.25       # rad/s: every IMU below this (0.5 s average) counts as standing still
STANDING_ACC = 0.6         # m/s^2: ... and its acceleration magnitude this close to g
WALKING_GYRO = {"leg": 0.8, "pelvis": 0.25}  # rad/s, 1 s average, the most active IMU of the set
EDGE_S = 0.25              # trimmed off both ends of every standing stretch (the moves around it)
# Mean pitch over a level-walking stride, relative to the standing pose (degrees): the vertical
# used when a recording has no standing. From the synthetic gait templates; the shared S02 trial
# agrees within 4 deg (femur +12/+14, tibia -9/-9, calcn -6/-9 right/left).
NOMINAL_WALKING_PITCH_DEG = {"pelvis": 0.0, "femur": 10.0, "tibia": -8.0, "calcn": -7.0}
# Which way a segment's pitch reaches further during walking: +1 flexion (distal end forward).
PITCH_REACH = {"femur": +1, "tibia": -1, "calcn": -1}
# Without standing, the flexion rate's skew while walking votes instead: the shank swings forward
# fast in mid-swing and rotates back slowly (synthetic people 0.55-1.58 at level walking, real S02
# +1.09 / +0.85). The thigh's and the foot's skews change sign between people and activities.
RATE_SKEW = {"tibia": 1.0}
INITIATION_S = 1.5         # the pelvis's direction of travel is read this long after walking starts
PELVIS_AXIS_MIN_S = 20.0   # walking needed before the pelvis's list axis beats its first steps
HALF_TURN_Y = np.diag([-1.0, 1.0, -1.0])  # the other answer for a flexion axis found up to sign


class CalibrationError(DataError):
    pass


@dataclass
class Calibration:
    """One person's calibration: per segment, segment-from-sensor rotation and gyro bias."""

    segments: list
    rotations: np.ndarray      # (n, 3, 3)
    gyro_bias: np.ndarray      # (n, 3) rad/s
    quality: dict = field(default_factory=dict)

    @classmethod
    def identity(cls, segments) -> "Calibration":
        n = len(segments)
        return cls(list(segments), np.tile(np.eye(3), (n, 1, 1)), np.zeros((n, 3)),
                   {"method": "nominal mounting (sensor axes = segment axes)"})

    def as_array(self) -> np.ndarray:
        """(n, 12) float32: rotation row-major then gyro bias, the front-end's layout."""
        return np.hstack([self.rotations.reshape(-1, 9), self.gyro_bias]).astype(np.float32)

    def select(self, segments) -> "Calibration":
        missing = [s for s in segments if s not in self.segments]
        if missing:
            raise CalibrationError("calibration", f"has no IMU on {', '.join(missing)} "
                                                  f"(it covers {', '.join(self.segments)})")
        index = [self.segments.index(s) for s in segments]
        return Calibration(list(segments), self.rotations[index], self.gyro_bias[index], self.quality)

    def imu_results(self) -> list[dict]:
        """Per IMU, what a user checks: where the vertical came from, seconds standing and walking,
        how dominant the flexion axis was, where the sign (or the pelvis heading) came from."""
        rows = []
        for segment in self.segments:
            q = self.quality.get(segment, {})
            rows.append({"imu": segment, "vertical_from": str(q.get("vertical_from", "-")).split(" ")[0],
                         "standing_s": float(q.get("standing_s", 0.0)), "walking_s": float(q.get("walking_s", 0.0)),
                         "axis_share": float(q.get("axis_share", 0.0)),
                         "sign_from": str(q.get("sign_from", q.get("heading_from", "-")))})
        return rows

    def to_json(self) -> dict:
        return {"segments": self.segments, "rotations": self.rotations.round(7).tolist(),
                "gyro_bias": self.gyro_bias.round(7).tolist(), "quality": self.quality}

    @classmethod
    def from_json(cls, d: dict) -> "Calibration":
        return cls(list(d["segments"]), np.asarray(d["rotations"], float).reshape(-1, 3, 3),
                   np.asarray(d["gyro_bias"], float).reshape(-1, 3), d.get("quality", {}))


def features(recording: Recording, calibration: Calibration) -> np.ndarray:
    """The front-end's features (T, n * 8) of a recording's IMUs, in the calibration's segment order.
    Short NaN gaps (dropped samples) are bridged by holding the last value, as the device does not
    see them at all."""
    raw = recording.channels([c for s in calibration.segments for c in imu_columns(s)])
    if np.isnan(raw).any():
        raw = _hold_last(raw)
    return run_frontend(raw, calibration.as_array(), recording.sample_rate)


def _hold_last(x: np.ndarray) -> np.ndarray:
    from .windows import _fill_forward

    return _fill_forward(x)


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    n = max(1, min(int(n), len(x)))  # a longer kernel would lengthen the output ("same" = the longer)
    return np.convolve(x, np.ones(n) / n, mode="same")


def _runs(mask: np.ndarray):
    """(start, stop) of every run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2], edges[1::2]))


def _keep_runs(mask: np.ndarray, min_len: int, trim: int = 0) -> np.ndarray:
    out = np.zeros_like(mask)
    for start, stop in _runs(mask):
        start, stop = start + trim, stop - trim
        if stop - start >= min_len:
            out[start:stop] = True
    return out


def activity_masks(recording: Recording, segments) -> tuple[np.ndarray, np.ndarray]:
    """(standing, walking) sample masks of one recording, judged on the given IMUs."""
    rate = recording.sample_rate
    gyro = np.stack([np.linalg.norm(recording.channels(imu_columns(s)[3:]), axis=1) for s in segments])
    acc = np.stack([np.abs(np.linalg.norm(recording.channels(imu_columns(s)[:3]), axis=1) - G) for s in segments])
    gyro, acc = np.nan_to_num(gyro, nan=10.0), np.nan_to_num(acc, nan=10.0)
    half = int(0.5 * rate)
    quiet = np.max([_moving_average(g, half) for g in gyro], axis=0) < STANDING_GYRO
    calm = np.max([_moving_average(a, half) for a in acc], axis=0) < STANDING_ACC
    standing = _keep_runs(quiet & calm, int(STANDING_MIN_S * rate), trim=int(EDGE_S * rate))
    legs = [i for i, s in enumerate(segments) if s != "pelvis"]
    threshold = WALKING_GYRO["leg" if legs else "pelvis"]
    active = np.max([_moving_average(gyro[i], int(rate)) for i in (legs or [0])], axis=0) > threshold
    walking = _keep_runs(active & ~standing, int(1.0 * rate))
    return standing, walking


def _principal_axis(vectors: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit axis of the largest second moment, and the share of the total it carries."""
    moment = vectors.T @ vectors
    values, axes = np.linalg.eigh(moment)
    return axes[:, -1], float(values[-1] / max(values.sum(), 1e-12))


def _frame(up: np.ndarray, lateral: np.ndarray) -> np.ndarray:
    """Rows x, y, z of the segment frame in sensor coordinates from its up and right axes."""
    y = up / np.linalg.norm(up)
    z = lateral - (lateral @ y) * y
    z /= np.linalg.norm(z)
    return np.vstack([np.cross(y, z), y, z])


def _rz(degrees: float) -> np.ndarray:
    a = np.deg2rad(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


def _stride_band(gyro: np.ndarray, rate: float) -> np.ndarray:
    """Gyro band-passed around the stride frequency (0.6-1.4 Hz): pelvis list and yaw, not its
    tilt, which repeats every step."""
    sos = butter(2, [0.6, 1.4], btype="band", fs=rate, output="sos")
    return sosfiltfilt(sos, gyro, axis=0) if len(gyro) > 30 else gyro


class _Imu:
    """One IMU's samples across the calibration recordings, with their activity masks."""

    def __init__(self, segment, recordings, masks):
        self.segment = segment
        self.placement = segment.split("_")[0]
        self.parts = [r.channels(imu_columns(segment)).astype(np.float64) for r in recordings]
        self.parts = [np.nan_to_num(p) for p in self.parts]
        self.masks = masks
        self.rate = recordings[0].sample_rate
        self.standing = np.concatenate([m[0] for m in masks])
        self.walking = np.concatenate([m[1] for m in masks])
        self.all = np.concatenate(self.parts)

    def pitch_roll(self, frame: np.ndarray, bias: np.ndarray) -> list[np.ndarray]:
        """Per recording: the front-end's (pitch, roll) with this frame, (T, 2)."""
        calibration = np.concatenate([frame.ravel(), bias])[None]
        out = []
        for part in self.parts:
            f = run_frontend(part.astype(np.float32), calibration, self.rate)
            out.append(f[:, FEATURES_PER_IMU - 2:].astype(np.float64))
        return out


def _velocity_at_start(imu: _Imu, frame: np.ndarray, bias: np.ndarray) -> np.ndarray | None:
    """Mean horizontal velocity (frame coordinates) gained in the first INITIATION_S of each walk
    that starts from standing — the body's direction of travel — from the accelerometer with gravity
    removed by the front-end's own inclination; None when no walk starts from standing."""
    velocities = []
    n = int(INITIATION_S * imu.rate)
    for part, (standing, walking), pr in zip(imu.parts, imu.masks, imu.pitch_roll(frame, bias)):
        for start, stop in _runs(walking):
            before = standing[max(0, start - int(2 * imu.rate)):start]
            if not before.any() or start + n > len(part):
                continue
            # The move starts a little before the walking mask does (its 1 s average lags).
            lo = max(0, start - int(0.5 * imu.rate))
            acc = part[lo:start + n, :3] @ frame.T
            pitch, roll = np.deg2rad(pr[lo:start + n, 0]), np.deg2rad(pr[lo:start + n, 1])
            up = np.column_stack([np.cos(roll) * np.sin(pitch), np.cos(roll) * np.cos(pitch), -np.sin(roll)])
            linear = acc - G * up
            velocity = np.cumsum(linear, axis=0) / imu.rate
            velocity[:, 1] = 0.0  # horizontal part, in the standing pose's level frame
            velocities.append(velocity.mean(axis=0))
    return np.mean(velocities, axis=0) if velocities else None


def _calibrate_imu(imu: _Imu) -> tuple[np.ndarray, np.ndarray, dict]:
    """Frame (flexion axis up to sign for leg segments), gyro bias and quality of one IMU."""
    rate = imu.rate
    acc, gyro = imu.all[:, :3], imu.all[:, 3:]
    quality = {"standing_s": round(float(imu.standing.sum() / rate), 2),
               "walking_s": round(float(imu.walking.sum() / rate), 2)}
    if imu.standing.any():
        up = acc[imu.standing].mean(axis=0)
        bias = gyro[imu.standing].mean(axis=0)
        quality["vertical_from"] = "standing"
    else:
        up = acc[imu.walking].mean(axis=0)
        bias = np.zeros(3)
        quality["vertical_from"] = "walking (no standing found: less accurate)"
    up = up / np.linalg.norm(up)
    if imu.placement == "pelvis":
        # Filtered per recording, before the walking samples are picked out and joined.
        moving = np.concatenate([_stride_band(p[:, 3:] - bias, rate) for p in imu.parts])[imu.walking]
    else:
        moving = gyro[imu.walking] - bias
    horizontal = moving - np.outer(moving @ up, up)
    if np.sqrt(np.mean(np.sum(horizontal ** 2, axis=1))) < 0.05:
        raise CalibrationError(imu.segment, "the IMU hardly rotates while walking: is it strapped on?")
    axis, share = _principal_axis(horizontal)
    quality["axis_share"] = round(share, 3)
    if imu.placement == "pelvis":
        # The stride-band axis is the pelvis's anterior (list) axis; its right axis is forward x up.
        frame = _frame(up, np.cross(axis, up))
    else:
        frame = _frame(up, axis)
    return frame, bias, quality


def _standing_frame(frame: np.ndarray, placement: str, quality: dict) -> np.ndarray:
    """The frame whose y is the standing pose's vertical. Without standing, `frame`'s y is the mean
    vertical while walking, which is the segment pitched by NOMINAL_WALKING_PITCH_DEG about its
    flexion axis: that pitch is taken back about the frame's own z, so it must be applied once the
    flexion axis's sign is settled (the other sign would tilt the vertical twice as far the other way)."""
    if quality["vertical_from"] == "standing":
        return frame
    return _rz(NOMINAL_WALKING_PITCH_DEG[placement]).T @ frame


def _pelvis_heading(imu: _Imu, frame: np.ndarray, bias: np.ndarray, quality: dict) -> tuple[np.ndarray, dict]:
    """The pelvis's forward direction. Few seconds of walking (a calibration walk) do not pin its
    list axis down, but its first steps do: the direction it moves off in. With long walking the
    list axis is sharper, and the start only says which way along it is forward."""
    velocity = _velocity_at_start(imu, frame, bias)
    if velocity is None:
        return frame, {"heading_from": "stride-band list axis; no walk starts from standing, so forward and "
                                       "backward may be swapped", "sign_margin": 0.0}
    speed = float(np.hypot(velocity[0], velocity[2]))
    if quality["walking_s"] >= PELVIS_AXIS_MIN_S:
        flip = velocity[0] < 0
        return (HALF_TURN_Y @ frame if flip else frame), {
            "heading_from": "stride-band list axis, forward from the first steps",
            "sign_margin": round(abs(float(velocity[0])) / max(speed, 1e-9), 3)}
    forward = frame.T @ velocity        # sensor coordinates
    return _frame(frame[1], np.cross(forward, frame[1])), {
        "heading_from": "direction of the first steps", "start_speed_mps": round(speed, 3)}


def _walking_pitch(imu: _Imu, frame: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The front-end's pitch of the segment with this frame, over the walking samples."""
    return np.concatenate([p[:, 0] for p in imu.pitch_roll(frame, bias)])[imu.walking]


def _pitch_reach(imu: _Imu, frame: np.ndarray, bias: np.ndarray) -> float:
    """How much further the segment's pitch reaches the way anatomy says it should (PITCH_REACH)
    than the other way while walking, relative to its range: > 0 votes for `frame`'s sign."""
    lo, hi = np.percentile(_walking_pitch(imu, frame, bias), [3, 97])
    return PITCH_REACH[imu.placement] * (hi + lo) / max(hi - lo, 1e-6)


KNEE_HYPEREXTENSION_DEG = 10.0  # no knee extends this far past the standing pose while walking


def _knee_votes(imus: list, candidates: list, biases: list):
    """Without standing: ((thigh index, shank index), {(s_thigh, s_shank): vote}), a penalty for
    each sign pair on the knee angle it makes (thigh pitch - shank pitch) reaching far into
    hyperextension — the wrong thigh sign bends the knee backwards; None without both IMUs."""
    where = {imu.placement: i for i, imu in enumerate(imus)}
    if "femur" not in where or "tibia" not in where:
        return None
    f, t = where["femur"], where["tibia"]
    pitch = {(i, s): _walking_pitch(imus[i], candidates[i][s], biases[i]) for i in (f, t) for s in (1, -1)}
    votes = {}
    for sf, st in itertools.product((1, -1), repeat=2):
        knee = pitch[f, sf] - pitch[t, st]
        lo, hi = np.percentile(knee, [3, 97])
        votes[sf, st] = -2.0 * max(0.0, -KNEE_HYPEREXTENSION_DEG - lo) / max(hi - lo, 1e-6)
    return (f, t), votes


def _leg_signs(imus: list, frames: list, biases: list, qualities: list) -> tuple[list, list]:
    """Flexion-axis signs of one leg's IMUs, chosen together: each segment's pitch reach (anatomy)
    votes for its own sign, and the correlation of adjacent segments' flexion rates (thigh, shank
    and foot swing forward together) ties their signs; the best-scoring combination wins.
    `frames` are the flexion-axis frames before the standing pose's pitch (_standing_frame); the
    chosen ones are returned with it."""
    # Standing is judged on all IMUs at once (activity_masks): it is there for all of them or none.
    standing = qualities[0]["vertical_from"] == "standing"
    if not standing and not any(RATE_SKEW.get(i.placement) for i in imus):
        raise CalibrationError(imus[0].segment, "no standing found, and without a shank IMU walking alone does not "
                                                "tell which way this leg's flexion axes point: start the recording "
                                                "with 2 s of standing still")
    candidates, reach, rates = [], [], []
    for imu, frame, bias, quality in zip(imus, frames, biases, qualities):
        both = {s: _standing_frame(frame if s > 0 else HALF_TURN_Y @ frame, imu.placement, quality) for s in (1, -1)}
        candidates.append(both)
        rate = (imu.all[imu.walking, 3:] - bias) @ frame[2]
        # Without a standing pose the pitch has no zero to reach from: the flexion rate's skew
        # votes instead (the shank swings forward fast in mid-swing, back slowly). Either vote
        # for the other sign is this one's negated.
        reach.append(_pitch_reach(imu, both[1], bias) if standing else
                     RATE_SKEW.get(imu.placement, 0.0) * float(skew(rate)))
        rates.append(rate)
    n = len(imus)
    # Only neighbours along the leg are tied (thigh-shank, shank-foot): thigh and foot rates are
    # not reliably correlated (real S02: r = 0.09 and -0.03).
    order = {"femur": 0, "tibia": 1, "calcn": 2}
    adjacent = lambda i, j: abs(order[imus[i].placement] - order[imus[j].placement]) == 1
    coupling = np.array([[np.corrcoef(rates[i], rates[j])[0, 1] if i != j and adjacent(i, j) else 0.0
                          for j in range(n)] for i in range(n)])
    knee = None if standing else _knee_votes(imus, candidates, biases)

    def score(f):
        total = sum(f[i] * reach[i] for i in range(n))
        total += sum(f[i] * f[j] * coupling[i, j] for i in range(n) for j in range(i + 1, n))
        if knee:
            (thigh, shank), votes = knee
            total += votes[f[thigh], f[shank]]
        return total

    best = max(itertools.product((1, -1), repeat=n), key=score)
    chosen = [candidates[i][f] for i, f in enumerate(best)]
    source = "pitch reach while walking" if standing else "the shank's flexion-rate skew and the knee while walking"
    quality = [{"sign_from": source + (" and the leg's other IMUs" if n > 1 else ""),
                "sign_margin": round(abs(float(reach[i])), 3)} for i in range(n)]
    return chosen, quality


def calibrate(recordings, segments) -> Calibration:
    """The label-free calibration of `segments` from one or more recordings of the same person
    with the sensors in place (their IMU channels only)."""
    recordings = list(recordings)
    if not recordings:
        raise CalibrationError("calibration", "no recording given")
    source = recordings[0].source
    for r in recordings:
        missing = [s for s in segments if s not in r.segments]
        if missing:
            raise CalibrationError(r.source, f"no IMU on {', '.join(missing)} (the model reads {', '.join(segments)})")
    rate = recordings[0].sample_rate
    masks = [activity_masks(r, segments) for r in recordings]
    walking_s = sum(m[1].sum() for m in masks) / rate
    standing_s = sum(m[0].sum() for m in masks) / rate
    total_s = sum(r.n_samples for r in recordings) / rate
    if walking_s < WALKING_MIN_S:
        raise CalibrationError(source, f"only {walking_s:.1f} s of walking in {total_s:.1f} s of data; the calibration "
                                       f"needs at least {WALKING_MIN_S:g} s (a few strides after standing still)")
    imus = {s: _Imu(s, recordings, masks) for s in segments}
    frames, biases, quality = {}, {}, {}
    for segment, imu in imus.items():
        frames[segment], biases[segment], quality[segment] = _calibrate_imu(imu)
    if "pelvis" in imus:
        frame = _standing_frame(frames["pelvis"], "pelvis", quality["pelvis"])
        frames["pelvis"], q = _pelvis_heading(imus["pelvis"], frame, biases["pelvis"], quality["pelvis"])
        quality["pelvis"].update(q)
    for side in ("r", "l"):
        leg = [s for s in segments if s.endswith(f"_{side}")]
        if leg:
            flipped, q = _leg_signs([imus[s] for s in leg], [frames[s] for s in leg], [biases[s] for s in leg],
                                    [quality[s] for s in leg])
            for s, frame, qs in zip(leg, flipped, q):
                frames[s] = frame
                quality[s].update(qs)
    quality["summary"] = {"recordings": len(recordings), "seconds": round(total_s, 2),
                          "standing_s": round(standing_s, 2), "walking_s": round(walking_s, 2)}
    return Calibration(list(segments), np.array([frames[s] for s in segments]),
                       np.array([biases[s] for s in segments]), quality)
