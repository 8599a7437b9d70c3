"""The output head shared by every model: one linear layer that speaks degrees.

It reads the backbone's embedding and, next to it, the front-end's inclination features of the
window's newest sample (`NewestSample`: each IMU's pitch and roll, normalised): a linear map of
those is already the classical estimate of a joint both of whose segments carry an IMU (knee ≈
thigh pitch − shank pitch), so the head starts as that estimate (`start_from_physics`) and the
network learns what it lacks. The device computes the same head in float32 from the int8
embedding and its own front-end's features (firmware/core/head.c).

Its bias starts at the training targets' mean and its kernel is scaled by their spread, so the
layers below learn in standardised units while the model's output — and the head a device
receives — is in degrees with no extra de-normalisation step anywhere.
"""
from __future__ import annotations

import numpy as np

from ..tf_setup import keras, tf

HEAD_NAME = "head"
EMBEDDING_NAME = "embedding"
PHYSICS_NAME = "physics"


@keras.utils.register_keras_serializable(package="kinedge")
class NewestSample(keras.layers.Layer):
    """The newest sample's values of some input channels: (batch, T, 1, C) → (batch, len(channels))."""

    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        self.channels = [int(c) for c in channels]

    def call(self, x):
        return tf.gather(x[:, -1, 0, :], self.channels, axis=-1)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


@keras.utils.register_keras_serializable(package="kinedge")
class PhysicsColumns(keras.constraints.Constraint):
    """Keeps the head's columns for what the IMUs observe at its classical estimate: no embedding
    weight, and physics weights only on that estimate's own features (physics.py) — whose gains
    training may still tune (a thigh sensor on soft tissue swings less than the bone).

    The columns are those of the head's basis (physics.head_basis): the kernel times `mix` (K, K).
    Mostly the identity; a pair of joints whose difference the IMUs observe (knee - ankle with
    femur + calcn) becomes its mean, free, and its half difference, held. `allowed` (P, K) is 1
    where a physics input may feed an observed basis column; `start` (P, K) is the classical
    estimate's weights there, where the head starts (start_from_physics)."""

    def __init__(self, columns, allowed, start, mix=None):
        self.columns = [int(c) for c in columns]
        self.allowed = np.asarray(allowed, np.float32)
        self.start = np.asarray(start, np.float32)
        k = self.allowed.shape[1]
        self.mix = np.eye(k, dtype=np.float64) if mix is None else np.asarray(mix, np.float64)

    @property
    def mixed(self) -> bool:
        return not np.array_equal(self.mix, np.eye(len(self.mix)))

    def mask(self, rows: int) -> np.ndarray:
        """(rows, K): 1 where the kernel, in the head's basis, may be non-zero."""
        p, k = self.allowed.shape
        mask = np.ones((rows, k), np.float32)
        mask[:, self.columns] = 0.0
        mask[rows - p:, self.columns] = self.allowed[:, self.columns]
        return mask

    def __call__(self, w):
        mask = self.mask(int(w.shape[0]))
        if not self.mixed:
            return w * mask
        basis = tf.matmul(w, tf.constant(self.mix, w.dtype)) * mask
        return tf.matmul(basis, tf.constant(np.linalg.inv(self.mix), w.dtype))

    def get_config(self):
        return {"columns": self.columns, "allowed": self.allowed.tolist(), "start": self.start.tolist(),
                "mix": self.mix.tolist()}


def head_on(embedding, inputs, n_outputs: int, physics_channels, dropout: float = 0.1, fixed=None):
    """The head over [embedding, newest physics channels]; dropout only on the embedding, so the
    physics estimate is never switched off while training. `fixed` (PhysicsColumns) keeps the
    joints the classical estimate observes at it."""
    layers = keras.layers
    x = layers.Dropout(dropout, name="embedding_dropout")(embedding) if dropout else embedding
    if physics_channels:
        physics = NewestSample(physics_channels, name=PHYSICS_NAME)(inputs)
        x = layers.Concatenate(name="head_inputs")([x, physics])
    return layers.Dense(n_outputs, name=HEAD_NAME, kernel_constraint=fixed)(x)


