"""Label-free calibration and the front-end on the host (target from the accuracy issue: calibrating
30 s of data takes <= 2 s):
- `calibrate` on 30 s of a synthetic person (standing, then walking; 7 IMUs and the 2 of the default
  model) and on the real S02 trial's first 60% (7 IMUs), median of 5;
- how closely it finds the synthetic person's true mounting (any rotation), per IMU;
- the front-end (the device's C, compiled for the host) in samples per second.
Writes bench/results/calibration.json."""
import statistics
import time

import numpy as np
from scipy.spatial.transform import Rotation

from common import SHARED_DATA, write_result

from trainer.calibration import calibrate, features
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

LEGS = ["pelvis", "femur_r", "tibia_r", "calcn_r", "femur_l", "tibia_l", "calcn_l"]


def timed(fn, repeats: int = 5):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, round(statistics.median(times), 3)


if __name__ == "__main__":
    rng = subject_rng(321, 0)
    profile = sample_subject(rng, "B01")
    recording = synthesize_trial(profile, TrialSpec("walk", 1.0, 30.0, standing_s=4.0), rng)
    result = {}
    for name, segments in (("7 IMUs", LEGS), ("femur_r + calcn_r", ["femur_r", "calcn_r"])):
        calibration, seconds = timed(lambda: calibrate([recording], segments))
        errors = {}
        for i, s in enumerate(segments):
            true = Rotation.from_rotvec(profile.mounts[s].rotvec).as_matrix()
            errors[s] = round(float(np.rad2deg(Rotation.from_matrix(calibration.rotations[i] @ true.T).magnitude())), 1)
        result[f"synthetic 30 s, {name}"] = {"seconds": seconds, "target_s": 2.0,
                                             "angle_to_true_mounting_deg": errors}
    _, seconds = timed(lambda: features(recording, calibration))
    result["frontend_samples_per_second"] = round(recording.n_samples * 2 / seconds)
    s02 = SHARED_DATA / "gaittoolbox-s02-walk"
    if s02.exists():
        from real_s02 import s02_recording

        real = s02_recording()
        first = real.slice(0, int(0.6 * real.n_samples))
        calibration, seconds = timed(lambda: calibrate([first], LEGS))
        result["real S02 first 60% (15 s), 7 IMUs"] = {
            "seconds": seconds, "quality": {s: calibration.quality[s] for s in LEGS}}
    write_result("calibration", {"note": "angle_to_true_mounting includes the person's standing pose, which "
                                         "the calibration takes as the segment frame", **result})
