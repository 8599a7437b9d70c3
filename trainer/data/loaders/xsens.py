"""Xsens MT Manager text export: one file per sensor, `//` header lines, then comma-separated
columns `PacketCounter, SampleTimeFine, Acc_X..Z [m/s^2], Gyr_X..Z [rad/s], Mag_*, Quat_*`.

This is the export of the OpenSense validation data set (Xsens MTw Awinda) used by the seed paper
and of the gaittoolbox data. Acc and Gyr are in the sensor frame, as the recording contract wants.
Sensors of one trial share the packet counter, which is how they are put on one time base.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..recording import Recording
from ..schema import SEGMENTS, TIME, imu_columns

SENSOR_ID = re.compile(r"_([0-9A-Fa-f]{8})\.txt$")
RATE_LINE = re.compile(r"Update Rate:\s*([0-9.]+)\s*Hz", re.IGNORECASE)
REQUIRED = ("PacketCounter", "Acc_X", "Acc_Y", "Acc_Z", "Gyr_X", "Gyr_Y", "Gyr_Z")
COUNTER_WRAP = 65536  # the packet counter is 16 bits


@dataclass
class XsensFile:
    path: Path
    sensor_id: str
    rate: float | None
    packet: np.ndarray   # unwrapped counter, one per row, no gaps (missing packets are NaN rows)
    acc: np.ndarray      # (n, 3)
    gyr: np.ndarray      # (n, 3)
    missing_packets: int


def sensor_id_of(path: Path) -> str:
    match = SENSOR_ID.search(Path(path).name)
    if not match:
        raise DataError(path, "cannot tell the sensor id: expected a name ending in _<8 hex digits>.txt")
    return match.group(1).upper()


def read_xsens_file(path: Path) -> XsensFile:
    path = Path(path)
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        raise DataError(path, f"cannot read ({exc.strerror})") from None
    rate = None
    k = 0
    while k < len(lines) and lines[k].startswith("//"):
        match = RATE_LINE.search(lines[k])
        if match:
            rate = float(match.group(1))
        k += 1
    if k == len(lines):
        raise DataError(path, "no column header after the // lines (empty or truncated export)")
    header = [h.strip() for h in lines[k].split(",")]
    for name in REQUIRED:
        if name not in header:
            raise DataError(path, "missing column in the Xsens export (enable it in MT Manager's export "
                                  "settings)", column=name)
    body = [line for line in lines[k + 1:] if line.strip()]
    if not body:
        raise DataError(path, "no data rows after the header")
    expected = len(header) - 1
    for i, line in enumerate(body):
        if line.count(",") != expected:
            raise DataError(path, f"truncated or malformed row: expected {expected + 1} fields, got "
                                  f"{line.count(',') + 1}", frame=i)
    table = pd.read_csv(io.StringIO("\n".join(body)), header=None, names=header, usecols=list(REQUIRED),
                        dtype=str, keep_default_na=False)
    values = {}
    for name in REQUIRED:
        column = pd.to_numeric(table[name].replace("", np.nan), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(np.isnan(column) & (table[name] != "").to_numpy())
        if bad.size:
            raise DataError(path, f"not a number: {table[name].iloc[bad[0]]!r}", column=name, frame=int(bad[0]))
        values[name] = column
    counter = values["PacketCounter"]
    if np.isnan(counter).any():
        raise DataError(path, "empty packet counter", column="PacketCounter", frame=int(np.flatnonzero(np.isnan(counter))[0]))
    steps = np.diff(counter.astype(np.int64)) % COUNTER_WRAP
    if (steps == 0).any():
        raise DataError(path, "repeated packet counter", column="PacketCounter", frame=int(np.flatnonzero(steps == 0)[0]) + 1)
    packet = np.concatenate([[0], np.cumsum(steps)]) + int(counter[0])
    # Dropped packets become NaN rows, so time stays uniform and validation sees the gap.
    full = np.arange(packet[0], packet[-1] + 1)
    index = packet - packet[0]
    acc = np.full((len(full), 3), np.nan)
    gyr = np.full((len(full), 3), np.nan)
    acc[index] = np.column_stack([values[f"Acc_{a}"] for a in "XYZ"])
    gyr[index] = np.column_stack([values[f"Gyr_{a}"] for a in "XYZ"])
    return XsensFile(path, sensor_id_of(path), rate, full, acc, gyr, missing_packets=len(full) - len(packet))


def check_xsens_header(path: Path) -> None:
    """The cheap part of `read_xsens_file`: the file opens and its column header has what we read.
    Lets a whole study be checked before any file is parsed in full."""
    path = Path(path)
    try:
        with path.open(errors="replace") as f:
            line = next((line for line in f if not line.startswith("//")), None)
    except OSError as exc:
        raise DataError(path, f"cannot read ({exc.strerror})") from None
    if line is None:
        raise DataError(path, "no column header after the // lines (empty or truncated export)")
    header = [h.strip() for h in line.split(",")]
    for name in REQUIRED:
        if name not in header:
            raise DataError(path, "missing column in the Xsens export (enable it in MT Manager's export "
                                  "settings)", column=name)


def parse_sensor_map(items) -> dict[str, str]:
    """`["00B40C48=calcn_r", ...]` → {"00B40C48": "calcn_r"}, checking the segment names."""
    mapping = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"sensor map entry {item!r}: expected SENSORID=segment")
        sensor, segment = (part.strip() for part in item.split("=", 1))
        if segment not in SEGMENTS:
            raise ValueError(f"sensor map entry {item!r}: unknown segment {segment!r}; expected one of {', '.join(SEGMENTS)}")
        if segment in mapping.values():
            raise ValueError(f"sensor map: segment {segment} given twice")
        mapping[sensor.upper()] = segment
    return mapping


def load_xsens_trial(paths, sensor_map: dict[str, str], subject: str, activity: str,
                     rate: float | None = None) -> Recording:
    """One recording from the per-sensor files of a trial; only mapped sensors are kept."""
    files = {}
    for path in paths:
        sid = sensor_id_of(path)
        if sid in sensor_map:
            files[sid] = read_xsens_file(path)
    for sid, segment in sensor_map.items():
        if sid not in files:
            raise DataError(sid, f"no export file for sensor {sid} (mapped to {segment}) among the "
                                 f"{len(list(paths))} files given")
    rates = {f.rate for f in files.values() if f.rate}
    if rate is None:
        if len(rates) != 1:
            raise DataError(next(iter(files.values())).path,
                            "cannot tell the sample rate: header has no (or disagreeing) 'Update Rate'; pass --rate")
        rate = rates.pop()
    start = max(int(f.packet[0]) for f in files.values())
    stop = min(int(f.packet[-1]) for f in files.values())
    if stop <= start:
        raise DataError(", ".join(sorted(files)), "the sensors' packet counters do not overlap: not one trial")
    columns = {TIME: (np.arange(start, stop + 1) - start) / rate}
    for sid, segment in sorted(sensor_map.items(), key=lambda kv: SEGMENTS.index(kv[1])):
        f = files[sid]
        rows = slice(start - int(f.packet[0]), stop - int(f.packet[0]) + 1)
        for name, values in zip(imu_columns(segment), np.hstack([f.acc[rows], f.gyr[rows]]).T):
            columns[name] = values.astype(np.float32)
    return Recording(
        data=pd.DataFrame(columns), subject=subject, activity=activity, sample_rate=float(rate),
        source="xsens-mt-export",
        extra={"sensors": {sid: sensor_map[sid] for sid in sorted(files)},
               "first_packet": start,
               "missing_packets": {sid: f.missing_packets for sid, f in files.items() if f.missing_packets}},
    )
