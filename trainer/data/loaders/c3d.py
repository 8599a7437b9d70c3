"""C3D motion-capture files through `ezc3d`: joint-angle POINT channels mapped to OpenSim names.

Conventions (which component of e.g. `RKneeAngles` is which angle; the senses were checked on
real data and match the recording contract, so no sign is flipped):
- `plug-in-gait` (Vicon Nexus): x = flexion(+)/extension, y = adduction(+)/abduction,
  z = internal(+)/external rotation; ankle x = dorsiflexion(+). Left-side angles are mirrored by
  the model, so the same senses hold on both legs.
- `gaittoolbox` (gait-tech toolbox exports): YXZ Cardan angles, so y = flexion(+), x =
  adduction(+), z = rotation; ankle y = dorsiflexion(+). Checked on the shared S02 trial: knee y
  spans about -5..63 deg, hip x is more abducted in swing than in stance on both legs.
- `auto`: the component of KneeAngles with the widest range is the flexion axis, which tells the
  two apart.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..recording import Recording
from ..schema import TIME

CONVENTIONS = {
    "plug-in-gait": {"Hip": {0: "hip_flexion", 1: "hip_adduction", 2: "hip_rotation"},
                     "Knee": {0: "knee_angle"}, "Ankle": {0: "ankle_angle"}},
    "gaittoolbox": {"Hip": {1: "hip_flexion", 0: "hip_adduction", 2: "hip_rotation"},
                    "Knee": {1: "knee_angle"}, "Ankle": {1: "ankle_angle"}},
}
JOINTS = ("Hip", "Knee", "Ankle")


def _find_label(labels: list[str], wanted: str) -> int | None:
    """Index of `wanted`, allowing a `Subject:` prefix as Nexus writes it."""
    for i, label in enumerate(labels):
        if label.strip() == wanted or label.strip().split(":")[-1] == wanted:
            return i
    return None


def open_c3d(path: Path):
    """(the ezc3d object, POINT parameters, labels, point rate) — or a DataError naming the file."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "no such file")
    import ezc3d

    try:
        c3d = ezc3d.c3d(str(path))
    except Exception as exc:  # ezc3d raises plain RuntimeError/IOError on damaged files
        raise DataError(path, f"not a readable C3D file ({exc})") from None
    params = c3d["parameters"]["POINT"]
    return c3d, params, list(params["LABELS"]["value"]), float(np.ravel(params["RATE"]["value"])[0])


def load_c3d_angles(path: Path, subject: str, activity: str, convention: str = "auto", opened=None) -> Recording:
    """`opened`: what `open_c3d(path)` returned, when the caller has the file open already."""
    path = Path(path)
    c3d, params, labels, rate = opened or open_c3d(path)
    points = c3d["data"]["points"]  # (4, n_labels, n_frames)
    found = {(side, joint): _find_label(labels, f"{side}{joint}Angles") for side in "RL" for joint in JOINTS}
    if all(index is None for index in found.values()):
        shown = ", ".join(labels[:12]) + (", ..." if len(labels) > 12 else "")
        raise DataError(path, f"no joint-angle labels (expected Plug-in-Gait names such as RKneeAngles); "
                              f"labels present: {shown}")
    if convention == "auto":
        knee = found.get(("R", "Knee")) if found.get(("R", "Knee")) is not None else found.get(("L", "Knee"))
        if knee is None:
            raise DataError(path, "cannot tell the angle convention without KneeAngles; pass --convention")
        convention = "plug-in-gait" if np.nanargmax(np.ptp(points[:3, knee, :], axis=1)) == 0 else "gaittoolbox"
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown C3D angle convention {convention!r}; expected auto or {', '.join(CONVENTIONS)}")
    units = params.get("ANGLE_UNITS", {}).get("value", ["deg"])
    to_degrees = np.rad2deg if units and str(units[0]).lower().startswith("rad") else (lambda x: x)

    n_frames = points.shape[2]
    data = {TIME: np.arange(n_frames) / rate}
    for (side, joint), index in found.items():
        if index is None:
            continue
        for component, base in CONVENTIONS[convention][joint].items():
            data[f"{base}_{side.lower()}"] = to_degrees(points[component, index, :]).astype(np.float32)
    first = int(c3d["header"]["points"]["first_frame"])
    return Recording(data=pd.DataFrame(data), subject=subject, activity=activity, sample_rate=rate,
                     source="c3d", extra={"file": path.name, "convention": convention, "first_frame": first})
