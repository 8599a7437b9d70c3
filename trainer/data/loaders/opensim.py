"""OpenSim storage files: `.mot` / `.sto` with a `key=value` header closed by `endheader`, then a
tab-separated table whose first column is `time`.

Two kinds are read: joint angles (coordinates, named as in the recording contract) and OpenSense
IMU files (`DataType=Vec3`, one column per sensor named `<segment>_imu`, each cell `x,y,z`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..recording import Recording
from ..schema import ANGLES, SEGMENTS, TIME, imu_columns

# OpenSim's gait2392 model counts knee flexion negative; the Rajagopal/OpenSense models and this
# project count it positive. A walking knee that never exceeds this many degrees of "flexion"
# but goes below -FLEXED_KNEE_DEG is in the negative convention.
FLEXED_KNEE_DEG = 20.0


@dataclass
class Storage:
    path: Path
    header: dict
    columns: list[str]
    values: dict   # column -> (n,) or (n, k) array
    time: np.ndarray


def read_storage(path: Path) -> Storage:
    path = Path(path)
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        raise DataError(path, f"cannot read ({exc.strerror})") from None
    try:
        end = next(i for i, line in enumerate(lines) if line.strip().lower() == "endheader")
    except StopIteration:
        raise DataError(path, "no 'endheader' line: not an OpenSim .mot/.sto file") from None
    header = {}
    for line in lines[:end]:
        if "=" in line:
            key, value = line.split("=", 1)
            header[key.strip()] = value.strip()
    if end + 1 >= len(lines):
        raise DataError(path, "no column names after 'endheader'")
    columns = lines[end + 1].strip().split("\t") if "\t" in lines[end + 1] else lines[end + 1].split()
    columns = [c.strip() for c in columns]
    if columns[0].lower() != "time":
        raise DataError(path, f"first column is {columns[0]!r}, expected time", column=columns[0])
    rows = [line for line in lines[end + 2:] if line.strip()]
    if not rows:
        raise DataError(path, "no data rows")
    vector = header.get("DataType", "double").lower() in ("vec3", "quaternion", "vec4")
    split = (lambda line: line.split("\t")) if vector else (lambda line: line.split())
    cells = []
    for i, line in enumerate(rows):
        parts = split(line.strip())
        if len(parts) != len(columns):
            raise DataError(path, f"row has {len(parts)} values for {len(columns)} columns "
                                  f"(missing column or truncated file)", frame=i)
        cells.append(parts)
    declared = header.get("nRows") or header.get("datarows")
    if declared and declared.isdigit() and int(declared) != len(rows):
        raise DataError(path, f"header declares {declared} rows but {len(rows)} follow (truncated file?)")
    values = {}
    for j, name in enumerate(columns):
        try:
            if vector and j > 0:
                values[name] = np.array([[float(x) for x in row[j].split(",")] for row in cells])
            else:
                values[name] = np.array([float(row[j]) for row in cells])
        except ValueError:
            bad = next(i for i, row in enumerate(cells) if not _is_number_cell(row[j], vector and j > 0))
            raise DataError(path, f"not a number: {cells[bad][j]!r}", column=name, frame=bad) from None
    return Storage(path, header, columns, values, values[columns[0]])


def _is_number_cell(cell: str, vector: bool) -> bool:
    try:
        [float(x) for x in cell.split(",")] if vector else float(cell)
        return True
    except ValueError:
        return False


def _rate_of(storage: Storage) -> float:
    if "DataRate" in storage.header:
        return float(storage.header["DataRate"])
    return float(1.0 / np.median(np.diff(storage.time)))


def load_angles(path: Path, subject: str, activity: str, angles=None,
                knee_flexion_negative: bool | None = None) -> Recording:
    """Joint angles (degrees, contract sign conventions) from an OpenSim `.mot`/`.sto`.

    `angles` names the coordinates required (default: every contract angle present; at least one).
    `knee_flexion_negative`: True for gait2392-style files, False for Rajagopal-style, None to
    decide from the data (the decision is kept in `extra['knee_sign_flipped']`).
    """
    storage = read_storage(path)
    wanted = list(angles) if angles else [a for a in ANGLES if a in storage.values]
    if not wanted:
        raise DataError(path, "no joint-angle columns; expected OpenSim coordinate names such as "
                              f"{', '.join(ANGLES[:5])}")
    for name in wanted:
        if name not in storage.values:
            raise DataError(path, "missing column", column=name)
    in_degrees = storage.header.get("inDegrees", "yes").lower() != "no"
    data = {TIME: storage.time - storage.time[0]}
    flipped = []
    for name in wanted:
        values = storage.values[name] if in_degrees else np.rad2deg(storage.values[name])
        if name.startswith("knee_angle"):
            negative = knee_flexion_negative
            if negative is None:
                negative = values.max() < FLEXED_KNEE_DEG and values.min() < -FLEXED_KNEE_DEG
            if negative:
                values = -values
                flipped.append(name)
        data[name] = values.astype(np.float32)
    return Recording(data=pd.DataFrame(data), subject=subject, activity=activity, sample_rate=_rate_of(storage),
                     source="opensim-storage",
                     extra={"file": Path(path).name, "time_offset_s": float(storage.time[0]),
                            "knee_sign_flipped": flipped})


def load_imu_storage(acc_path: Path, gyr_path: Path, subject: str, activity: str) -> Recording:
    """IMU signals from OpenSense-style Vec3 files of linear accelerations and angular velocities."""
    acc, gyr = read_storage(acc_path), read_storage(gyr_path)
    if len(acc.time) != len(gyr.time) or not np.allclose(acc.time, gyr.time):
        raise DataError(gyr_path, f"time column differs from {Path(acc_path).name}", column="time")
    data = {TIME: acc.time - acc.time[0]}
    found = []
    for segment in SEGMENTS:
        name = f"{segment}_imu"
        if name in acc.values or name in gyr.values:
            for storage, path in ((acc, acc_path), (gyr, gyr_path)):
                if name not in storage.values:
                    raise DataError(path, "missing column", column=name)
                if storage.values[name].ndim != 2 or storage.values[name].shape[1] != 3:
                    raise DataError(path, "expected x,y,z in each cell (DataType=Vec3)", column=name)
            for column, values in zip(imu_columns(segment), np.hstack([acc.values[name], gyr.values[name]]).T):
                data[column] = values.astype(np.float32)
            found.append(segment)
    if not found:
        raise DataError(acc_path, f"no IMU columns; expected names such as {SEGMENTS[1]}_imu")
    return Recording(data=pd.DataFrame(data), subject=subject, activity=activity, sample_rate=_rate_of(acc),
                     source="opensim-imu-storage", extra={"files": [Path(acc_path).name, Path(gyr_path).name]})


def write_angles(recording: Recording, path: Path) -> Path:
    """The recording's joint angles as an OpenSim `.mot` (degrees, this project's sign conventions,
    which are the Rajagopal/OpenSense ones), written atomically. What a mocap + inverse kinematics
    pipeline would export; `load_angles` reads it back."""
    from ..atomic import atomic_path

    names = recording.angles
    if not names:
        raise DataError(recording.source, "the recording has no joint angles to write")
    t = recording.data[TIME].to_numpy(dtype=float)
    table = np.column_stack([t] + [recording.data[n].to_numpy(dtype=float) for n in names])
    header = ["Coordinates", "version=1", f"nRows={len(t)}", f"nColumns={len(names) + 1}", "inDegrees=yes",
              "endheader", "\t".join([TIME, *names])]
    with atomic_path(Path(path)) as tmp:
        with open(tmp, "w") as f:
            f.write("\n".join(header) + "\n")
            np.savetxt(f, table, fmt="%.6f", delimiter="\t")
    return Path(path)
