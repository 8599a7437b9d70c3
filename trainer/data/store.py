"""Recordings on disk: one Parquet file per trial, a data set = folder of them + `manifest.json`.

The recording's metadata travels inside the Parquet file (schema metadata key `kinedge`), so a
single file is self-describing; the manifest is an index for listing and selecting trials.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .atomic import atomic_dir, atomic_path, write_text_atomic
from .errors import DataError
from .recording import Recording
from .validate import validate

FORMAT_VERSION = 1
META_KEY = b"kinedge"
MANIFEST = "manifest.json"


def write_recording(recording: Recording, path: Path) -> Path:
    path = Path(path)
    table = pa.Table.from_pandas(recording.data, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps({"format_version": FORMAT_VERSION, **recording.meta()}).encode()
    table = table.replace_schema_metadata(meta)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return path


def read_recording(path: Path, check: bool = True) -> Recording:
    path = Path(path)
    if not path.exists():
        raise DataError(path, "no such file")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError(path, f"not a readable Parquet file ({exc})") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise DataError(path, "Parquet file has no kinedge metadata; import it with `kinedge data import`")
    meta = json.loads(raw)
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise DataError(path, f"written by a newer kinedge (format {meta['format_version']}); please upgrade")
    recording = Recording(
        data=table.to_pandas(),
        subject=meta["subject"], activity=meta["activity"], sample_rate=float(meta["sample_rate"]),
        source=meta["source"], extra=meta.get("extra", {}),
    )
    # A recording imported with a wider --gap-limit carries it, so it stays readable everywhere.
    gap_limit = recording.extra.get("gap_limit_s")
    return (validate(recording, source=path, **({"gap_limit_s": gap_limit} if gap_limit else {}))
            if check else recording)


def manifest_entry(recording: Recording, file: str) -> dict:
    return {
        "file": file,
        "subject": recording.subject,
        "activity": recording.activity,
        "trial": recording.extra.get("trial", Path(file).stem),
        "sample_rate": recording.sample_rate,
        "n_samples": recording.n_samples,
        "duration_s": round(recording.duration, 3),
        "segments": recording.segments,
        "angles": recording.angles,
        "source": recording.source,
    }


def recording_filename(recording: Recording) -> str:
    trial = recording.extra.get("trial", recording.activity)
    return f"{recording.subject}_{trial}.parquet"


def write_dataset(recordings, folder: Path, description: dict | None = None, overwrite: bool = False) -> Path:
    """Write recordings and their manifest into `folder`, all or nothing."""
    folder = Path(folder)
    with atomic_dir(folder, overwrite=overwrite) as tmp:
        entries = []
        for recording in recordings:
            name = recording_filename(recording)
            if any(e["file"] == name for e in entries):
                raise ValueError(f"two recordings would both be written as {name}")
            validate(recording, source=name)
            write_recording(recording, tmp / name)
            entries.append(manifest_entry(recording, name))
        manifest = {"format_version": FORMAT_VERSION, "description": description or {}, "recordings": entries}
        write_text_atomic(tmp / MANIFEST, json.dumps(manifest, indent=1))
    return folder


class Dataset:
    """A folder of recordings described by its manifest."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        path = self.folder / MANIFEST
        if not path.exists():
            raise DataError(self.folder, f"not a data set: no {MANIFEST} (create one with `kinedge data synth`, "
                                         f"`kinedge data build --plan`, `kinedge data import ... --into` or "
                                         f"`kinedge data add`)")
        self.manifest_bytes = path.read_bytes()
        try:
            self.manifest = json.loads(self.manifest_bytes)
        except json.JSONDecodeError as exc:
            raise DataError(path, f"not valid JSON ({exc})") from None
        self.entries = self.manifest.get("recordings", [])

    @property
    def subjects(self) -> list[str]:
        return sorted({e["subject"] for e in self.entries})

    def load(self, subjects=None, activities=None) -> list[Recording]:
        chosen = [e for e in self.entries
                  if (subjects is None or e["subject"] in subjects)
                  and (activities is None or e["activity"] in activities)]
        return [self._recording(e) for e in chosen]

    def _recording(self, entry: dict) -> Recording:
        return read_recording(self.folder / entry["file"])

    def summary(self) -> pd.DataFrame:
        rows = pd.DataFrame(self.entries)
        if rows.empty:
            return rows
        return (rows.groupby("subject")
                .agg(trials=("file", "count"), minutes=("duration_s", lambda s: round(s.sum() / 60, 2)),
                     activities=("activity", lambda s: ",".join(sorted(set(s)))))
                .reset_index())


class LoadedDataset(Dataset):
    """A data set read into memory once, with its manifest: what an executor ships to its workers
    (trainer/executors.py), which then never touch the folder — it need not exist where they run."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.recordings = {e["file"]: super(LoadedDataset, self)._recording(e) for e in self.entries}

    def _recording(self, entry: dict) -> Recording:
        return self.recordings[entry["file"]]


def segments_and_angles(recordings) -> tuple[list[str], list[str]]:
    """Segments and angles present in every one of `recordings`."""
    segments = [s for s in schema.SEGMENTS if all(s in r.segments for r in recordings)]
    angles = [a for a in schema.ANGLES if all(a in r.angles for r in recordings)]
    return segments, angles
