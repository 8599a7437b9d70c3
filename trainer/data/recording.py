"""`Recording`: one trial as a table plus the metadata that travels with it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import schema


@dataclass
class Recording:
    """One trial. `data` holds `time` [s], IMU channels and angles; see `schema` for the contract.

    `extra` carries provenance that is not part of the contract but should not be lost (sensor ids,
    the lag found when aligning, generator parameters); it must be JSON-serialisable.
    """

    data: pd.DataFrame
    subject: str
    activity: str
    sample_rate: float
    source: str
    extra: dict = field(default_factory=dict)

    @property
    def segments(self) -> list[str]:
        return schema.segments_in(self.data.columns)

    @property
    def angles(self) -> list[str]:
        return schema.angles_in(self.data.columns)

    @property
    def n_samples(self) -> int:
        return len(self.data)

    @property
    def duration(self) -> float:
        t = self.data[schema.TIME].to_numpy()
        return float(t[-1] - t[0]) + 1.0 / self.sample_rate if len(t) else 0.0

    def meta(self) -> dict:
        return {
            "subject": self.subject,
            "activity": self.activity,
            "sample_rate": float(self.sample_rate),
            "source": self.source,
            "extra": self.extra,
        }

    def replace(self, **changes) -> "Recording":
        return dataclasses.replace(self, **changes)

    def slice(self, start: int, stop: int) -> "Recording":
        """Frames [start, stop) as a new recording (time values kept, not re-zeroed)."""
        return self.replace(data=self.data.iloc[start:stop].reset_index(drop=True))

    def channels(self, columns) -> np.ndarray:
        return self.data[list(columns)].to_numpy(dtype=np.float32)
