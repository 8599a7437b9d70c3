"""The seed paper's three training approaches, all scored on the same test data, on calibrated inputs.

Every person is calibrated label-free from the IMU data of the first `transfer_fraction` of each of
their trials (`prepare.py`), exactly as a user calibrates; the models read the front-end's features.
For every subject the test set is the last `test_fraction` of each trial: every estimate the device
would stream at a sample in that part (its window may reach back; no label before it is used).
- single-user: trained on the rest of that subject's own data (its last part validates).
- multi-user: leave-one-subject-out — trained on the other subjects (and augmented copies of
  them; one further subject validates); nothing of the held-out subject but its label-free
  calibration is used. A joint whose segments both carry IMUs is then read as its classical
  estimate alone (`hold_at_physics`): what the training people's offsets teach does not carry over.
- transfer: the held-out subject's multi-user model personalised on the labelled first
  `transfer_fraction` of each of their trials. `head` mode is what `kinedge finetune` does (the
  same closed-form fit, `personalize.fit_head`), `full` mode starts from that head and then fine-tunes all layers (a reflash).
"""
from __future__ import annotations

import dataclasses
import zlib
from dataclasses import asdict, dataclass, field

import numpy as np

from .calibration import Calibration
from .fit import FitSettings, as_input, fit, predict
from .frontend import feature_names, inclination_names
from .metrics import joint_metrics
from .models import make_model
from .models.head import EMBEDDING_NAME, HEAD_NAME, PhysicsColumns, hold_at_physics, start_from_physics
from .personalize import HeadPull, balance_weights, fit_head, window_motion
from .physics import STANDING_POSE_DEG, head_basis
from .prepare import augmented, prepare_person
from .tf_setup import keras, seed_everything
from .data.schema import imu_channels
from .windows import Examples, Normalizer, make_windows, placement_segments, scoring_ends, side_angles

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
    transfer_fraction: float = 0.2  # also the part of each trial a person is calibrated on
    fit: FitSettings = field(default_factory=FitSettings)
    finetune_epochs: int = 15
    finetune_learning_rate: float = 3e-4
    augment_copies: int = 1     # augmented copies of every training subject (multi-user)
    head_pull: HeadPull = field(default_factory=HeadPull)

    @property
    def segments(self) -> list[str]:
        return placement_segments(self.placements, self.side)

    @property
    def channels(self) -> list[str]:
        """The raw IMU channels the device samples."""
        return imu_channels(self.segments)

    @property
    def features(self) -> list[str]:
        """The front-end's outputs: what the network reads."""
        return feature_names(self.segments)

    @property
    def physics(self) -> list[str]:
        """The features the head also reads at the newest sample."""
        return inclination_names(self.segments)

    @property
    def physics_indices(self) -> list[int]:
        return [self.features.index(name) for name in self.physics]

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
        d["head_pull"] = HeadPull(**d.get("head_pull", {}))
        d["placements"] = tuple(d["placements"])
        return cls(**d)


class People:
    """Each subject's raw trials and, made once on first use, their calibration and features."""

    def __init__(self, raw: dict, config: ExperimentConfig):
        self.raw, self.config = raw, config
        self._prepared, self._augmented = {}, {}

    @property
    def subjects(self) -> list[str]:
        return list(self.raw)

    def prepared(self, subject: str) -> tuple[Calibration, list]:
        if subject not in self._prepared:
            self._prepared[subject] = prepare_person(self.raw[subject], self.config.segments,
                                                     self.config.transfer_fraction)
        return self._prepared[subject]

    def calibration(self, subject: str) -> Calibration:
        return self.prepared(subject)[0]

    def featurized(self, subject: str) -> list:
        return self.prepared(subject)[1]

    def augmented(self, subject: str, copy: int) -> list:
        key = (subject, copy)
        if key not in self._augmented:
            seed = np.random.SeedSequence([self.config.fit.seed, zlib.crc32(subject.encode()), copy])
            self._augmented[key] = augmented(self.raw[subject], self.config.segments, self.config.transfer_fraction,
                                             np.random.default_rng(seed))
        return self._augmented[key]

    def training_set(self, subjects) -> list:
        """The subjects' featurised trials and `augment_copies` augmented copies of each."""
        out = []
        for s in subjects:
            out += self.featurized(s)
            for copy in range(self.config.augment_copies):
                out += self.augmented(s, copy)
        return out


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
    calibration: Calibration | None = None   # the subject's own label-free calibration


