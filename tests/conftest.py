from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT.parent / "shared" / "data"


def shared(*parts) -> Path:
    """A path under ../shared/data, skipping the test cleanly when the data is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture(scope="session")
def walk_recording():
    """Twelve seconds of synthetic comfortable walking, all seven IMUs and ten angles."""
    rng = subject_rng(123, 0)
    profile = sample_subject(rng, "T01")
    return synthesize_trial(profile, TrialSpec("walk", 1.0, 12.0), rng)


@pytest.fixture(scope="session")
def trained_edge_bundle(tmp_path_factory):
    """A small but real trained edge-model bundle (transfer-head for S01, 4 synthetic people)."""
    from trainer.approaches import ExperimentConfig
    from trainer.experiment import Experiment
    from trainer.fit import FitSettings
    from trainer.synth.dataset import synthesize_dataset

    root = tmp_path_factory.mktemp("edge")
    data = synthesize_dataset(root / "ds", subjects=4, minutes=1.0, seed=2, jobs=2)
    experiment = Experiment(data, root / "results", ExperimentConfig(fit=FitSettings(epochs=15, patience=4)))
    experiment.run(["transfer-head"], ["S01"])
    return experiment.bundle_path("transfer-head", "S01")


@pytest.fixture(scope="session")
def converted_edge(trained_edge_bundle, tmp_path_factory):
    """That bundle converted (post-training int8, AOT engine): (folder, conversion report)."""
    import shutil

    from converter.convert import convert_bundle

    folder = tmp_path_factory.mktemp("ptq") / "bundle"
    shutil.copytree(trained_edge_bundle, folder)
    return folder, convert_bundle(folder)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
