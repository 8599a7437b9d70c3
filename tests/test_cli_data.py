"""`kinedge data ...` as a user runs it: the installed console script in a subprocess."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from test_c3d import ADD, write_c3d
from test_opensim import NAMES, write_mot
from test_xsens import write_export

KINEDGE = Path(sys.executable).with_name("kinedge")


def run(*args, cwd=None):
    return subprocess.run([str(KINEDGE), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "120"})


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_help_explains_the_commands():
    result = run("--help")
    assert result.returncode == 0 and "demo" in result.stdout and "data" in result.stdout
    result = run("data", "import", "xsens", "--help")
    assert "--map" in result.stdout and "--reference" in result.stdout


def test_synth_then_info(tmp_path):
    result = run("data", "synth", tmp_path / "ds", "--subjects", "2", "--minutes", "0.5", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "2 subjects, 14 recordings" in result.stdout
    info = run("data", "info", tmp_path / "ds")
    assert info.returncode == 0 and "S02" in info.stdout
    again = run("data", "synth", tmp_path / "ds", "--subjects", "1", "--minutes", "0.5")
    assert_one_line_error(again, "already exists", "--force")
    one = next((tmp_path / "ds").glob("S01_walk_1p00.parquet"))
    shown = run("data", "info", one)
    assert "subject S01" in shown.stdout and "knee_angle_r" in shown.stdout


def test_truncated_xsens_export_fails_with_one_line(walk_recording, tmp_path):
    path = write_export(tmp_path / "Walk-000_00B40C48.txt", walk_recording, "calcn_r", 100)
    path.write_text(path.read_text()[:-40])
    result = run("data", "import", "xsens", path, "--map", "00B40C48=calcn_r", "--subject", "S1",
                 "--out", tmp_path / "out.parquet")
    assert_one_line_error(result, "Walk-000_00B40C48.txt", "frame 1199", "truncated")
    assert not (tmp_path / "out.parquet").exists()


def test_mot_with_missing_column_fails_with_one_line(walk_recording, tmp_path):
    path = write_mot(tmp_path / "ik.mot", walk_recording, NAMES, drop_last_value=True)
    result = run("data", "import", "mot", path, "--subject", "S1", "--out", tmp_path / "out.parquet")
    assert_one_line_error(result, "ik.mot", "frame 7", "3 values for 4 columns")


def test_c3d_without_angles_fails_with_one_line(tmp_path):
    path = write_c3d(tmp_path / "markers.c3d", {"LASI": (ADD, ADD, ADD)})
    result = run("data", "import", "c3d", path, "--subject", "S1", "--out", tmp_path / "out.parquet")
    assert_one_line_error(result, "markers.c3d", "no joint-angle labels")


def test_csv_with_gyro_in_degrees_fails_with_one_line(walk_recording, tmp_path):
    table = walk_recording.data[["time", *[c for c in walk_recording.data if c.startswith("tibia_r")]]].copy()
    for axis in "xyz":
        table[f"tibia_r_gyr_{axis}"] = np.rad2deg(table[f"tibia_r_gyr_{axis}"])
    table.to_csv(tmp_path / "shank.csv", index=False)
    result = run("data", "import", "table", tmp_path / "shank.csv", "--subject", "S1", "--out", tmp_path / "o.parquet")
    assert_one_line_error(result, "o.parquet", "tibia_r_gyr_", "deg/s")
    assert not (tmp_path / "o.parquet").exists()


def test_csv_round_trip_through_import(walk_recording, tmp_path):
    walk_recording.data.iloc[:300].to_csv(tmp_path / "ok.csv", index=False)
    result = run("data", "import", "table", tmp_path / "ok.csv", "--subject", "S1", "--activity", "walk",
                 "--resample", "50", "--out", tmp_path / "ok.parquet")
    assert result.returncode == 0, result.stderr
    assert "150 samples at 50 Hz" in result.stdout


def test_unknown_csv_column_is_an_error_unless_dropped(walk_recording, tmp_path):
    walk_recording.data.iloc[:200].assign(frame=range(200)).to_csv(tmp_path / "extra.csv", index=False)
    result = run("data", "import", "table", tmp_path / "extra.csv", "--subject", "S1", "--out", tmp_path / "x.parquet")
    assert_one_line_error(result, "column 'frame'", "unknown column")
    result = run("data", "import", "table", tmp_path / "extra.csv", "--subject", "S1", "--drop", "frame",
                 "--out", tmp_path / "x.parquet")
    assert result.returncode == 0, result.stderr
