"""A whole study in one command: `kinedge data build DATASET --plan study.csv`.

The plan is a CSV with one row per trial:

    subject,activity,trial,format,files,map,reference,rate
    P01,walk,walk1,xsens,raw/P01/walk1_*.txt,imu_map.xml,ik/P01_walk1.mot,

- `format`: `xsens` (MT Manager exports, one file per sensor), `imu-sto` (OpenSense Vec3
  accelerations;angular velocities) or `table` (a CSV/Parquet with kinedge column names).
- `files`: paths or glob patterns, `;`-separated. `map` (xsens only): a map file — ours or
  OpenSense's XML — or inline `SENSORID=segment` pairs separated by spaces. `reference`
  (optional): mocap angles (.mot/.sto/.c3d/.csv) aligned by cross-correlation. `rate`
  (optional): for exports whose header lacks it. `activity` defaults to walk.
- Relative paths are relative to the plan file, so a study folder can move as a whole.

Every row is checked before anything is written (files exist, headers have the columns we read,
maps name known segments, references load and carry the angles the others have); then the trials
are imported into a temporary folder that becomes DATASET only when all of them succeeded.
"""
from __future__ import annotations

import csv
import glob
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError
from .recording import Recording
from .schema import side_of

REQUIRED = ("subject", "trial", "format", "files")
OPTIONAL = ("activity", "map", "reference", "rate")
FORMATS = ("xsens", "imu-sto", "table")
SAGITTAL = ("hip_flexion", "knee_angle", "ankle_angle")


class PlanError(DataError):
    """Several bad rows at once: one line for each, so a user fixes them all in one go."""

    def __init__(self, plan: Path, problems: list[str], total: int):
        self.problems, self.total = problems, total
        super().__init__(plan, f"{len(problems)} of {total} rows are bad; nothing was written\n" + "\n".join(problems))

    def __reduce__(self):
        return (type(self), (self.source, self.problems, self.total))


@dataclass
class PlanRow:
    number: int                       # 1-based data row
    line: int                         # line in the CSV file, header = 1
    subject: str
    activity: str
    trial: str
    format: str
    files: list[Path]
    sensor_map: dict | None = None
    ignored_sensors: dict = field(default_factory=dict)
    reference: Path | None = None
    rate: float | None = None
    reference_recording: Recording | None = None

    def where(self) -> str:
        return f"row {self.number} (line {self.line}, {self.subject} {self.trial})"


def _expand(patterns: str, base: Path) -> list[Path]:
    files = []
    for pattern in (p.strip() for p in patterns.split(";")):
        if not pattern:
            continue
        path = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        if glob.has_magic(pattern):
            matches = sorted(Path(m) for m in glob.glob(str(path)))
            if not matches:
                raise DataError(pattern, "no file matches this pattern")
            files += matches
        elif not path.exists():
            raise DataError(path, "no such file")
        else:
            files.append(path)
    if not files:
        raise DataError("files", "empty: name the trial's files")
    return files


def _sensor_map(text: str, base: Path):
    from .loaders.sensor_maps import SensorMap, read_map_file
    from .loaders.xsens import parse_sensor_map

    if "=" in text:
        try:
            return SensorMap(parse_sensor_map(text.replace(";", " ").split()))
        except ValueError as exc:
            raise DataError("map", str(exc)) from None
    path = Path(text) if Path(text).is_absolute() else base / text
    return read_map_file(path)


def _check_files(row: PlanRow, map_text: str, base: Path) -> None:
    from .loaders.xsens import check_xsens_header, sensor_id_of

    if row.format == "xsens":
        if not map_text:
            raise DataError("map", "xsens rows need a sensor map (a map file or SENSORID=segment pairs)")
        sensor_map = _sensor_map(map_text, base)
        row.sensor_map, row.ignored_sensors = sensor_map.segments, sensor_map.ignored
        by_id = {}
        for path in row.files:
            by_id[sensor_id_of(path)] = path
        for sensor, segment in row.sensor_map.items():
            if sensor not in by_id:
                raise DataError(sensor, f"no export file for sensor {sensor} (mapped to {segment}) among the "
                                        f"{len(row.files)} files")
            check_xsens_header(by_id[sensor])
    elif row.format == "imu-sto" and len(row.files) != 2:
        raise DataError("files", f"imu-sto rows need two files (accelerations;angular velocities), got {len(row.files)}")
    elif row.format == "table" and len(row.files) != 1:
        raise DataError("files", f"table rows need one file, got {len(row.files)}")


def _check_reference(row: PlanRow) -> None:
    from .reference import load_reference

    row.reference_recording = load_reference(row.reference, row.subject, row.activity)
    if row.sensor_map:
        have = set(row.reference_recording.angles)
        for segment in row.sensor_map.values():
            side = side_of(segment)
            for base in SAGITTAL if side else ():
                if f"{base}_{side}" not in have:
                    raise DataError(row.reference, f"missing column (needed to align and label {segment})",
                                    column=f"{base}_{side}")


