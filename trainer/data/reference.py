"""Reference joint angles from whichever file a mocap system exported, chosen by extension."""
from __future__ import annotations

from pathlib import Path

from .errors import DataError
from .loaders.c3d import load_c3d_angles
from .loaders.opensim import load_angles
from .loaders.tabular import load_table
from .recording import Recording

REFERENCE_SUFFIXES = (".c3d", ".mot", ".sto", ".csv", ".parquet")


def load_reference(path: Path, subject: str, activity: str, c3d_convention: str = "auto") -> Recording:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".c3d":
        recording = load_c3d_angles(path, subject, activity, convention=c3d_convention)
    elif suffix in (".mot", ".sto"):
        recording = load_angles(path, subject, activity)
    elif suffix in (".csv", ".parquet"):
        recording = load_table(path, subject, activity)
    else:
        raise DataError(path, f"unknown reference format {suffix!r}; expected one of {', '.join(REFERENCE_SUFFIXES)}")
    if not recording.angles:
        raise DataError(path, "the reference has no joint-angle columns")
    return recording
