"""Running approaches over held-out subjects and keeping every result on disk as it is made.

Layout of a results folder:
    config.json                       the ExperimentConfig every run in it shares
    runs/<approach>/<subject>.json    metrics of one approach on one subject's test set
    runs/<approach>/<subject>.npz     its test predictions and references (for plots)
    bundles/<approach>/<subject>/     the trained model bundle
    results.json / .csv / .md         the summary, rebuilt from runs/ by `results.collect`
A run whose metrics file exists is not repeated, so an interrupted experiment resumes.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from . import approaches as A
from .bundle import load_bundle, make_card, read_calibration, write_bundle
from .data.atomic import atomic_path, write_text_atomic
from .data.errors import DataError
from .data.store import Dataset
from .grid import run_file


class Experiment:
    def __init__(self, dataset: Path | Dataset, out: Path, config: A.ExperimentConfig):
        """`dataset`: a data set folder, or one already read (data.store.LoadedDataset)."""
        self.dataset = dataset if isinstance(dataset, Dataset) else Dataset(dataset)
        self.out = Path(out)
        self.config = config
        self._data = None
        self._check_config()

    def _check_config(self):
        path = self.out / "config.json"
        mine = {"config": self.config.to_json(), "dataset": str(self.dataset.folder)}
        if path.exists():
            theirs = json.loads(path.read_text())
            if theirs != mine:
                raise FileExistsError(f"{self.out} holds results of another configuration or data set; "
                                      f"choose another --out")
        else:
            write_text_atomic(path, json.dumps(mine, indent=1))

    @property
    def data(self) -> dict:
        """Each subject's raw trials."""
        return self.people.raw

    @property
    def people(self) -> A.People:
        """The subjects' trials with, made on first use, their calibration and front-end features."""
        if self._data is None:
            raw = {s: self.dataset.load(subjects={s}) for s in self.dataset.subjects}
            self._check_columns(raw)
            self._data = A.People(raw, self.config)
        return self._data

    def _check_columns(self, raw: dict) -> None:
        """Every trial must carry the IMUs the model reads and the angles it estimates."""
        for recordings in raw.values():
            for recording in recordings:
                missing = [f"the {s} IMU" for s in self.config.segments if s not in recording.segments]
                missing += [a for a in self.config.targets if a not in recording.angles]
                if missing:
                    raise DataError(f"{self.dataset.folder}: subject {recording.subject} trial "
                                    f"{recording.extra.get('trial', recording.activity)}",
                                    f"lacks {', '.join(missing)}, which the {self.config.model} model with "
                                    f"--imus {','.join(self.config.placements)} --side {self.config.side} needs")

    def provenance(self) -> dict:
        return {"dataset": str(self.dataset.folder),
                "manifest_sha256": hashlib.sha256(self.dataset.manifest_bytes).hexdigest(),
                "description": self.dataset.manifest.get("description", {})}

    def run_path(self, approach: str, subject: str) -> Path:
        return run_file(self.out, approach, subject)

    def bundle_path(self, approach: str, subject: str) -> Path:
        return self.out / "bundles" / approach / subject

    def done(self, approach: str, subject: str) -> bool:
        return self.run_path(approach, subject).exists()

    def record(self, trained: A.Trained) -> dict:
        """Score on the subject's test set, then write metrics, predictions and the bundle."""
        test = A.scoring_windows(self.config, self.people.featurized(trained.subject))
        metrics, predictions = A.evaluate(self.config, trained, test)
        sample_rate = self.data[trained.subject][0].sample_rate
        card = make_card(self.config, trained, sample_rate, self.provenance(), metrics)
        write_bundle(self.bundle_path(trained.approach, trained.subject), trained.model, card, trained.calibration)
        self.save_predictions(trained.approach, trained.subject, test.y, test.trial, predictions)
        result = {"approach": trained.approach, "subject": trained.subject, "metrics": metrics,
                  "train_subjects": trained.train_subjects, "val_subjects": trained.val_subjects,
                  "test_windows": int(len(test)), "parameters": card["parameters"],
                  "epochs_run": card["training"]["epochs_run"]}
        self._write_json(self.run_path(trained.approach, trained.subject), result)
        return result

    def save_predictions(self, approach, subject, y_true, trial, predictions):
        path = self.run_path(approach, subject).with_suffix(".npz")
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, y_true=y_true, y_pred=predictions.astype(np.float32), trial=trial,
                         targets=np.array(self.config.targets))

    def record_external(self, approach: str, subject: str, metrics: dict, y_true, trial, predictions, extra: dict):
        """Results of a method that is not a Keras model (the classical baseline)."""
        self.save_predictions(approach, subject, y_true, trial, predictions)
        self._write_json(self.run_path(approach, subject),
                         {"approach": approach, "subject": subject, "metrics": metrics,
                          "test_windows": int(len(y_true)), **extra})

    def _write_json(self, path: Path, obj: dict):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(obj, indent=1))

    def load_trained(self, approach: str, subject: str) -> A.Trained:
        folder = self.bundle_path(approach, subject)
        model, card, normalizer = load_bundle(folder)
        result = json.loads(self.run_path(approach, subject).read_text())
        # The loss scale for fine-tuning: the spread of the training targets, kept in the card.
        model.target_std = np.asarray(card["training"]["target_std"], dtype=np.float32)
        model.head_input_rms = np.asarray(card["training"]["head_input_rms"], dtype=np.float32)
        portions = {s: tuple(p) for s, p in card["training"]["portions"].items()}
        return A.Trained(approach, subject, model, normalizer, result["train_subjects"], result["val_subjects"], {},
                         portions, read_calibration(folder))

    def run(self, approach_names, subjects, on_step=None) -> list[dict]:
        """Run the named approaches for each held-out subject; returns the new results."""
        unknown = set(approach_names) - set(A.APPROACHES)
        if unknown:
            raise ValueError(f"unknown approach {sorted(unknown)[0]!r}; expected one of {', '.join(A.APPROACHES)}")
        missing = [s for s in subjects if s not in self.dataset.subjects]
        if missing:
            raise ValueError(f"subject {missing[0]} is not in {self.dataset.folder} "
                             f"(subjects: {', '.join(self.dataset.subjects)})")
        new = []
        step = on_step or (lambda *a: None)
        for subject in subjects:
            if "single-user" in approach_names and not self.done("single-user", subject):
                step("single-user", subject)
                new.append(self.record(A.single_user(self.config, self.people, subject)))
            wants_transfer = [a for a in approach_names if a.startswith("transfer-")]
            base = None
            if ("multi-user" in approach_names or wants_transfer) and not self.done("multi-user", subject):
                step("multi-user", subject)
                base = A.multi_user(self.config, self.people, subject)
                new.append(self.record(base))
            for approach in wants_transfer:
                if self.done(approach, subject):
                    continue
                base = base or self.load_trained("multi-user", subject)
                step(approach, subject)
                new.append(self.record(A.transfer(self.config, base, self.people, approach.split("-")[1])))
        return new


BASELINES = {"baseline": False, "baseline-offset": True}


def run_baseline(experiment: Experiment, subjects, on_step=None, approaches=tuple(BASELINES)) -> list[dict]:
    """The classical baseline and its person-offset variant (baseline.py) for each subject."""
    from .baseline import leg_segments, score_subject
    from .metrics import joint_metrics

    new = []
    for subject in subjects:
        for approach, with_offset in BASELINES.items():
            if approach not in approaches or experiment.done(approach, subject):
                continue
            if on_step:
                on_step(approach, subject)
            y_true, y_pred, trial = score_subject(experiment.config, experiment.data[subject], with_offset)
            metrics = joint_metrics(y_true, y_pred, experiment.config.targets)
            method = "label-free calibration + VQF inclinations, standing pose 0 deg"
            if with_offset:
                method += ", plus each joint's mean error on the labelled first part"
            experiment.record_external(approach, subject, metrics, y_true, trial, y_pred,
                                       {"method": method, "imus": leg_segments(experiment.config.side)})
            new.append({"approach": approach, "subject": subject, "metrics": metrics})
    return new
