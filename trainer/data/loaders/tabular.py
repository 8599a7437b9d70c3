"""Plain tables (CSV or Parquet) whose columns already use the recording contract's names."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..recording import Recording
from ..schema import TIME


def load_table(path: Path, subject: str, activity: str, rate: float | None = None,
               drop=()) -> Recording:
    """Read a CSV/Parquet table. `drop` lists columns to leave out on purpose; any other column
    that is not in the contract is an error rather than being dropped silently."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "no such file")
    try:
        table = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except Exception as exc:
        raise DataError(path, f"cannot read as a table ({exc})") from None
    for name in drop:
        if name not in table.columns:
            raise DataError(path, "asked to drop a column that is not there", column=name)
    table = table.drop(columns=list(drop))
    for name in table.columns:
        if name != TIME and not pd.api.types.is_numeric_dtype(table[name]):
            bad = pd.to_numeric(table[name], errors="coerce").isna() & table[name].notna()
            frame = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
            raise DataError(path, f"not a number: {table[name].iloc[frame]!r}", column=name, frame=frame)
    if TIME not in table.columns:
        if rate is None:
            raise DataError(path, "missing column (or pass --rate to number the rows)", column=TIME)
        table.insert(0, TIME, np.arange(len(table)) / rate)
    if rate is None:
        steps = np.diff(table[TIME].to_numpy(dtype=float))
        positive = steps[steps > 0]
        if positive.size == 0:
            raise DataError(path, "cannot infer the sample rate from time", column=TIME)
        rate = float(np.round(1.0 / np.median(positive), 3))
    return Recording(data=table.reset_index(drop=True), subject=subject, activity=activity,
                     sample_rate=float(rate), source=f"table:{path.suffix.lstrip('.').lower()}",
                     extra={"file": path.name})
