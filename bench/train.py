"""Training benchmarks (targets from the trainer issue):
- the default `kinedge demo` training part (three approaches + baseline, one held-out subject) <= 5 min;
- training throughput (windows/s) of edge vs the paper's models, with parameters and MACs;
- head-only fine-tuning on 60 s of a new subject's data <= 10 s.
Writes bench/results/train.json. Run on an otherwise idle machine."""
import shutil
import time


from common import PROJECT, write_result

from trainer.approaches import APPROACHES, ExperimentConfig, People, evaluate, multi_user, scoring_windows, transfer, windows
from trainer.data.store import Dataset
from trainer.fit import FitSettings, fit
from trainer.metrics import mean_over_joints
from trainer.models import make_model
from trainer.models.cost import model_cost
from trainer.synth.dataset import synthesize_dataset
from trainer.synth.generate import default_trials, synthesize_subject

WORK = PROJECT / "runs" / "bench-train"


def demo_training(data) -> dict:
    from trainer.cli_train import run_approaches

    out = WORK / "demo-results"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    summary = run_approaches(data, out, ["S01"], list(APPROACHES), ExperimentConfig(), with_baseline=True)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 1), "target_s": 300, "meets_target": seconds <= 300,
            "sagittal_rmse_deg": {a: round(s["sagittal_rmse_deg"]["mean"], 3) for a, s in summary.items()},
            "mean_rmse_deg": {a: round(s["mean_rmse_deg"]["mean"], 3) for a, s in summary.items()}}


def throughput(data) -> dict:
    config = ExperimentConfig()
    people = People(data, config)
    recordings = [r for s in ("S02", "S03", "S04") for r in people.featurized(s)]
    examples = windows(config, recordings, 0.0, 1.0, config.train_hop)
    out = {}
    for name in ("edge", "paper-cnn", "paper-lstm"):
        model = make_model(name, config.window, len(config.features), len(config.targets),
                           examples.y.mean(0), examples.y.std(0), config.physics_indices)
        settings = FitSettings(epochs=1, batch_size=128)
        fit(model, examples, None, examples.y.std(0), settings)          # warm-up: tracing, allocation
        start = time.perf_counter()
        fit(model, examples, None, examples.y.std(0), FitSettings(epochs=2, batch_size=128))
        seconds = time.perf_counter() - start
        out[name] = {**model_cost(model), "train_windows_per_s": round(2 * len(examples) / seconds)}
        print(name, out[name], flush=True)
    return out


def head_finetune(data) -> dict:
    # A new person: 7 trials of 26 s; the first third of each (60 s in all) is the labelled data.
    new = synthesize_subject(0, 10, default_trials(3.0))
    config = ExperimentConfig(transfer_fraction=1 / 3)
    people = People({**data, new[0].subject: new}, config)
    base = multi_user(config, people, new[0].subject)
    test = scoring_windows(config, people.featurized(new[0].subject))
    before = mean_over_joints(evaluate(config, base, test)[0])
    calibration_s = sum(r.duration for r in new) * config.transfer_fraction
    start = time.perf_counter()
    tuned = transfer(config, base, people, "head")
    seconds = time.perf_counter() - start
    after = mean_over_joints(evaluate(config, tuned, test)[0])
    return {"calibration_seconds_of_data": round(calibration_s, 1), "fit": "closed-form head (personalize.fit_head)",
            "seconds": round(seconds, 2), "target_s": 10, "meets_target": seconds <= 10,
            "rmse_before_deg": round(before, 3), "rmse_after_deg": round(after, 3)}


if __name__ == "__main__":
    folder = WORK / "data"
    if not folder.exists():
        synthesize_dataset(folder, jobs=2)
    dataset = Dataset(folder)
    data = {s: dataset.load(subjects={s}) for s in dataset.subjects}
    result = {"demo_training": demo_training(folder)}
    result["throughput"] = throughput(data)
    result["head_finetune_60s"] = head_finetune(data)
    print(result)
    write_result("train", result)
