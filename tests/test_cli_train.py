import pytest

from test_cli_data import assert_one_line_error, run
from trainer.synth.dataset import synthesize_dataset


# Made once for the module, in this process: `data synth` through the CLI is tested in test_cli_data.
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """3 people x 0.3 minutes over 7 trials: each trial hardly more than its standing start."""
    return synthesize_dataset(tmp_path_factory.mktemp("tiny") / "ds", subjects=3, minutes=0.3)


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """3 people x 1 minute."""
    return synthesize_dataset(tmp_path_factory.mktemp("short") / "ds", subjects=3, minutes=1.0)


def test_train_help_lists_the_approaches():
    result = run("train", "--help")
    assert all(a in result.stdout for a in ("single-user", "multi-user", "transfer"))


def test_unknown_subject_is_one_line(tiny, tmp_path):
    result = run("train", "single-user", tiny, "--out", tmp_path / "r", "--subject", "S99")
    assert_one_line_error(result, "subject S99 is not in", "S01, S02, S03")


def test_unknown_placement_is_one_line(tiny, tmp_path):
    result = run("train", "multi-user", tiny, "--out", tmp_path / "r", "--imus", "femur,shoe")
    assert result.returncode == 2 and "unknown placement shoe" in result.stderr


def test_report_of_an_empty_folder_is_one_line(tmp_path):
    assert_one_line_error(run("report", tmp_path), "has no results yet")


def test_too_short_data_is_one_line(short, tmp_path):
    result = run("train", "single-user", short, "--out", tmp_path / "r", "--subject", "S01", "--window", "200")
    assert_one_line_error(result, "S01: the 70%-80% part of the trials is shorter than one window")


def test_data_too_short_to_calibrate_is_one_line(tiny, tmp_path):
    result = run("train", "single-user", tiny, "--out", tmp_path / "r", "--subject", "S01")
    assert_one_line_error(result, "S01: cannot calibrate (only 0.0 s of walking")


def test_results_folder_of_another_configuration_is_refused(short, tmp_path):
    first = run("train", "single-user", short, "--out", tmp_path / "r", "--subject", "S01", "--epochs", "1")
    assert first.returncode == 0, first.stderr
    second = run("train", "single-user", short, "--out", tmp_path / "r", "--subject", "S01", "--window", "32")
    assert_one_line_error(second, "another configuration")
