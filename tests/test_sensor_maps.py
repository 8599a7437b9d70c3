"""Sensor maps: our SENSORID=segment lines and OpenSense's IMU mapping XML give the same recording."""
import pytest

from conftest import shared
from test_cli_data import assert_one_line_error, run
from trainer.data.errors import DataError
from trainer.data.loaders.sensor_maps import read_map_file

S02_SENSORS = {"00B40B91": "pelvis", "00B40C45": "femur_l", "00B40C3C": "femur_r", "00B40C44": "tibia_l",
               "00B40C47": "tibia_r", "00B40C55": "calcn_l", "00B40C48": "calcn_r"}


def opensense_xml(path, sensors: dict, extra: str = ""):
    body = "".join(f"\n      <ExperimentalSensor name=\"_{sid}\">\n        <name_in_model>{segment}_imu</name_in_model>\n"
                   f"      </ExperimentalSensor>" for sid, segment in sensors.items())
    path.write_text("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<OpenSimDocument Version=\"40000\">\n"
                    "  <XsensDataReaderSettings>\n    <ExperimentalSensors>" + body + extra +
                    "\n    </ExperimentalSensors>\n    <trial_prefix>S02-Trial-Walk-1-000_</trial_prefix>\n"
                    "  </XsensDataReaderSettings>\n</OpenSimDocument>\n")
    return path


def test_xml_and_lines_read_alike(tmp_path):
    xml = read_map_file(opensense_xml(tmp_path / "map.xml", S02_SENSORS,
                                      "<ExperimentalSensor name=\"_00B40C49\"><name_in_model>torso_imu</name_in_model>"
                                      "</ExperimentalSensor>"))
    (tmp_path / "map.txt").write_text("# S02\n" + "\n".join(f"{k}={v}" for k, v in S02_SENSORS.items()) + "\n")
    lines = read_map_file(tmp_path / "map.txt")
    assert xml.segments == lines.segments == S02_SENSORS
    assert xml.ignored == {"00B40C49": "torso_imu"} and xml.trial_prefix == "S02-Trial-Walk-1-000_"


@pytest.mark.parametrize("frame, fragment", [("thigh_r_imu", "unknown model frame 'thigh_r_imu'"),
                                             ("femur_r_imu", "segment femur_r is given to two sensors")])
def test_bad_xml_frames_are_errors(tmp_path, frame, fragment):
    path = opensense_xml(tmp_path / "map.xml", {"00B40C3C": "femur_r", "00B40C48": frame[:-4]})
    with pytest.raises(DataError, match=fragment):
        read_map_file(path)


def test_s02_with_the_opensense_xml_is_the_recording_of_map(tmp_path):
    folder = shared("gaittoolbox-s02-walk", "rawimu")
    files = sorted(folder.glob("*.txt"))
    xml = opensense_xml(tmp_path / "myIMUMappings.xml", S02_SENSORS,
                        "<ExperimentalSensor name=\"_00B40C4A\"><name_in_model>hand_r_imu</name_in_model>"
                        "</ExperimentalSensor>")
    by_xml = run("data", "import", "xsens", *files, "--map-file", xml, "--subject", "S02", "--out", tmp_path / "a.parquet")
    assert by_xml.returncode == 0, by_xml.stderr
    assert "00B40C4A (hand_r_imu)" in by_xml.stdout
    maps = [a for sid, segment in S02_SENSORS.items() for a in ("--map", f"{sid}={segment}")]
    by_map = run("data", "import", "xsens", *files, *maps, "--subject", "S02", "--out", tmp_path / "b.parquet")
    assert by_map.returncode == 0, by_map.stderr
    from trainer.data.store import read_recording

    a, b = read_recording(tmp_path / "a.parquet"), read_recording(tmp_path / "b.parquet")
    assert a.segments == b.segments == ["pelvis", "femur_r", "femur_l", "tibia_r", "tibia_l", "calcn_r", "calcn_l"]
    assert a.data.equals(b.data) and a.extra == b.extra


def test_unknown_frame_on_the_command_line_is_one_line(tmp_path, walk_recording):
    from test_xsens import write_export

    path = write_export(tmp_path / "Walk-000_00B40C48.txt", walk_recording, "calcn_r", 100)
    xml = opensense_xml(tmp_path / "map.xml", {"00B40C48": "foot_r"})
    result = run("data", "import", "xsens", path, "--map-file", xml, "--subject", "S1", "--out", tmp_path / "o.parquet")
    assert_one_line_error(result, "map.xml", "sensor 00B40C48", "unknown model frame 'foot_r_imu'")
