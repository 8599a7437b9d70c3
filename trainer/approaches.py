"""The seed paper's three training approaches, all scored on the same test data.

For every subject the test set is the last `test_fraction` of each of their trials, in time.
- single-user: trained on the rest of that subject's own data (its last part validates).
- multi-user: leave-one-subject-out — trained on the other subjects (one of them validates);
  nothing of the held-out subject, data or normalisation statistics, is used.
- transfer: the held-out subject's multi-user model fine-tuned on the first `transfer_fraction`
  of each of their trials; `head` mode trains only the head (what a device can receive over
  serial), `full` mode all layers (needs a reflash).
"""
from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field

import numpy as np

from .fit import FitSettings, fit, predict
from .metrics import joint_metrics
from .models import make_model
from .tf_setup import keras, seed_everything
from .data.schema import imu_channels
from .windows import Examples, Normalizer, make_windows, placement_segments, side_angles

APPROACHES = ("single-user", "multi-user", "transfer-head", "transfer-full")


@dataclass
class ExperimentConfig:
    model: str = "edge"
    placements: tuple = ("femur", "calcn")
    side: str = "r"
    window: int = 64            # samples per window
    hop: int = 2                # samples between estimates on the device, and in the test set
    train_hop: int = 4          # samples between training windows
    test_fraction: float = 0.2
    val_fraction: float = 0.1   # single-user: the part just before the test part validates
    transfer_fraction: float = 0.2
    fit: FitSettings = field(default_factory=FitSettings)
    finetune_epochs: int = 30
    finetune_learning_rate: float = 1e-3

    @property
    def segments(self) -> list[str]:
        return placement_segments(self.placements, self.side)

    @property
    def channels(self) -> list[str]:
        return imu_channels(self.segments)

    @property
    def targets(self) -> list[str]:
        return side_angles(self.side)

    def to_json(self) -> dict:
        d = asdict(self)
        d["placements"] = list(self.placements)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "ExperimentConfig":
        d = dict(d)
        d["fit"] = FitSettings(**d["fit"])
        d["placements"] = tuple(d["placements"])
        return cls(**d)


@dataclass
class Trained:
    approach: str
    subject: str                 # the subject it is meant for (and tested on)
    model: keras.Model
    normalizer: Normalizer
    train_subjects: list
    val_subjects: list
    history: dict
    # subject -> (lo, hi): the part of each of their trials the weights were trained on. Later
    # stages (quantisation calibration, QAT) may use exactly these windows and no others.
    train_portions: dict = field(default_factory=dict)


def windows(config: ExperimentConfig, recordings, lo: float, hi: float, hop: int) -> Examples:
    parts = [make_windows(r, config.channels, config.targets, config.window, hop, lo, hi) for r in recordings]
    if not any(len(p) for p in parts):
        subjects = ", ".join(sorted({r.subject for r in recordings}))
        raise ValueError(f"{subjects}: the {lo:.0%}-{hi:.0%} part of the trials is shorter than one window "
                         f"({config.window} samples); use longer recordings or a smaller --window")
    return Examples.concat(parts)


def scoring_windows(config: ExperimentConfig, recordings) -> Examples:
    return windows(config, recordings, 1.0 - config.test_fraction, 1.0, config.hop)


def _normalised(examples: Examples, normalizer: Normalizer) -> Examples:
    return Examples(normalizer.apply(examples.x), examples.y, examples.subject, examples.trial)


def _train_new(config, approach, subject, train, val, train_subjects, val_subjects, portions, on_epoch) -> Trained:
    normalizer = Normalizer.fit(train)
    target_mean, target_std = train.y.mean(axis=0), train.y.std(axis=0) + 1e-3
    keras.backend.clear_session()
    seed_everything(config.fit.seed)  # initial weights too: same seed, same model in any process
    model = make_model(config.model, config.window, len(config.channels), len(config.targets), target_mean, target_std)
    history = fit(model, _normalised(train, normalizer), _normalised(val, normalizer), target_std, config.fit,
                  on_epoch=on_epoch)
    model.target_std = target_std  # kept for fine-tuning's loss scale
    return Trained(approach, subject, model, normalizer, train_subjects, val_subjects, history, portions)


def single_user(config: ExperimentConfig, data: dict, subject: str, on_epoch=None) -> Trained:
    recordings = data[subject]
    split = 1.0 - config.test_fraction - config.val_fraction
    train = windows(config, recordings, 0.0, split, config.train_hop)
    val = windows(config, recordings, split, 1.0 - config.test_fraction, config.train_hop)
    return _train_new(config, "single-user", subject, train, val, [subject], [subject], {subject: (0.0, split)}, on_epoch)


def leave_one_out_split(subjects: list, held_out: str) -> tuple[list, str]:
    """Training subjects and the validation subject for a held-out one: the validator is the next
    subject after the held-out one in sorted order, so every fold is fixed and repeatable."""
    others = [s for s in sorted(subjects) if s != held_out]
    if len(others) < 2:
        raise ValueError("multi-user training needs at least 3 subjects (train, validate, hold out)")
    after = [s for s in others if s > held_out]
    validator = after[0] if after else others[0]
    return [s for s in others if s != validator], validator


def multi_user(config: ExperimentConfig, data: dict, held_out: str, on_epoch=None) -> Trained:
    train_subjects, validator = leave_one_out_split(list(data), held_out)
    train = windows(config, [r for s in train_subjects for r in data[s]], 0.0, 1.0, config.train_hop)
    val = windows(config, data[validator], 0.0, 1.0, config.train_hop)
    portions = {s: (0.0, 1.0) for s in train_subjects}
    return _train_new(config, "multi-user", held_out, train, val, train_subjects, [validator], portions, on_epoch)


def transfer(config: ExperimentConfig, base: Trained, data: dict, mode: str, on_epoch=None) -> Trained:
    """Fine-tune a copy of `base` (a multi-user model) on the start of its subject's trials."""
    if mode not in ("head", "full"):
        raise ValueError(f"transfer mode must be head or full, not {mode!r}")
    calibration = windows(config, data[base.subject], 0.0, config.transfer_fraction, config.train_hop)
    model = keras.models.clone_model(base.model)
    model.set_weights(base.model.get_weights())
    settings = dataclasses.replace(config.fit, epochs=config.finetune_epochs, learning_rate=config.finetune_learning_rate)
    # The device keeps the multi-user normalisation: only the head (or the reflashed model) changes.
    history = fit(model, _normalised(calibration, base.normalizer), None, base.model.target_std, settings,
                  train_only_head=(mode == "head"), on_epoch=on_epoch)
    model.target_std = base.model.target_std
    portions = {**base.train_portions, base.subject: (0.0, config.transfer_fraction)}
    return Trained(f"transfer-{mode}", base.subject, model, base.normalizer,
                   base.train_subjects + [base.subject], base.val_subjects, history, portions)


def evaluate(config: ExperimentConfig, trained: Trained, test: Examples) -> tuple[dict, np.ndarray]:
    predictions = predict(trained.model, trained.normalizer.apply(test.x))
    return joint_metrics(test.y, predictions, config.targets), predictions