def windows(config: ExperimentConfig, recordings, lo: float, hi: float, hop: int) -> Examples:
    """Windows of featurised recordings lying entirely in the [lo, hi) part of each trial."""
    parts = [make_windows(r, config.features, config.targets, config.window, hop, lo, hi) for r in recordings]
    if not any(len(p) for p in parts):
        subjects = ", ".join(sorted({r.subject for r in recordings}))
        raise ValueError(f"{subjects}: the {lo:.0%}-{hi:.0%} part of the trials is shorter than one window "
                         f"({config.window} samples); use longer recordings or a smaller --window")
    return Examples.concat(parts)


def scoring_windows(config: ExperimentConfig, recordings) -> Examples:
    """The test set of featurised recordings: every estimate the device streams in the last part."""
    parts = [make_windows(r, config.features, config.targets, config.window, config.hop,
                          ends=scoring_ends(r.n_samples, config.window, config.hop, config.test_fraction))
             for r in recordings]
    return Examples.concat(parts)


def _normalised(examples: Examples, normalizer: Normalizer) -> Examples:
    return Examples(normalizer.apply(examples.x), examples.y, examples.subject, examples.trial)


def newest_physics(config: ExperimentConfig, x_normalised: np.ndarray) -> np.ndarray:
    return x_normalised[:, -1, config.physics_indices]


def physics_columns(config: ExperimentConfig, normalizer: Normalizer) -> PhysicsColumns | None:
    """The head constraint that keeps what the IMU set observes at its classical estimate
    (physics.py: single joints, and knee - ankle with femur + calcn), in the head's normalised
    physics inputs."""
    basis = head_basis(config.segments, config.side, config.targets)
    if not basis.physics:
        return None
    start = np.zeros((len(config.physics), len(config.targets)), np.float32)
    for column, weights in basis.physics.items():
        for feature, weight in weights.items():
            start[config.physics.index(feature), column] = weight * normalizer.std[config.features.index(feature)]
    return PhysicsColumns(sorted(basis.physics), start != 0, start, basis.mix)


def _train_new(config, approach, subject, train, val, train_subjects, val_subjects, portions, calibration,
               on_epoch) -> Trained:
    normalizer = Normalizer.fit(train)
    target_mean, target_std = train.y.mean(axis=0), train.y.std(axis=0) + 1e-3
    keras.backend.clear_session()
    seed_everything(config.fit.seed)  # initial weights too: same seed, same model in any process
    model = make_model(config.model, config.window, len(config.features), len(config.targets), target_mean,
                       target_std, config.physics_indices, physics_columns(config, normalizer))
    train_n = _normalised(train, normalizer)
    start_from_physics(model, newest_physics(config, train_n.x), train.y)
    history = fit(model, train_n, _normalised(val, normalizer), target_std, config.fit, on_epoch=on_epoch)
    model.target_std = target_std  # kept for fine-tuning's loss scale
    model.head_input_rms = head_input_rms(config, model, train_n.x)
    return Trained(approach, subject, model, normalizer, train_subjects, val_subjects, history, portions, calibration)


def single_user(config: ExperimentConfig, people: People, subject: str, on_epoch=None) -> Trained:
    recordings = people.featurized(subject)
    split = 1.0 - config.test_fraction - config.val_fraction
    train = windows(config, recordings, 0.0, split, config.train_hop)
    val = windows(config, recordings, split, 1.0 - config.test_fraction, config.train_hop)
    return _train_new(config, "single-user", subject, train, val, [subject], [subject], {subject: (0.0, split)},
                      people.calibration(subject), on_epoch)


def leave_one_out_split(subjects: list, held_out: str) -> tuple[list, str | None]:
    """Training subjects and the validation subject for a held-out one: the validator is the next
    subject after the held-out one in sorted order, so every fold is fixed and repeatable. With
    only two people there is no one to spare: the validator is None and validation uses the
    held-apart end of the training person's trials instead."""
    others = [s for s in sorted(subjects) if s != held_out]
    if not others:
        raise ValueError("multi-user training needs at least 2 subjects (train on one, hold out the other)")
    if len(others) == 1:
        return others, None
    after = [s for s in others if s > held_out]
    validator = after[0] if after else others[0]
    return [s for s in others if s != validator], validator


