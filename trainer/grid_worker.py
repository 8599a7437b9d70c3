"""What a worker runs for one unit of the grid (grid.py), on a local process or a Ray node.

It trains in a scratch folder and returns the files it made as bytes; the driver writes them.
So a worker needs neither the data set folder (it gets the data set read once, in memory) nor
the results folder, and a worker that dies leaves nothing half-written behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def one_tensorflow_thread() -> None:
    """One TensorFlow thread per worker: workers then share the cores without fighting, and a job's
    numbers do not depend on how many threads its machine has. Must run before TensorFlow is first
    imported in the process (trainer.tf_setup reads it); the data set a worker receives does not
    import it."""
    os.environ["KINEDGE_TF_THREADS"] = "1"


def run_unit(dataset, unit: dict) -> dict:
    """`dataset`: a data.store.LoadedDataset; `unit`: one of grid.units(). Returns {path: bytes},
    paths relative to the unit's results folder."""
    one_tensorflow_thread()
    from .approaches import ExperimentConfig
    from .experiment import Experiment, run_baseline

    config = ExperimentConfig.from_json(unit["config"])
    with tempfile.TemporaryDirectory(prefix="kinedge-unit-") as scratch:
        scratch = Path(scratch)
        for rel, data in unit["inputs"].items():
            (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
            (scratch / rel).write_bytes(data)
        experiment = Experiment(dataset, scratch, config)
        approaches, subject = unit["approaches"], unit["subject"]
        if approaches[0].startswith("baseline"):
            run_baseline(experiment, [subject], approaches=approaches)
        else:
            experiment.run(approaches, [subject])
        made = {}
        for path in sorted(scratch.rglob("*")):
            rel = str(path.relative_to(scratch))
            if path.is_file() and rel != "config.json" and rel not in unit["inputs"]:
                made[rel] = path.read_bytes()
        return made


_DATASET = None


def init_process(dataset) -> None:
    """Local pool initializer: the data set arrives once per process, not once per unit."""
    global _DATASET
    one_tensorflow_thread()
    _DATASET = dataset


def run_unit_in_process(unit: dict) -> dict:
    return run_unit(_DATASET, unit)
