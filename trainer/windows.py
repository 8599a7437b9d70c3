"""From recordings to training examples: sliding windows with a causal target.

A window ending at sample i holds samples i-W+1 .. i of the selected IMU channels; its target is
the joint angles at sample i, the newest one, so a device can stream estimates with no look-ahead.
A portion [lo, hi) of a trial (fractions of its length) contributes only windows lying entirely
inside it, so training, validation and test windows never share a sample.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data.recording import Recording
from .data.schema import ANGLE_BASES


def placement_segments(placements, side: str) -> list[str]:
    """IMU segments for placements on one leg: ('femur', 'calcn'), 'r' → ['femur_r', 'calcn_r']."""
    return [p if p == "pelvis" else f"{p}_{side}" for p in placements]


def side_angles(side: str) -> list[str]:
    return [f"{base}_{side}" for base in ANGLE_BASES]


@dataclass
class Examples:
    x: np.ndarray   # (n, W, C) float32
    y: np.ndarray   # (n, K) float32
    subject: np.ndarray  # (n,) subject id of each window
    trial: np.ndarray    # (n,) "<subject>/<trial>" of each window, for plotting runs of windows

    def __len__(self):
        return len(self.x)

    @classmethod
    def concat(cls, parts) -> "Examples":
        parts = [p for p in parts if len(p)]
        if not parts:
            raise ValueError("no windows: the selected data is shorter than one window")
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("x", "y", "subject", "trial")))


def window_ends(n_samples: int, window: int, lo: float, hi: float, hop: int) -> np.ndarray:
    start, stop = int(round(lo * n_samples)), int(round(hi * n_samples))
    return np.arange(start + window - 1, stop, hop)


def device_ends(n_samples: int, window: int, hop: int) -> np.ndarray:
    """The samples a device estimates at: the first full window, then every hop."""
    return np.arange(window - 1, n_samples, hop)


def scoring_ends(n_samples: int, window: int, hop: int, test_fraction: float) -> np.ndarray:
    """The test set of a trial: every device estimate at a sample of its last `test_fraction`.
    A window may reach back before that part (the device has those samples); only the target,
    the angle at the window's last sample, must lie in it."""
    ends = device_ends(n_samples, window, hop)
    return ends[ends >= int(round((1.0 - test_fraction) * n_samples))]


def make_windows(recording: Recording, channels, targets, window: int, hop: int,
                 lo: float = 0.0, hi: float = 1.0, ends: np.ndarray | None = None) -> Examples:
    """Windows ending at `ends`, or else at every hop of the [lo, hi) part that holds a whole window."""
    x = recording.channels(channels)
    y = recording.channels(targets)
    if ends is None:
        ends = window_ends(len(x), window, lo, hi, hop)
    # Gaps the validator allowed (short NaN runs) are bridged by holding the last value.
    if np.isnan(x).any():
        x = _fill_forward(x)
    keep = ~np.isnan(y[ends]).any(axis=1)
    ends = ends[keep]
    index = ends[:, None] + np.arange(-window + 1, 1)[None, :]
    trial = f"{recording.subject}/{recording.extra.get('trial', recording.activity)}"
    return Examples(x[index], y[ends], np.full(len(ends), recording.subject), np.full(len(ends), trial))


def _fill_forward(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    for j in range(x.shape[1]):
        column = x[:, j]
        nan = np.isnan(column)
        if nan.all():
            column[:] = 0.0
            continue
        idx = np.where(~nan, np.arange(len(column)), 0)
        np.maximum.accumulate(idx, out=idx)
        column[:] = column[idx]
        first = np.flatnonzero(~nan)[0]
        column[:first] = column[first]
    return x


@dataclass
class Normalizer:
    """Per-channel mean and standard deviation, from training data only."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, examples: Examples) -> "Normalizer":
        flat = examples.x.reshape(-1, examples.x.shape[-1]).astype(np.float64)
        std = flat.std(axis=0)
        return cls(flat.mean(axis=0).astype(np.float32), np.where(std > 1e-6, std, 1.0).astype(np.float32))

    def apply(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std).astype(np.float32)

    def to_json(self) -> dict:
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_json(cls, d: dict) -> "Normalizer":
        return cls(np.array(d["mean"], np.float32), np.array(d["std"], np.float32))

