import json

import numpy as np
import pandas as pd
import pytest

from trainer.data.errors import DataError
from trainer.data.store import Dataset, read_recording, write_dataset, write_recording


def test_recording_round_trips_with_metadata(walk_recording, tmp_path):
    path = write_recording(walk_recording, tmp_path / "walk.parquet")
    back = read_recording(path)
    assert back.subject == walk_recording.subject and back.activity == "walk"
    assert back.sample_rate == 100.0 and back.source == "synthetic"
    assert back.extra["trial"] == walk_recording.extra["trial"]
    assert list(back.data.columns) == list(walk_recording.data.columns)
    np.testing.assert_array_equal(back.data.to_numpy(), walk_recording.data.to_numpy())


def test_failed_write_leaves_nothing_behind(walk_recording, tmp_path):
    bad = walk_recording.replace(extra={"not json": object()})
    with pytest.raises(TypeError):
        write_recording(bad, tmp_path / "walk.parquet")
    assert list(tmp_path.iterdir()) == []


def test_plain_parquet_without_metadata_is_refused(tmp_path):
    pd.DataFrame({"time": [0.0, 0.01]}).to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(DataError, match="plain.parquet: .*kinedge data import"):
        read_recording(tmp_path / "plain.parquet")


def test_dataset_is_written_whole_with_manifest(walk_recording, tmp_path):
    second = walk_recording.replace(subject="T02")
    folder = write_dataset([walk_recording, second], tmp_path / "ds", description={"kind": "test"})
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [e["subject"] for e in manifest["recordings"]] == ["T01", "T02"]
    dataset = Dataset(folder)
    assert dataset.subjects == ["T01", "T02"]
    assert [r.subject for r in dataset.load(subjects={"T02"})] == ["T02"]


def test_dataset_with_an_invalid_recording_is_not_written(walk_recording, tmp_path):
    broken = walk_recording.replace(subject="T02", sample_rate=10.0)
    with pytest.raises(DataError):
        write_dataset([walk_recording, broken], tmp_path / "ds")
    assert list(tmp_path.iterdir()) == []


def test_existing_dataset_is_not_overwritten_by_default(walk_recording, tmp_path):
    write_dataset([walk_recording], tmp_path / "ds")
    with pytest.raises(FileExistsError, match="--force"):
        write_dataset([walk_recording], tmp_path / "ds")
    write_dataset([walk_recording.replace(subject="T09")], tmp_path / "ds", overwrite=True)
    assert Dataset(tmp_path / "ds").subjects == ["T09"]
