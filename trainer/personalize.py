"""A person's head, fitted in closed form: the one personalisation path.

`kinedge finetune` (on the device's int8 embeddings) and the experiments' transfer-head (on the
float model's embeddings of the same windows) both call `fit_head`. The head is linear in its
inputs — the embedding, the newest sample's inclination features and a constant — so with a few
labelled seconds it is ridge regression pulled toward the current head rather than toward zero:

    minimise  |X W + b - Y|^2 + sum_j lam_j |W_j - W0_j|^2 + lam_b |b - b0|^2

Each block of coefficients has its own pull, in "windows' worth" of evidence: the embedding's
64 coefficients are held firmly (a few seconds cannot support a new network read-out, and a
person-specific fit of them is what overfits), the physics coefficients — the gains of the
classical estimate — less, and the bias, the person's offsets, hardly at all. A calibration walk
is mostly standing, where a model errs differently than while walking: standing and moving
windows count alike (`balance_weights`). Deterministic, milliseconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeadPull:
    """How many windows' worth each coefficient block is pulled toward the current head."""

    embedding: float = 3000.0
    physics: float = 1000.0
    bias: float = 2.0            # joints the IMUs observe: their offset is the person's own
    inferred_bias: float = 300.0  # joints the network infers: its error while standing (most of a
                                  # calibration walk) is not its error while walking
    # Measured on held-out synthetic people and the real S02 trial (head-only, sagittal mean): weaker
    # pulls (300 / 30) overfit the few labelled seconds; these were the best of those tried.


def fit_head(inputs: np.ndarray, targets: np.ndarray, kernel0: np.ndarray, bias0: np.ndarray,
             n_embedding: int, pull: HeadPull = HeadPull(), weights: np.ndarray | None = None,
             observed=None, input_rms: np.ndarray | None = None,
             mix: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """inputs (n, E+P): embedding then physics features, as the head reads them; targets (n, K)
    degrees; kernel0 (E+P, K), bias0 (K,) the current head; `weights` (n,) per window (default
    1); `observed` (K,) which outputs the IMUs observe (physics.py; default all); `input_rms`
    (E+P,) each head input's RMS over the model's training windows (the card keeps it); `mix`
    (K, K) the head's basis (physics.head_basis): the fit is made there, with `observed` per basis
    column, so a pair like knee and ankle keeps its observed difference.

    A pull of "s windows' worth" is s windows as varied as the training population: a calibration
    walk that hardly moves an input (standing) then cannot move its weight either. (Scaled by the
    labelled data's own spread instead, a nearly constant input's weight would trade freely with
    the offset and swing wildly once the person walks.)"""
    x = np.asarray(inputs, np.float64)
    mix = np.eye(np.shape(targets)[1]) if mix is None else np.asarray(mix, np.float64)
    y = np.asarray(targets, np.float64) @ mix
    kernel0 = np.asarray(kernel0, np.float64) @ mix
    bias0 = np.asarray(bias0, np.float64) @ mix
    if x.shape[1] != kernel0.shape[0]:
        raise ValueError(f"head inputs have {x.shape[1]} columns, the head reads {kernel0.shape[0]}")
    a = np.column_stack([x, np.ones(len(x))])
    r = np.ones(len(x)) if weights is None else np.asarray(weights, np.float64)
    r = r * len(r) / r.sum()
    # Per column, "worth s windows": s times the (weighted) mean square of that column.
    observed = np.ones(y.shape[1], bool) if observed is None else np.asarray(observed, bool)
    population = np.mean(r[:, None] * a * a, axis=0) if input_rms is None else \
        np.append(np.square(np.asarray(input_rms, np.float64)), 1.0)
    scale = np.maximum(population, 1e-9)
    gram, moment = a.T @ (r[:, None] * a), a.T @ (r[:, None] * y)
    w0 = np.vstack([kernel0, bias0[None, :]]).astype(np.float64)
    w = np.empty_like(w0)
    for k in range(y.shape[1]):  # each output with its own pull on its offset
        strength = np.array([pull.embedding] * n_embedding + [pull.physics] * (x.shape[1] - n_embedding)
                            + [pull.bias if observed[k] else pull.inferred_bias])
        lam = strength * scale
        w[:, k] = np.linalg.solve(gram + np.diag(lam), moment[:, k] + lam * w0[:, k])
    w = w @ np.linalg.inv(mix)
    return w[:-1].astype(np.float32), w[-1].astype(np.float32)


STILL_GYRO = 0.3  # rad/s: a window whose mean gyro magnitude stays below this is standing still


def window_motion(gyro_windows: np.ndarray) -> np.ndarray:
    """(n, W, 3 * IMUs) gyro windows (rad/s) → each window's mean gyro magnitude."""
    return np.sqrt(np.sum(np.square(gyro_windows), axis=-1)).mean(axis=1)


def balance_weights(motion: np.ndarray) -> np.ndarray:
    """Per window: standing and moving windows weigh the same in total."""
    still = np.asarray(motion) < STILL_GYRO
    if still.all() or not still.any():
        return np.ones(len(still))
    return np.where(still, (~still).sum() / still.sum(), 1.0)


def apply_head(inputs: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return (np.asarray(inputs, np.float32) @ kernel + bias).astype(np.float32)
