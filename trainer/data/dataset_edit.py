"""Growing a data set one recording at a time: `kinedge data import --into` and `kinedge data add`.

A data set is a folder of Parquet recordings plus `manifest.json` (see `store.py`). A trial is
known by (subject, trial); adding the same one twice is an error unless `replace` is asked for,
so a re-run of an import script never doubles a person's data silently.

Order of writes, so an interruption never leaves the manifest pointing at a missing or half-written
file: each recording is written to a temporary file, the new manifest to another, then the
recordings are renamed into place and the manifest last. The worst an interruption can leave is a
complete recording the manifest does not list yet; `data info` reports such files.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .errors import DataError
from .recording import Recording
from .store import FORMAT_VERSION, MANIFEST, manifest_entry, recording_filename, write_recording
from .validate import DEFAULT_GAP_LIMIT_S, validate


def trial_of(recording: Recording) -> str:
    return str(recording.extra.get("trial", recording.activity))


def with_trial(recording: Recording, trial: str | None) -> Recording:
    """The recording with its trial name set (the data set's key together with the subject)."""
    if not trial:
        return recording
    return recording.replace(extra={**recording.extra, "trial": trial})


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        if Path(folder).exists() and any(Path(folder).iterdir()):
            raise DataError(folder, f"exists but is not a data set (no {MANIFEST}); choose a new folder")
        return {"format_version": FORMAT_VERSION, "description": {}, "recordings": []}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON ({exc})") from None


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def add_recordings(folder: Path, recordings: list[tuple[Recording, str]], replace: bool = False,
                   gap_limit_s: float = DEFAULT_GAP_LIMIT_S) -> list[dict]:
    """Add recordings to the data set in `folder` (created if absent), all or nothing.

    Each item is (recording, where it came from) — the origin only names the culprit in errors.
    Returns the manifest entries written.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    entries = list(manifest.get("recordings", []))
    by_key = {(e["subject"], str(e.get("trial", Path(e["file"]).stem))): i for i, e in enumerate(entries)}
    planned, seen = [], {}
    for recording, origin in recordings:
        validate(recording, source=origin, gap_limit_s=gap_limit_s)
        key = (recording.subject, trial_of(recording))
        if key in seen:
            raise DataError(origin, f"subject {key[0]} trial {key[1]} is also given by {seen[key]}")
        seen[key] = origin
        if key in by_key and not replace:
            raise DataError(origin, f"the data set {folder} already has subject {key[0]} trial {key[1]} "
                                    f"({entries[by_key[key]]['file']}); pass --replace to overwrite it")
        planned.append((recording, key))

    folder.mkdir(parents=True, exist_ok=True)
    files = {e["file"]: key for key, i in by_key.items() for e in [entries[i]]}
    temps = []
    try:
        for recording, key in planned:
            name = recording_filename(recording)
            if files.get(name, key) != key:
                raise DataError(name, f"subject {key[0]} trial {key[1]} would overwrite the file of subject "
                                      f"{files[name][0]} trial {files[name][1]}; rename the trial")
            files[name] = key
            entry = {**manifest_entry(recording, name), "trial": key[1]}
            if key in by_key:
                entries[by_key[key]] = entry
            else:
                by_key[key] = len(entries)
                entries.append(entry)
            tmp = _temp_beside(folder / name)
            temps.append((tmp, folder / name))
            write_recording(recording, tmp)
        manifest_tmp = _temp_beside(folder / MANIFEST)
        temps.append((manifest_tmp, folder / MANIFEST))
        manifest_tmp.write_text(json.dumps({**manifest, "recordings": entries}, indent=1))
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return [entries[by_key[key]] for _, key in planned]
