"""The three approaches on small but real synthetic data, with fixed seeds."""
import numpy as np
import pytest

from trainer.approaches import ExperimentConfig, People, leave_one_out_split, multi_user, windows
from trainer.windows import scoring_ends
from trainer.experiment import Experiment, run_baseline
from trainer.fit import FitSettings
from trainer.results import collect
from trainer.synth.dataset import synthesize_dataset

HELD_OUT = "S01"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return synthesize_dataset(tmp_path_factory.mktemp("data") / "ds", subjects=5, minutes=3, seed=0, jobs=2)


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


def test_the_classical_baseline_is_a_real_competitor(summary):
    """Label-free calibration + inclinations: within a few degrees (the standing pose is not known),
    and the person offset, fitted on the labelled first part, takes most of that away."""
    sagittal = lambda a: summary[a]["sagittal_rmse_deg"]["mean"]
    assert sagittal("baseline") < 8.0, summary["baseline"]
    assert sagittal("baseline-offset") < sagittal("baseline"), summary


def test_every_approach_is_scored_on_the_same_windows(results, dataset):
    from trainer.data.store import Dataset

    # The test set: every device estimate at a sample of the last 20% of each trial.
    config = ExperimentConfig()
    expected = []
    for r in Dataset(dataset).load(subjects={HELD_OUT}):
        y = r.channels(config.targets)[scoring_ends(r.n_samples, config.window, config.hop, config.test_fraction)]
        expected.append(y[~np.isnan(y).any(axis=1)])
    runs = {p.parent.name: np.load(p) for p in results.glob(f"runs/*/{HELD_OUT}.npz")}
    assert set(runs) == {"single-user", "multi-user", "transfer-head", "transfer-full", "baseline", "baseline-offset"}
    for run in runs.values():
        np.testing.assert_array_equal(run["y_true"], np.concatenate(expected))


def test_leave_one_out_uses_nothing_of_the_held_out_subject(dataset):
    from trainer.data.store import Dataset

    ds = Dataset(dataset)
    data = {s: ds.load(subjects={s}) for s in ds.subjects}
    train_subjects, validator = leave_one_out_split(list(data), HELD_OUT)
    assert HELD_OUT not in train_subjects and validator != HELD_OUT
    config = ExperimentConfig(fit=FitSettings(epochs=2, patience=2))
    trained = multi_user(config, People(data, config), HELD_OUT, with_calibration=False)
    assert HELD_OUT not in trained.train_subjects + trained.val_subjects

    # Replace the held-out person's recordings by something wildly different: if anything of
    # theirs leaked into training or normalisation, the model would change.
    scrambled = dict(data)
    scrambled[HELD_OUT] = [r.replace(data=r.data.assign(**{c: r.data[c] * 50 + 7 for c in config.channels}))
                           for r in data[HELD_OUT]]
    again = multi_user(config, People(scrambled, config), HELD_OUT, with_calibration=False)
    np.testing.assert_array_equal(trained.normalizer.mean, again.normalizer.mean)
    np.testing.assert_array_equal(trained.normalizer.std, again.normalizer.std)
    for a, b in zip(trained.model.get_weights(), again.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_windows_of_different_portions_never_share_a_sample(dataset):
    from trainer.data.store import Dataset

    config = ExperimentConfig()
    recording = People({HELD_OUT: Dataset(dataset).load(subjects={HELD_OUT})}, config).featurized(HELD_OUT)[0]
    n = recording.n_samples
    marker = recording.replace(data=recording.data.assign(femur_r_sacc_x=np.arange(n, dtype=np.float32)))
    train = windows(config, [marker], 0.0, 0.8, 1)
    test = windows(config, [marker], 0.8, 1.0, 1)
    assert train.x[:, :, 0].max() < test.x[:, :, 0].min()


def test_turning_every_sensor_of_the_held_out_person_changes_nothing(dataset):
    """Label-free multi-user on a held-out person whose sensors are then all turned by random
    rotations (any angle): the calibration follows the sensors, so the RMSE stays put."""
    from scipy.spatial.transform import Rotation

    from trainer.approaches import evaluate, scoring_windows
    from trainer.data.schema import imu_columns
    from trainer.data.store import Dataset

    ds = Dataset(dataset)
    data = {s: ds.load(subjects={s}) for s in ds.subjects}
    config = ExperimentConfig(fit=FitSettings(epochs=4, patience=2))
    people = People(data, config)
    trained = multi_user(config, people, HELD_OUT)
    rng = np.random.default_rng(11)
    turns = {s: Rotation.random(random_state=rng).as_matrix() for s in config.segments}

    def turned(recording):
        d = recording.data.copy()
        for segment, Q in turns.items():
            columns = imu_columns(segment)
            x = d[columns].to_numpy(np.float64)
            d[columns] = np.hstack([x[:, :3] @ Q.T, x[:, 3:] @ Q.T]).astype(np.float32)
        return recording.replace(data=d)

    rmse = {}
    for name, raw in (("as mounted", data[HELD_OUT]), ("turned", [turned(r) for r in data[HELD_OUT]])):
        person = People({HELD_OUT: raw}, config)
        metrics, _ = evaluate(config, trained, scoring_windows(config, person.featurized(HELD_OUT)))
        rmse[name] = np.mean([m["rmse_deg"] for m in metrics.values()])
    assert abs(rmse["turned"] - rmse["as mounted"]) <= 0.3, rmse
