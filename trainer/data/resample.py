"""Putting recordings on a common rate and time base."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import butter, sosfiltfilt

from .recording import Recording
from .schema import TIME


def _interp_keep_gaps(t_new, t, values) -> np.ndarray:
    """Linear interpolation that leaves NaN where the nearest source sample is missing."""
    valid = ~np.isnan(values)
    if valid.sum() < 2:
        return np.full(len(t_new), np.nan)
    out = np.interp(t_new, t[valid], values[valid])
    nearest = np.clip(np.searchsorted(t, t_new), 1, len(t) - 1)
    nearest = np.where(np.abs(t[nearest - 1] - t_new) <= np.abs(t[nearest] - t_new), nearest - 1, nearest)
    out[~valid[nearest]] = np.nan
    return out


def resample(recording: Recording, rate: float) -> Recording:
    """The recording on a uniform grid at `rate` Hz over the same time span.

    Going down in rate, each channel is first low-passed (zero-phase Butterworth at 0.8 × the new
    Nyquist frequency) so that the result is not aliased.
    """
    if abs(rate - recording.sample_rate) < 1e-9:
        return recording
    data = recording.data
    t = data[TIME].to_numpy(dtype=float)
    t_new = np.arange(t[0], t[-1] + 0.5 / rate, 1.0 / rate)
    t_new = t_new[t_new <= t[-1] + 1e-9]
    columns = {TIME: t_new}
    sos = butter(4, 0.8 * rate / 2, fs=recording.sample_rate, output="sos") if rate < recording.sample_rate else None
    for name in data.columns:
        if name == TIME:
            continue
        values = data[name].to_numpy(dtype=float)
        if sos is not None and len(values) > 30:
            nan = np.isnan(values)
            filled = np.interp(t, t[~nan], values[~nan]) if nan.any() and (~nan).sum() > 1 else values
            values = sosfiltfilt(sos, filled)
            values[nan] = np.nan
        columns[name] = _interp_keep_gaps(t_new, t, values).astype(data[name].dtype)
    return recording.replace(data=pd.DataFrame(columns), sample_rate=float(rate),
                             extra={**recording.extra, "resampled_from_hz": recording.sample_rate})
