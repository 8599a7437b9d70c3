"""Recordings without quiet standing: how the label-free calibration and the front-end hold up.

- Calibration alone: 8 synthetic people (any mounting), 14 s of level walking with no standing;
  the angle between each leg IMU's calibration and its true mounting (which includes the person's
  standing pose). A flexion axis found with the wrong sign shows as ~180 deg.
- Calibration + front-end: the classical 4-IMU estimate (pelvis, femur, tibia, calcn; right leg),
  label-free, on 4 synthetic people x 3 min of the default trials (walking, ramps, stairs), each
  trial as generated (standing start) and cut to begin with its first step; calibrated on the
  first 20% of each trial, scored on the last 20%, sagittal mean RMSE per person.
"before" are the same measurements on the commit before this change.
Writes bench/results/no_standing.json."""
import shutil
import time

import numpy as np
from scipy.spatial.transform import Rotation

from common import PROJECT, write_result

from trainer.approaches import ExperimentConfig
from trainer.baseline import score_subject
from trainer.calibration import CalibrationError, activity_masks, calibrate
from trainer.data.store import Dataset
from trainer.synth.dataset import synthesize_dataset
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject


WORK = PROJECT / "runs" / "bench-no-standing"
LEG_IMUS = ["femur_r", "tibia_r", "calcn_r", "femur_l", "tibia_l", "calcn_l"]
CHAIN = ["pelvis", "femur_r", "tibia_r", "calcn_r"]
BEFORE = {"calibration": {"worst_angle_to_true_mounting_deg": 179.9, "median_angle_to_true_mounting_deg": 18.3,
                          "segments_turned_half_round": 21},
          "baseline_sagittal_rmse_deg": {"with standing start": [3.6, 6.87, 5.29, 4.25], "mean with standing": 5.0,
                                         "cut to the first step": [12.12, 26.24, 16.68, 7.9], "mean cut": 15.73}}


def calibration_without_standing() -> dict:
    errors, flipped = [], 0
    for seed in range(8):
        rng = subject_rng(seed, 0)
        profile = sample_subject(rng, "C01")
        recording = synthesize_trial(profile, TrialSpec("walk", 1.0, 14.0, standing_s=0.0), rng)
        if recording.extra["stops_at_s"]:  # keep only the walking
            recording = recording.slice(0, int((recording.extra["stops_at_s"] - 1.5) * recording.sample_rate))
        calibration = calibrate([recording], LEG_IMUS)
        for i, segment in enumerate(LEG_IMUS):
            true = Rotation.from_rotvec(profile.mounts[segment].rotvec).as_matrix()
            error = float(np.rad2deg(Rotation.from_matrix(calibration.rotations[i] @ true.T).magnitude()))
            errors.append(error)
            flipped += error > 90.0
    return {"people": 8, "imus": len(errors), "worst_angle_to_true_mounting_deg": round(max(errors), 1),
            "median_angle_to_true_mounting_deg": round(float(np.median(errors)), 1),
            "segments_turned_half_round": int(flipped)}


def baseline_with_and_without_standing() -> dict:
    data = WORK / "data"
    if not (data / "manifest.json").exists():
        shutil.rmtree(WORK, ignore_errors=True)
        synthesize_dataset(data, subjects=4, minutes=3.0, seed=0, jobs=2)
    dataset, config = Dataset(data), ExperimentConfig(placements=("pelvis", "femur", "tibia", "calcn"))
    out = {}
    for name in ("with standing start", "cut to the first step"):
        per_person = []
        for subject in dataset.subjects:
            recordings = dataset.load(subjects={subject})
            if name.startswith("cut"):
                recordings = [r.slice(int(np.argmax(activity_masks(r, CHAIN)[1])), r.n_samples) for r in recordings]
            try:
                y, p, _ = score_subject(config, recordings)
            except CalibrationError as error:
                per_person.append(f"refused: {error}")
                continue
            rmse = np.sqrt(np.nanmean((p - y) ** 2, axis=0))
            per_person.append(round(float(np.mean([rmse[config.targets.index(j)] for j in
                                                   ("hip_flexion_r", "knee_angle_r", "ankle_angle_r")])), 2))
        numbers = [v for v in per_person if isinstance(v, float)]
        out[name] = {"per_person": per_person, "mean": round(float(np.mean(numbers)), 2) if numbers else None}
    return out


if __name__ == "__main__":
    started = time.perf_counter()
    result = {"calibration, 14 s level walking, no standing": calibration_without_standing(),
              "classical 4-IMU estimate, label-free": baseline_with_and_without_standing()}
    write_result("no_standing", {**result, "before": BEFORE, "seconds": round(time.perf_counter() - started)})
