"""`kinedge data info DATASET`: what a data set holds, per subject and activity, with every file
read and validated — so a broken or stray file shows up before a long training run, not in it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataError
from .schema import ANGLES, SEGMENTS
from .store import MANIFEST, Dataset, read_recording


@dataclass
class DatasetCheck:
    dataset: Dataset
    table: pd.DataFrame                       # subject x activity: trials and minutes
    problems: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)   # IMUs every recording has
    angles: list[str] = field(default_factory=list)     # angles every recording has
    invalid: int = 0                                    # listed recordings that fail to read or validate


def check_dataset(folder: Path, on_file=None) -> DatasetCheck:
    dataset = Dataset(folder)
    problems, segment_sets, angle_sets, invalid = [], [], [], 0
    for entry in dataset.entries:
        path = dataset.folder / entry["file"]
        try:
            recording = read_recording(path)
        except DataError as exc:
            problems.append(str(exc))
            invalid += 1
            continue
        finally:
            if on_file:
                on_file(entry)
        for key, actual in (("subject", recording.subject), ("n_samples", recording.n_samples)):
            if entry.get(key) != actual:
                problems.append(f"{path}: {MANIFEST} says {key} {entry.get(key)!r}, the file has {actual!r}")
        segment_sets.append(set(recording.segments))
        angle_sets.append(set(recording.angles))
    listed = {e["file"] for e in dataset.entries}
    for stray in sorted(p.name for p in dataset.folder.glob("*.parquet") if p.name not in listed):
        problems.append(f"{dataset.folder / stray}: not listed in {MANIFEST} (add it with `kinedge data add`)")
    common_segments = set.intersection(*segment_sets) if segment_sets else set()
    common_angles = set.intersection(*angle_sets) if angle_sets else set()
    rows = pd.DataFrame(dataset.entries)
    if rows.empty:
        table = rows
    else:
        table = (rows.assign(minutes=rows["duration_s"] / 60)
                 .groupby(["subject", "activity"])
                 .agg(trials=("file", "count"), minutes=("minutes", lambda s: round(s.sum(), 2)))
                 .reset_index())
    return DatasetCheck(dataset, table, problems,
                        [s for s in SEGMENTS if s in common_segments], [a for a in ANGLES if a in common_angles], invalid)


def describe_check(check: DatasetCheck) -> str:
    entries = check.dataset.entries
    total = sum(e["duration_s"] for e in entries) / 60
    rates = sorted({e["sample_rate"] for e in entries})
    lines = [f"{check.dataset.folder}: {len(check.dataset.subjects)} subjects, {len(entries)} recordings, "
             f"{total:.1f} min at {', '.join(f'{r:g}' for r in rates) or '-'} Hz",
             f"IMUs in every recording: {', '.join(check.segments) or '-'}",
             f"angles in every recording: {', '.join(check.angles) or '-'}"]
    if not check.table.empty:
        lines.append(check.table.to_string(index=False))
    lines.append(f"{len(entries) - check.invalid} of {len(entries)} recordings valid" + (f"; {len(check.problems)} problems:" if check.problems else ""))
    lines += [f"  {p}" for p in check.problems]
    return "\n".join(lines)
