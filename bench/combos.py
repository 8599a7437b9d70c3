"""The seed paper's IMU-combination question on the default synthetic data: every subset of
pelvis/femur/tibia/calcn on the right leg, leave-one-subject-out (multi-user) for four held-out
subjects, ranked. Writes bench/results/combos.json and combos.png. Resumable (folder under runs/)."""
import time

from common import PROJECT, RESULTS, write_result

from trainer.approaches import ExperimentConfig
from trainer.combos import run_combos
from trainer.report import plot_combos
from trainer.synth.dataset import synthesize_dataset

WORK = PROJECT / "runs" / "bench-combos"
SUBJECTS = ["S01", "S02", "S03", "S04"]

if __name__ == "__main__":
    data = WORK / "data"
    if not data.exists():
        synthesize_dataset(data, jobs=2)
    start = time.perf_counter()
    ranking, _ = run_combos(data, WORK / "results", ExperimentConfig(), "multi-user", SUBJECTS, 1, 4)
    elapsed = time.perf_counter() - start
    plot_combos(ranking, RESULTS / "combos.png")
    top = ranking["overall"][:5]
    print("best:", top, "best pair:", ranking["best_pair"])
    write_result("combos", {"approach": "multi-user", "held_out_subjects": SUBJECTS, "seconds": round(elapsed, 1),
                            "overall": ranking["overall"], "best_pair": ranking["best_pair"],
                            "per_joint_best": {j: names[0] for j, names in ranking["per_joint"].items()},
                            "mean_rmse_deg": {n: round(r["mean_rmse_deg"]["mean"], 3) for n, r in ranking["results"].items()},
                            "plot": "bench/results/combos.png"})
