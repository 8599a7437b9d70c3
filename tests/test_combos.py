import json

from trainer.approaches import ExperimentConfig
from trainer.combos import combinations, run_combos
from trainer.fit import FitSettings
from trainer.synth.dataset import synthesize_dataset


def test_combinations_cover_every_subset_in_bounds():
    assert len(combinations(smallest=1, largest=4)) == 15
    assert ("femur", "calcn") in combinations(smallest=2, largest=2)


def test_combos_rank_and_resume(tmp_path):
    data = synthesize_dataset(tmp_path / "ds", subjects=2, minutes=1.0, seed=1, jobs=1)
    config = ExperimentConfig(fit=FitSettings(epochs=2, patience=2))
    ranking, report = run_combos(data, tmp_path / "out", config, "single-user", ["S01"], smallest=1, largest=1)
    assert [j["status"] for j in report["jobs"]] == ["done"] * 4
    assert sorted(ranking["overall"]) == ["calcn", "femur", "pelvis", "tibia"]
    assert set(ranking["per_joint"]) == {"hip_flexion_r", "hip_adduction_r", "hip_rotation_r", "knee_angle_r", "ankle_angle_r"}
    first = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("combos/*/runs/*/*.json")}
    assert len(first) == 4
    again, report = run_combos(data, tmp_path / "out", config, "single-user", ["S01"], smallest=1, largest=1)
    assert all(j["attempts"] == 0 for j in report["jobs"])  # all done before: nothing ran
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("combos/*/runs/*/*.json")} == first
    assert again["overall"] == ranking["overall"]
    assert "| 1 |" in (tmp_path / "out" / "combos.md").read_text()
    assert json.loads((tmp_path / "out" / "combos.json").read_text())["overall"] == ranking["overall"]
    from trainer.report import build_report

    page = build_report(tmp_path / "out").read_text()
    assert "IMU combinations" in page and "data:image/png;base64," in page
