"""The three approaches on small but real synthetic data, with fixed seeds."""
import numpy as np
import pytest

from trainer.approaches import ExperimentConfig, leave_one_out_split, multi_user, scoring_windows, windows
from trainer.experiment import Experiment, run_baseline
from trainer.fit import FitSettings
from trainer.results import collect
from trainer.synth.dataset import synthesize_dataset

HELD_OUT = "S01"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return synthesize_dataset(tmp_path_factory.mktemp("data") / "ds", subjects=5, minutes=1.5, seed=0, jobs=2)


@pytest.fixture(scope="module")
def results(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    experiment = Experiment(dataset, out, ExperimentConfig(fit=FitSettings(epochs=30, patience=5)))
    experiment.run(["single-user", "multi-user", "transfer-head", "transfer-full"], [HELD_OUT])
    run_baseline(experiment, [HELD_OUT])
    return out


@pytest.fixture(scope="module")
def summary(results):
    return collect(results)


def mean_rmse(summary, approach):
    return summary[approach]["mean_rmse_deg"]["mean"]


def test_the_papers_ordering_single_then_transfer_then_multi(summary):
    single, head, multi = (mean_rmse(summary, a) for a in ("single-user", "transfer-head", "multi-user"))
    assert single < head < multi, summary
    # Fine-tuning every layer is at least as good as fine-tuning the head alone.
    assert mean_rmse(summary, "transfer-full") < head


def test_learned_models_beat_the_classical_baseline(summary):
    baseline = mean_rmse(summary, "baseline")
    for approach in ("single-user", "transfer-full", "transfer-head", "multi-user"):
        assert mean_rmse(summary, approach) < baseline, (approach, summary)


def test_every_approach_is_scored_on_the_same_windows(results, dataset):
    from trainer.data.store import Dataset

    expected = scoring_windows(ExperimentConfig(), Dataset(dataset).load(subjects={HELD_OUT}))
    runs = {p.parent.name: np.load(p) for p in results.glob(f"runs/*/{HELD_OUT}.npz")}
    assert set(runs) == {"single-user", "multi-user", "transfer-head", "transfer-full", "baseline"}
    for run in runs.values():
        np.testing.assert_array_equal(run["y_true"], expected.y)


def test_leave_one_out_uses_nothing_of_the_held_out_subject(dataset):
    from trainer.data.store import Dataset

    ds = Dataset(dataset)
    data = {s: ds.load(subjects={s}) for s in ds.subjects}
    train_subjects, validator = leave_one_out_split(list(data), HELD_OUT)
    assert HELD_OUT not in train_subjects and validator != HELD_OUT
    config = ExperimentConfig(fit=FitSettings(epochs=2, patience=2))
    trained = multi_user(config, data, HELD_OUT)
    assert HELD_OUT not in trained.train_subjects + trained.val_subjects

    # Replace the held-out person's recordings by something wildly different: if anything of
    # theirs leaked into training or normalisation, the model would change.
    scrambled = dict(data)
    scrambled[HELD_OUT] = [r.replace(data=r.data.assign(**{c: r.data[c] * 50 + 7 for c in config.channels}))
                           for r in data[HELD_OUT]]
    again = multi_user(config, scrambled, HELD_OUT)
    np.testing.assert_array_equal(trained.normalizer.mean, again.normalizer.mean)
    np.testing.assert_array_equal(trained.normalizer.std, again.normalizer.std)
    for a, b in zip(trained.model.get_weights(), again.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_windows_of_different_portions_never_share_a_sample(dataset):
    from trainer.data.store import Dataset

    recording = Dataset(dataset).load(subjects={HELD_OUT})[0]
    config = ExperimentConfig()
    n = recording.n_samples
    marker = recording.replace(data=recording.data.assign(femur_r_acc_x=np.arange(n, dtype=np.float32)))
    train = windows(config, [marker], 0.0, 0.8, 1)
    test = windows(config, [marker], 0.8, 1.0, 1)
    assert train.x[:, :, 0].max() < test.x[:, :, 0].min()
