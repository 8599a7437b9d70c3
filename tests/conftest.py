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


@pytest.fixture
def rng():
    return np.random.default_rng(0)