def start_in_degrees(model: keras.Model, target_mean, target_std) -> keras.Model:
    """Scale the freshly initialised head so the model starts out predicting the mean angles."""
    head = model.get_layer(HEAD_NAME)
    kernel, _ = head.get_weights()
    head.set_weights([kernel * np.asarray(target_std, np.float32)[None, :], np.asarray(target_mean, np.float32)])
    return model


def start_from_physics(model: keras.Model, physics: np.ndarray, targets: np.ndarray, ridge: float = 1e-3) -> keras.Model:
    """Start the head from the physics inputs of the training windows. Columns the kernel
    constraint holds (PhysicsColumns) start at the classical estimate and, as bias, the training
    targets' mean offset from it; the others at the least-squares fit of the targets on the physics
    inputs, keeping their (random) embedding rows for training to fill. All in the head's basis."""
    head = model.get_layer(HEAD_NAME)
    kernel, _ = head.get_weights()
    p = physics.shape[1]
    if p == 0:
        return model
    fixed = head.kernel_constraint if isinstance(head.kernel_constraint, PhysicsColumns) else None
    mix = fixed.mix if fixed else np.eye(targets.shape[1])
    targets = np.asarray(targets, np.float64) @ mix
    kernel = np.asarray(kernel, np.float64) @ mix
    x = np.column_stack([physics.astype(np.float64), np.ones(len(physics))])
    a = x.T @ x + ridge * len(x) * np.diag([1.0] * p + [0.0])
    w = np.linalg.solve(a, x.T @ targets)
    kernel[-p:] = w[:p]
    bias = w[p]
    if fixed:
        kernel[-p:, fixed.columns] = fixed.start[:, fixed.columns]
        kernel = kernel * fixed.mask(kernel.shape[0])
        estimate = physics.astype(np.float64) @ fixed.start.astype(np.float64)
        bias[fixed.columns] = (targets - estimate).mean(axis=0)[fixed.columns]
    unmix = np.linalg.inv(mix)
    head.set_weights([np.asarray(kernel @ unmix, np.float32), np.asarray(bias @ unmix, np.float32)])
    return model


def hold_at_physics(model: keras.Model, physics_at_zero: np.ndarray, standing_pose_deg: float) -> keras.Model:
    """Set the head's held columns (PhysicsColumns) to exactly the classical estimate: the physics
    weights it started from, no embedding weight, and the offset that makes the column read
    `standing_pose_deg` when every inclination is 0 (the calibration's standing pose), as the
    classical baseline does. `physics_at_zero` (P,) are the normalised physics inputs of a raw 0.

    Why: trained on a handful of (synthetic) people, these columns learn gains below 1 (noisy
    inputs attenuate a regression) and the training people's mean standing offsets — e.g. +6.9 deg
    on the knee with 4 IMUs — which a new person does not share: on the real S02 trial that made
    the multi-user knee worse than physics alone. A person's own offsets and gains are what
    personalisation (fit_head) fits."""
    head = model.get_layer(HEAD_NAME)
    fixed = head.kernel_constraint
    if not isinstance(fixed, PhysicsColumns):
        return model
    kernel, bias = (np.asarray(w, np.float64) for w in head.get_weights())
    kernel, bias = kernel @ fixed.mix, bias @ fixed.mix
    p = len(physics_at_zero)
    kernel[:, fixed.columns] = 0.0
    kernel[-p:, fixed.columns] = fixed.start[:, fixed.columns]
    pose = np.full(len(bias), standing_pose_deg, np.float64) @ fixed.mix
    bias[fixed.columns] = pose[fixed.columns] - np.asarray(physics_at_zero, np.float64) @ fixed.start[:, fixed.columns]
    unmix = np.linalg.inv(fixed.mix)
    head.set_weights([np.asarray(kernel @ unmix, np.float32), np.asarray(bias @ unmix, np.float32)])
    return model


def physics_count(model: keras.Model) -> int:
    try:
        return len(model.get_layer(PHYSICS_NAME).channels)
    except ValueError:
        return 0


def scaled_mse(target_std):
    """Mean squared error in units of each target's spread, so every joint counts alike."""
    weight = tf.constant(1.0 / np.square(np.asarray(target_std, np.float32)))

    def loss(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred) * weight, axis=-1)

    return loss
