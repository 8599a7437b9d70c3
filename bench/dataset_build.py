"""Building a study-sized data set from a plan: 10 people x 10 trials of Xsens exports (7 sensors
each) plus one OpenSim .mot reference per trial, the files a lab has after a session. Times
`kinedge data build`'s work (check every row, import, align, validate, write) and reports the
throughput. Results: bench/results/dataset_build.json."""
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, write_result

sys.path.insert(0, str(PROJECT / "tests"))
from test_xsens import write_export  # noqa: E402  (the tests' writer of MT Manager text exports)

from trainer.data.loaders.opensim import write_angles  # noqa: E402
from trainer.data.plan import build_dataset, read_plan  # noqa: E402
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial  # noqa: E402
from trainer.synth.subjects import sample_subject  # noqa: E402

PEOPLE, TRIALS, SECONDS = 10, 10, 30.0
SENSORS = {"pelvis": "00B40B91", "femur_r": "00B40C3C", "femur_l": "00B40C45", "tibia_r": "00B40C47",
           "tibia_l": "00B40C44", "calcn_r": "00B40C48", "calcn_l": "00B40C55"}


def write_study(root: Path) -> tuple[Path, int]:
    (root / "raw").mkdir(parents=True)
    (root / "ik").mkdir()
    (root / "map.txt").write_text("".join(f"{sid}={segment}\n" for segment, sid in SENSORS.items()))
    rows, size = ["subject,activity,trial,format,files,map,reference"], 0
    for p in range(PEOPLE):
        rng = subject_rng(11, p)
        profile = sample_subject(rng, f"P{p + 1:02d}")
        for k in range(TRIALS):
            recording = synthesize_trial(profile, TrialSpec("walk", 0.8 + 0.05 * k, SECONDS), rng)
            name = f"{profile.subject_id}_t{k + 1:02d}"
            for segment, sid in SENSORS.items():
                size += write_export(root / "raw" / f"{name}-000_{sid}.txt", recording, segment, 5000).stat().st_size
            # The mocap starts 0.5 s after the IMUs, as two systems started by hand do.
            size += write_angles(recording.slice(50, recording.n_samples), root / "ik" / f"{name}.mot").stat().st_size
            rows.append(f"{profile.subject_id},walk,t{k + 1:02d},xsens,raw/{name}-000_*.txt,map.txt,ik/{name}.mot")
    (root / "study.csv").write_text("\n".join(rows) + "\n")
    return root / "study.csv", size


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        plan, size = write_study(Path(tmp) / "study")
        start = time.perf_counter()
        rows = read_plan(plan)
        checked = time.perf_counter() - start
        summaries = build_dataset(plan, Path(tmp) / "ds", rows=rows)
        total = time.perf_counter() - start
    trials = len(summaries)
    lags = [abs(s["lag_s"] - 0.5) for s in summaries]
    print(f"{trials} trials ({size / 1e6:.0f} MB) in {total:.1f} s: check {checked:.1f} s, "
          f"{trials / total:.1f} trials/s, {size / 1e6 / total:.1f} MB/s; lag error max {max(lags) * 1000:.0f} ms")
    write_result("dataset_build", {
        "people": PEOPLE, "trials_per_person": TRIALS, "seconds_per_trial": SECONDS, "sensors": len(SENSORS),
        "input_files": trials * (len(SENSORS) + 1), "input_mb": round(size / 1e6, 1),
        "check_s": round(checked, 2), "total_s": round(total, 2),
        "trials_per_s": round(trials / total, 2), "mb_per_s": round(size / 1e6 / total, 1),
        "max_lag_error_ms": round(max(lags) * 1000, 1),
        "min_alignment_correlation": min(s["correlation"] for s in summaries)})
