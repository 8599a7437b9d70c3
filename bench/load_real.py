"""Loading the shared S02 trial (11 Xsens files + C3D) into an aligned, validated recording
(target: <= 3 s)."""
import statistics
import sys
import time

from common import SHARED_DATA, write_result

from trainer.data.align import align_to_reference
from trainer.data.loaders.c3d import load_c3d_angles
from trainer.data.loaders.xsens import load_xsens_trial
from trainer.data.validate import validate

TRIAL = SHARED_DATA / "gaittoolbox-s02-walk"
SENSORS = {"00B40B91": "pelvis", "00B40C45": "femur_l", "00B40C3C": "femur_r", "00B40C44": "tibia_l",
           "00B40C47": "tibia_r", "00B40C55": "calcn_l", "00B40C48": "calcn_r"}
TARGET_S = 3.0


def load_once():
    files = sorted((TRIAL / "rawimu").glob("*.txt"))
    imu = load_xsens_trial(files, SENSORS, "S02", "walk")
    reference = load_c3d_angles(TRIAL / "S02-Trial-Walk-1-vicon.c3d", "S02", "walk")
    recording, alignment = align_to_reference(imu, reference)
    validate(recording)
    return len(files), recording, alignment


if __name__ == "__main__":
    if not TRIAL.exists():
        sys.exit(f"skipped: {TRIAL} not available")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        n_files, recording, alignment = load_once()
        times.append(time.perf_counter() - start)
    print(f"median {statistics.median(times):.3f} s; {alignment.describe()}")
    write_result("load_real", {"files_read": n_files + 1, "sensors_kept": len(SENSORS), "frames": recording.n_samples,
                               "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                               "target_s": TARGET_S, "meets_target": max(times) <= TARGET_S,
                               "lag_samples": round(alignment.lag_samples, 2),
                               "correlation": round(alignment.correlation, 3)})
