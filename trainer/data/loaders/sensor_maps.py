"""Which sensor sits on which segment, from a map file: ours (`SENSORID=segment` lines) or
OpenSense's IMU mapping XML, as OpenSim users already have one per study.

OpenSense (`XsensDataReaderSettings`) names each sensor by the end of its file name (`_00B421AF`
for `..._00B421AF.txt`) and places it on a model frame `<body>_imu`. Bodies of the Rajagopal /
gait models map one to one to our segments; OpenSim bodies we do not model (torso, arms, talus,
toes) are left out and reported, and anything else is an error, since a typo there would
otherwise drop a sensor silently.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..schema import SEGMENTS
from .xsens import parse_sensor_map

# OpenSim bodies of the full-body models that carry no kinedge segment: their sensors are skipped.
OTHER_OPENSIM_BODIES = ("torso", "head", "talus_r", "talus_l", "toes_r", "toes_l", "humerus_r", "humerus_l",
                        "ulna_r", "ulna_l", "radius_r", "radius_l", "hand_r", "hand_l")


@dataclass
class SensorMap:
    segments: dict                                    # sensor id (upper case) -> segment
    ignored: dict = field(default_factory=dict)       # sensor id -> OpenSim frame we do not use
    trial_prefix: str | None = None                   # OpenSense's file-name prefix, when given


def frame_to_segment(frame: str, sensor: str, path: Path) -> str | None:
    """`femur_r_imu` → `femur_r`; None for an OpenSim body we do not model."""
    body = frame[:-len("_imu")] if frame.endswith("_imu") else frame
    if body in SEGMENTS:
        return body
    if body in OTHER_OPENSIM_BODIES:
        return None
    raise DataError(path, f"sensor {sensor}: unknown model frame {frame!r}; expected <body>_imu with body one of "
                          f"{', '.join(SEGMENTS)} (or an upper-body OpenSim body, which is skipped)")


def read_opensense_xml(path: Path) -> SensorMap:
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise DataError(path, f"not well-formed XML ({exc})") from None
    sensors = root.findall(".//ExperimentalSensor")
    if not sensors:
        raise DataError(path, "no <ExperimentalSensor> elements: not an OpenSense IMU mapping file")
    segments, ignored = {}, {}
    for element in sensors:
        sensor = (element.get("name") or "").strip().lstrip("_").upper()
        frame = (element.findtext("name_in_model") or "").strip()
        if not sensor or not frame:
            raise DataError(path, "an <ExperimentalSensor> lacks its name attribute or <name_in_model>")
        segment = frame_to_segment(frame, sensor, path)
        if segment is None:
            ignored[sensor] = frame
            continue
        if segment in segments.values():
            raise DataError(path, f"segment {segment} is given to two sensors")
        segments[sensor] = segment
    prefix = root.findtext(".//trial_prefix")
    return SensorMap(segments, ignored, prefix.strip() if prefix else None)


def read_map_lines(path: Path) -> SensorMap:
    items = [line.split("#")[0].strip() for line in Path(path).read_text().splitlines()]
    try:
        return SensorMap(parse_sensor_map([item for item in items if item]))
    except ValueError as exc:
        raise DataError(path, str(exc)) from None


def read_map_file(path: Path) -> SensorMap:
    """Either format, told apart by content (OpenSense files are XML whatever they are named)."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "no such map file")
    head = path.read_text(errors="replace").lstrip()[:1]
    return read_opensense_xml(path) if head == "<" else read_map_lines(path)
