"""The synthetic data set: many subjects, each with the default trials, written as one folder."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..data.store import write_dataset
from .defaults import DEFAULT_MINUTES, DEFAULT_SEED, DEFAULT_SUBJECTS
from .generate import GENERATOR_VERSION, default_trials, synthesize_subject


def _one_subject(args):
    seed, index, minutes, rate = args
    return synthesize_subject(seed, index, default_trials(minutes), rate)


def synthesize_dataset(folder: Path, subjects: int = DEFAULT_SUBJECTS, minutes: float = DEFAULT_MINUTES,
                       seed: int = DEFAULT_SEED, rate: float = 100.0, jobs: int = 1,
                       overwrite: bool = False, on_subject_done=None) -> Path:
    """Generate and write the data set; `on_subject_done(n_done)` is called as subjects finish.

    The result depends only on (subjects, minutes, seed, rate), never on `jobs`.
    """
    if subjects < 1 or minutes <= 0:
        raise ValueError("need at least one subject and a positive duration")
    work = [(seed, i, minutes, rate) for i in range(subjects)]
    recordings = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for done, result in enumerate(pool.map(_one_subject, work), start=1):
                recordings.extend(result)
                if on_subject_done:
                    on_subject_done(done)
    else:
        for done, args in enumerate(work, start=1):
            recordings.extend(_one_subject(args))
            if on_subject_done:
                on_subject_done(done)
    description = {"kind": "synthetic", "generator_version": GENERATOR_VERSION, "subjects": subjects,
                   "minutes_per_subject": minutes, "seed": seed, "sample_rate": rate}
    return write_dataset(recordings, folder, description=description, overwrite=overwrite)
