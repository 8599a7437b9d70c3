import json

import numpy as np
import pytest

from trainer.approaches import ExperimentConfig, People, single_user
from trainer.bundle import load_bundle, make_card, read_card, write_bundle
from trainer.data.errors import DataError
from trainer.fit import FitSettings, predict


@pytest.fixture(scope="module")
def trained_bundle(tmp_path_factory, walk_recording):
    config = ExperimentConfig(fit=FitSettings(epochs=2))
    trained = single_user(config, People({"T01": [walk_recording]}, config), "T01")
    folder = write_bundle(tmp_path_factory.mktemp("b") / "bundle", trained.model,
                          make_card(config, trained, 100.0, {"dataset": "test"}, None), trained.calibration)
    return config, trained, folder


def test_bundle_reloads_the_same_model(trained_bundle, walk_recording):
    config, trained, folder = trained_bundle
    model, card, normalizer = load_bundle(folder)
    x = trained.normalizer.apply(np.random.default_rng(0).normal(size=(4, config.window, 16)).astype(np.float32))
    np.testing.assert_array_equal(predict(model, x), predict(trained.model, x))
    np.testing.assert_array_equal(normalizer.mean, trained.normalizer.mean)
    assert card["channels"][:3] == ["femur_r_acc_x", "femur_r_acc_y", "femur_r_acc_z"]
    assert card["features"][6:8] == ["femur_r_pitch", "femur_r_roll"]
    assert card["physics"] == ["femur_r_pitch", "femur_r_roll", "calcn_r_pitch", "calcn_r_roll"]
    assert card["outputs"][3] == {"name": "knee_angle_r", "unit": "deg"}
    assert card["embedding_size"] == 64 and card["window"] == 64 and card["sample_rate"] == 100.0
    head = np.load(folder / "head.npz")
    assert head["kernel"].shape == (64 + 4, 5) and head["bias"].dtype == np.float32
    # The bundle carries its person's calibration.
    from trainer.bundle import read_calibration

    np.testing.assert_allclose(read_calibration(folder).rotations, trained.calibration.rotations, atol=1e-6)


def test_card_with_a_missing_field_is_named(trained_bundle, tmp_path):
    _, _, folder = trained_bundle
    card = json.loads((folder / "card.json").read_text())
    del card["hop"]
    (tmp_path / "card.json").write_text(json.dumps(card))
    with pytest.raises(DataError, match=r"card.json, column 'hop': missing field"):
        read_card(tmp_path)


def test_card_inconsistent_with_its_model_is_refused(trained_bundle, tmp_path):
    import shutil

    _, _, folder = trained_bundle
    shutil.copytree(folder, tmp_path / "b")
    card = json.loads((tmp_path / "b" / "card.json").read_text())
    card["model_hash"] = "0" * 64
    (tmp_path / "b" / "card.json").write_text(json.dumps(card))
    with pytest.raises(DataError, match="do not match the card's model_hash"):
        load_bundle(tmp_path / "b")
