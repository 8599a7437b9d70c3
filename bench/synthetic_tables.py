"""The full synthetic tables (accuracy issue): the default data set (10 people), every approach and
the classical baseline with its person-offset variant, leave-one-subject-out for every person, for
femur + calcn and for pelvis + femur + tibia + calcn (right leg). Test set: the last 20% of each
trial; calibration and transfer data: the first 20%. Writes bench/results/synthetic_tables.json
(and the results.md tables under runs/bench-synthetic/)."""
import time

from common import PROJECT, write_result

from trainer.approaches import APPROACHES, ExperimentConfig
from trainer.experiment import Experiment, run_baseline
from trainer.results import collect, markdown_table
from trainer.synth.dataset import synthesize_dataset

WORK = PROJECT / "runs" / "bench-synthetic"
PLACEMENTS = {"femur+calcn": ("femur", "calcn"), "pelvis+femur+tibia+calcn": ("pelvis", "femur", "tibia", "calcn")}

if __name__ == "__main__":
    data = WORK / "data"
    if not (data / "manifest.json").exists():
        synthesize_dataset(data, jobs=2, overwrite=True)
    tables = {}
    for name, placements in PLACEMENTS.items():
        out = WORK / name
        experiment = Experiment(data, out, ExperimentConfig(placements=placements))
        started = time.perf_counter()
        for subject in experiment.dataset.subjects:
            experiment.run(list(APPROACHES), [subject])
            run_baseline(experiment, [subject])
            print(name, subject, f"{time.perf_counter() - started:.0f} s", flush=True)
        summary = collect(out)
        print(markdown_table(summary))
        tables[name] = {a: {"sagittal_rmse_deg": round(s["sagittal_rmse_deg"]["mean"], 2),
                            "sagittal_sd_deg": round(s["sagittal_rmse_deg"]["sd"], 2),
                            "mean_rmse_deg": round(s["mean_rmse_deg"]["mean"], 2),
                            "per_joint_rmse_deg": {j: round(v["rmse_deg"]["mean"], 2) for j, v in s["joints"].items()}}
                        for a, s in summary.items()}
        tables[name]["seconds"] = round(time.perf_counter() - started)
    write_result("synthetic_tables", {"data": "default synthetic data set, 10 people x 3 min, right leg",
                                      "split": "test = last 20% of each trial; calibration/transfer = first 20%",
                                      "tables": tables})
