"""Accuracy of angle estimates: RMSE (deg), RMSE normalised by the reference's range (%), Pearson r."""
from __future__ import annotations

import numpy as np


def joint_metrics(y_true: np.ndarray, y_pred: np.ndarray, names) -> dict:
    out = {}
    for j, name in enumerate(names):
        t, p = y_true[:, j].astype(np.float64), y_pred[:, j].astype(np.float64)
        rmse = float(np.sqrt(np.mean((p - t) ** 2)))
        span = float(np.ptp(t))
        r = float(np.corrcoef(t, p)[0, 1]) if np.std(t) > 0 and np.std(p) > 0 else float("nan")
        out[name] = {"rmse_deg": rmse, "nrmse_pct": 100.0 * rmse / span if span > 0 else float("nan"), "r": r}
    return out


def mean_over_joints(metrics: dict, key: str = "rmse_deg") -> float:
    return float(np.nanmean([m[key] for m in metrics.values()]))