def read_plan(path: Path) -> list[PlanRow]:
    """Parse and check every row; raises `PlanError` listing each bad row, or returns them all."""
    path = Path(path)
    base = path.parent
    try:
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            raw_rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    except (OSError, csv.Error) as exc:
        raise DataError(path, f"cannot read as CSV ({exc})") from None
    for name in REQUIRED:
        if name not in header:
            raise DataError(path, f"missing column in the plan (columns: {', '.join(REQUIRED + OPTIONAL)})", column=name)
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise DataError(path, f"unknown plan column; expected {', '.join(REQUIRED + OPTIONAL)}", column=unknown[0])
    if not raw_rows:
        raise DataError(path, "no rows: one row per trial")

    rows, problems, seen = [], [], {}
    for number, raw in enumerate(raw_rows, start=1):
        where = f"{path.name} row {number} (line {number + 1})"
        try:
            for name in REQUIRED:
                if not raw.get(name):
                    raise DataError(name, "empty")
            if raw["format"] not in FORMATS:
                raise DataError("format", f"unknown format {raw['format']!r}; expected one of {', '.join(FORMATS)}")
            key = (raw["subject"], raw["trial"])
            if key in seen:
                raise DataError("trial", f"subject {key[0]} trial {key[1]} is also row {seen[key]}")
            seen[key] = number
            try:
                rate = float(raw["rate"]) if raw.get("rate") else None
            except ValueError:
                raise DataError("rate", f"not a number: {raw['rate']!r}") from None
            row = PlanRow(number, number + 1, raw["subject"], raw.get("activity") or "walk", raw["trial"],
                          raw["format"], _expand(raw["files"], base), rate=rate)
            _check_files(row, raw.get("map", ""), base)
            if raw.get("reference"):
                reference = Path(raw["reference"])
                row.reference = reference if reference.is_absolute() else base / reference
                _check_reference(row)
            rows.append(row)
        except DataError as exc:
            problems.append(f"{where}: {exc}")
    # All trials of a data set should carry the same labels, or training silently uses fewer.
    labelled = [r for r in rows if r.reference_recording is not None]
    every = set().union(*(r.reference_recording.angles for r in labelled)) if labelled else set()
    for row in labelled:
        missing = sorted(every - set(row.reference_recording.angles))
        if missing:
            problems.append(f"{path.name} {row.where()}: {row.reference}, column '{missing[0]}': missing column "
                            f"that the other rows' references have")
    if problems:
        raise PlanError(path, problems, len(raw_rows))
    return rows


def import_row(row: PlanRow) -> tuple[Recording, object]:
    """Load one checked row into a labelled recording; returns it and its alignment (or None)."""
    from .align import align_to_reference
    from .dataset_edit import with_trial
    from .loaders.opensim import load_imu_storage
    from .loaders.tabular import load_table
    from .loaders.xsens import load_xsens_trial

    if row.format == "xsens":
        recording = load_xsens_trial(row.files, row.sensor_map, row.subject, row.activity, row.rate)
    elif row.format == "imu-sto":
        recording = load_imu_storage(row.files[0], row.files[1], row.subject, row.activity)
    else:
        recording = load_table(row.files[0], row.subject, row.activity, row.rate)
    alignment = None
    if row.reference_recording is not None:
        recording, alignment = align_to_reference(recording, row.reference_recording)
    return with_trial(recording, row.trial), alignment


def build_dataset(plan: Path, folder: Path, overwrite: bool = False, on_row=None,
                  rows: list[PlanRow] | None = None) -> list[dict]:
    """Check the plan, then import every row into `folder`, all or nothing. Returns one summary
    per row (subject, trial, seconds, alignment lag and correlation)."""
    from .store import write_dataset

    plan = Path(plan)
    rows = read_plan(plan) if rows is None else rows
    if Path(folder).exists() and not overwrite:
        raise FileExistsError(f"{folder} already exists (use --force to replace it)")
    summaries, current = [], {}

    def recordings():
        for row in rows:
            current["row"] = row
            recording, alignment = import_row(row)
            summaries.append({"row": row.number, "subject": row.subject, "activity": row.activity,
                              "trial": row.trial, "seconds": round(recording.duration, 2),
                              "segments": recording.segments,
                              "lag_s": None if alignment is None else round(alignment.lag_s, 3),
                              "correlation": None if alignment is None else round(alignment.correlation, 3)})
            if on_row:
                on_row(row)
            yield recording

    try:
        # write_dataset validates each recording as it writes it: the row being written is the culprit.
        write_dataset(recordings(), folder, description={"built_from": plan.name, "rows": len(rows)},
                      overwrite=overwrite)
    except DataError as exc:
        raise DataError(f"{plan.name} {current['row'].where()}", str(exc)) from None
    return summaries