def multi_user(config: ExperimentConfig, people: People, held_out: str, on_epoch=None,
               with_calibration: bool = True) -> Trained:
    train_subjects, validator = leave_one_out_split(people.subjects, held_out)
    if validator is None:
        split = 1.0 - config.val_fraction
        train = windows(config, people.training_set(train_subjects), 0.0, split, config.train_hop)
        val = windows(config, [r for s in train_subjects for r in people.featurized(s)], split, 1.0,
                      config.train_hop)
        validators, portions = train_subjects, {s: (0.0, split) for s in train_subjects}
    else:
        train = windows(config, people.training_set(train_subjects), 0.0, 1.0, config.train_hop)
        val = windows(config, people.featurized(validator), 0.0, 1.0, config.train_hop)
        validators, portions = [validator], {s: (0.0, 1.0) for s in train_subjects}
    calibration = people.calibration(held_out) if with_calibration else None
    trained = _train_new(config, "multi-user", held_out, train, val, train_subjects, validators, portions,
                         calibration, on_epoch)
    # For a person it has never seen, a joint the IMUs observe is read as physics alone (head.py).
    zero = trained.normalizer.apply(np.zeros((1, len(config.features)), np.float32))[0, config.physics_indices]
    hold_at_physics(trained.model, zero, STANDING_POSE_DEG)
    return trained


def embedding_model(model: keras.Model) -> keras.Model:
    return keras.Model(model.input, model.get_layer(EMBEDDING_NAME).output)


def head_inputs(config: ExperimentConfig, model: keras.Model, x_normalised: np.ndarray) -> np.ndarray:
    """What the head reads for each window: the float embedding, then the newest physics features."""
    embedding = embedding_model(model).predict(as_input(x_normalised), batch_size=1024, verbose=0)
    return np.column_stack([embedding, newest_physics(config, x_normalised)])


def head_input_rms(config: ExperimentConfig, model: keras.Model, x_normalised: np.ndarray, most: int = 4000) -> np.ndarray:
    """Each head input's RMS over (a spread of) the training windows: the scale personalisation's
    pulls are measured in (personalize.fit_head)."""
    pick = np.linspace(0, len(x_normalised) - 1, min(most, len(x_normalised))).astype(int)
    return np.sqrt(np.mean(np.square(head_inputs(config, model, x_normalised[pick])), axis=0)).astype(np.float32)


def transfer(config: ExperimentConfig, base: Trained, people: People, mode: str, on_epoch=None) -> Trained:
    """Personalise a copy of `base` (a multi-user model) on the labelled start of its subject's trials."""
    if mode not in ("head", "full"):
        raise ValueError(f"transfer mode must be head or full, not {mode!r}")
    labelled = windows(config, people.featurized(base.subject), 0.0, config.transfer_fraction, config.train_hop)
    model = keras.models.clone_model(base.model)
    model.set_weights(base.model.get_weights())
    x = base.normalizer.apply(labelled.x)
    # Both modes start with the closed-form head fit (`kinedge finetune`): a reflash can only add to
    # what a head push already gives, and gradient descent then starts from the person's offsets
    # instead of spending its few labelled seconds finding them.
    head = model.get_layer(HEAD_NAME)
    kernel0, bias0 = head.get_weights()
    n_embedding = int(model.get_layer(EMBEDDING_NAME).output_shape[-1])
    gyro = [i for i, name in enumerate(config.features) if "_sgyr_" in name]
    weights = balance_weights(window_motion(labelled.x[:, :, gyro]))
    basis = head_basis(config.segments, config.side, config.targets)
    head.set_weights(list(fit_head(head_inputs(config, model, x), labelled.y, kernel0, bias0, n_embedding,
                                   config.head_pull, weights, basis.observed, base.model.head_input_rms,
                                   mix=basis.mix)))
    history = {}
    if mode == "full":
        settings = dataclasses.replace(config.fit, epochs=config.finetune_epochs,
                                       learning_rate=config.finetune_learning_rate)
        # The device keeps the multi-user normalisation: only the model changes (a reflash).
        history = fit(model, Examples(x, labelled.y, labelled.subject, labelled.trial), None, base.model.target_std,
                      settings, on_epoch=on_epoch)
    model.target_std = base.model.target_std
    model.head_input_rms = base.model.head_input_rms
    portions = {**base.train_portions, base.subject: (0.0, config.transfer_fraction)}
    return Trained(f"transfer-{mode}", base.subject, model, base.normalizer,
                   base.train_subjects + [base.subject], base.val_subjects, history, portions,
                   people.calibration(base.subject))


def evaluate(config: ExperimentConfig, trained: Trained, test: Examples) -> tuple[dict, np.ndarray]:
    predictions = predict(trained.model, trained.normalizer.apply(test.x))
    return joint_metrics(test.y, predictions, config.targets), predictions
