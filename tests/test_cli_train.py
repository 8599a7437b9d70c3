from test_cli_data import assert_one_line_error, run


def test_train_help_lists_the_approaches():
    result = run("train", "--help")
    assert all(a in result.stdout for a in ("single-user", "multi-user", "transfer"))


def test_unknown_subject_is_one_line(tmp_path):
    assert run("data", "synth", tmp_path / "ds", "--subjects", "3", "--minutes", "0.3", "--jobs", "1").returncode == 0
    result = run("train", "single-user", tmp_path / "ds", "--out", tmp_path / "r", "--subject", "S99")
    assert_one_line_error(result, "subject S99 is not in", "S01, S02, S03")


def test_unknown_placement_is_one_line(tmp_path):
    assert run("data", "synth", tmp_path / "ds", "--subjects", "3", "--minutes", "0.3", "--jobs", "1").returncode == 0
    result = run("train", "multi-user", tmp_path / "ds", "--out", tmp_path / "r", "--imus", "femur,shoe")
    assert result.returncode == 2 and "unknown placement shoe" in result.stderr


def test_report_of_an_empty_folder_is_one_line(tmp_path):
    assert_one_line_error(run("report", tmp_path), "has no results yet")


def test_too_short_data_is_one_line(tmp_path):
    assert run("data", "synth", tmp_path / "ds", "--subjects", "3", "--minutes", "1", "--jobs", "1").returncode == 0
    result = run("train", "single-user", tmp_path / "ds", "--out", tmp_path / "r", "--subject", "S01", "--window", "200")
    assert_one_line_error(result, "S01: the 70%-80% part of the trials is shorter than one window")


def test_data_too_short_to_calibrate_is_one_line(tmp_path):
    # 0.3 minutes over 7 trials: each one hardly more than its standing start.
    assert run("data", "synth", tmp_path / "ds", "--subjects", "3", "--minutes", "0.3", "--jobs", "1").returncode == 0
    result = run("train", "single-user", tmp_path / "ds", "--out", tmp_path / "r", "--subject", "S01")
    assert_one_line_error(result, "S01: cannot calibrate (only 0.0 s of walking")


def test_results_folder_of_another_configuration_is_refused(tmp_path):
    assert run("data", "synth", tmp_path / "ds", "--subjects", "3", "--minutes", "1", "--jobs", "1").returncode == 0
    first = run("train", "single-user", tmp_path / "ds", "--out", tmp_path / "r", "--subject", "S01", "--epochs", "1")
    assert first.returncode == 0, first.stderr
    second = run("train", "single-user", tmp_path / "ds", "--out", tmp_path / "r", "--subject", "S01", "--window", "32")
    assert_one_line_error(second, "another configuration")
