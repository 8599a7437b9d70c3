"""Segment poses from a C3D: each segment's origin and three axis points, as Vicon's
Plug-in-Gait model writes them ("bones": `RFEO` origin, `RFEA` anterior, `RFEL` lateral/left,
`RFEP` proximal) and as the gait-tech toolbox does (`RFEO` origin, `qRTHX/Y/Z` axis points).

Both put the origin of a segment at its distal joint (femur at the knee, tibia at the ankle, foot
at the toe; the pelvis at its middle), with x anterior, y to the left and z proximal, so a pose
is origin + rotation and the joint centres come with it: hip = the femur's proximal end, knee =
femur origin, ankle = tibia origin. Raw markers (LASI, LKNE, ...) need the Plug-in-Gait model
itself to become poses; run it in Nexus first.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .c3d import open_c3d

# segment -> (origin label, (x, y, z) axis-point labels) for each layout.
LAYOUTS = {
    "plug-in-gait": {
        "pelvis": ("PELO", ("PELA", "PELL", "PELP")),
        **{f"{seg}_{s}": (f"{S}{code}O", (f"{S}{code}A", f"{S}{code}L", f"{S}{code}P"))
           for s, S in (("r", "R"), ("l", "L")) for seg, code in (("femur", "FE"), ("tibia", "TI"), ("calcn", "FO"))},
    },
    "gaittoolbox": {
        "pelvis": ("MIDPEL", ("qRPVX", "qRPVY", "qRPVZ")),
        **{f"{seg}_{s}": (origin.format(S=S), tuple(f"q{S}{code}{a}" for a in "XYZ"))
           for s, S in (("r", "R"), ("l", "L"))
           for seg, origin, code in (("femur", "{S}FEO", "TH"), ("tibia", "{S}TIO", "SK"), ("calcn", "{S}TOE", "FT"))},
    },
}
# Joint centres, when the file has them (the hip is not a segment origin in either layout).
HIP_LABELS = {"r": ("RFEP", "RHJC", "RHipJC"), "l": ("LFEP", "LHJC", "LHipJC")}


@dataclass
class SegmentPoses:
    path: Path
    rate: float
    layout: str
    rotations: dict      # segment -> (T, 3, 3), columns = segment axes in the lab frame
    origins: dict        # segment -> (T, 3) metres
    hips: dict           # side -> (T, 3) metres, where known
    up: np.ndarray       # the lab's vertical (unit vector), found from the data
    first_frame: int


def _label_index(labels: list[str]) -> dict:
    index = {}
    for i, label in enumerate(labels):
        index.setdefault(label.strip().split(":")[-1], i)
    return index


def _track(points: np.ndarray, i: int, label: str, path: Path, gap_limit: int) -> np.ndarray:
    """One point's (T, 3) track in metres; short dropouts interpolated, long ones an error."""
    xyz = points[:3, i, :].T.astype(float)
    missing = np.isnan(xyz).any(axis=1)
    if points.shape[0] > 3:
        missing |= points[3, i, :] < 0  # a negative residual marks an invalid sample
    if missing.all():
        raise DataError(path, "no valid frames", column=label)
    if missing.any():
        runs = np.flatnonzero(np.diff(np.concatenate([[0], missing.astype(int), [0]])))
        for start, stop in zip(runs[::2], runs[1::2]):
            if stop - start > gap_limit or start == 0 or stop == len(xyz):
                raise DataError(path, f"{stop - start} frames missing (at most {gap_limit} inside the trial "
                                      f"are interpolated)", column=label, frame=int(start))
        good = ~missing
        frames = np.arange(len(xyz))
        xyz = np.column_stack([np.interp(frames, frames[good], xyz[good, k]) for k in range(3)])
    return xyz


def _rotation(origin: np.ndarray, axes: list[np.ndarray]) -> np.ndarray:
    """Nearest rotation (polar decomposition) to the frame spanned by the axis points."""
    M = np.stack([a - origin for a in axes], axis=-1)                   # (T, 3, 3), columns = axes
    M /= np.linalg.norm(M, axis=1, keepdims=True)
    u, _, vt = np.linalg.svd(M)
    R = u @ vt
    if (np.linalg.det(R) < 0).any():
        raise DataError("axes", "segment axis points form a left-handed frame")
    return R


def read_segment_poses(path: Path, gap_limit_s: float = 0.1, opened=None) -> SegmentPoses:
    """`opened`: what `open_c3d(path)` returned, when the caller has the file open already."""
    path = Path(path)
    c3d, params, labels, rate = opened or open_c3d(path)
    declared = np.ravel(params.get("UNITS", {}).get("value", []))
    units = str(declared[0]).strip().lower() if declared.size else "mm"   # C3D's default unit
    scale = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}.get(units)
    if scale is None:
        raise DataError(path, f"unknown POINT:UNITS {units!r}; expected mm, cm or m")
    points = c3d["data"]["points"]
    index = _label_index(labels)
    gap_limit = int(round(gap_limit_s * rate))
    for layout, table in LAYOUTS.items():
        present = {s: spec for s, spec in table.items() if spec[0] in index and all(a in index for a in spec[1])}
        if present:
            break
    else:
        raise DataError(path, "no segment poses: expected Plug-in-Gait bones (e.g. RFEO, RFEA, RFEL, RFEP) or "
                              "origin + axis points (RFEO, qRTHX, qRTHY, qRTHZ); raw markers need the "
                              "Plug-in-Gait model run first")
    track = lambda label: _track(points, index[label], label, path, gap_limit) * scale
    rotations, origins = {}, {}
    for segment, (origin_label, axis_labels) in present.items():
        origin, axes = track(origin_label), [track(a) for a in axis_labels]
        try:
            rotations[segment] = _rotation(origin, axes)
        except DataError as exc:
            raise DataError(path, exc.problem, column=axis_labels[0]) from None
        origins[segment] = origin
    hips = {side: track(next(l for l in names if l in index))
            for side, names in HIP_LABELS.items() if any(l in index for l in names)}
    # The lab's vertical: the axis along which the pelvis is highest above the feet.
    top = origins.get("pelvis", next(iter(origins.values())))
    feet = [origins[s] for s in ("calcn_r", "calcn_l", "tibia_r", "tibia_l") if s in origins]
    if not feet:
        raise DataError(path, "no foot or shank pose to tell which way is up")
    height = (top - np.mean(feet, axis=0)).mean(axis=0)
    k = int(np.argmax(np.abs(height)))
    up = np.zeros(3)
    up[k] = np.sign(height[k])
    first = int(c3d["header"]["points"]["first_frame"])
    return SegmentPoses(path, rate, layout, rotations, origins, hips, up, first)
