import numpy as np
import pytest

from trainer.models import DEPLOYABLE, make_model
from trainer.models.cost import model_cost
from trainer.models.head import EMBEDDING_NAME, HEAD_NAME


PHYSICS = [6, 7, 14, 15]  # pitch and roll of two IMUs, 8 front-end features each


@pytest.mark.parametrize("imus", [2, 3, 4])
def test_edge_model_fits_the_device_budget(imus):
    model = make_model("edge", 64, 8 * imus, 5, np.zeros(5), np.ones(5), PHYSICS)
    cost = model_cost(model)
    assert cost["parameters"] <= 30_000 and cost["macs"] <= 300_000, cost


def test_edge_backbone_uses_only_layers_the_int8_engine_supports():
    from converter.backbone import backbone_layers

    model = make_model("edge", 64, 16, 5, np.zeros(5), np.ones(5), PHYSICS)
    kinds = {type(layer).__name__ for layer in backbone_layers(model)}
    assert kinds <= {"Conv2D", "DepthwiseConv2D", "Flatten", "Dense", "GaussianNoise"}, kinds
    assert model.get_layer(EMBEDDING_NAME).output_shape == (None, 64)
    # The head reads the embedding and the newest sample's physics features: 64 + 4 inputs.
    assert model.get_layer(HEAD_NAME).get_weights()[0].shape == (68, 5)
    assert DEPLOYABLE == {"edge"}


def test_the_head_reads_the_newest_samples_physics_features():
    from trainer.models.head import start_from_physics

    model = make_model("edge", 64, 16, 2, np.zeros(2), np.ones(2), PHYSICS)
    rng = np.random.default_rng(0)
    physics = rng.normal(size=(500, 4))
    targets = np.column_stack([3 * physics[:, 0] - physics[:, 2] + 1, physics[:, 1]])
    start_from_physics(model, physics, targets, ridge=0.0)
    kernel, bias = model.get_layer(HEAD_NAME).get_weights()
    np.testing.assert_allclose(kernel[-4:, 0], [3, 0, -1, 0], atol=1e-4)
    np.testing.assert_allclose(bias, [1, 0], atol=1e-4)
    # A window whose newest sample carries those physics values, and nothing else (embedding of a
    # zero window is whatever it is: zero its rows to see the physics path alone).
    kernel[:-4] = 0.0
    model.get_layer(HEAD_NAME).set_weights([kernel, bias])
    x = np.zeros((1, 64, 1, 16), np.float32)
    x[0, -1, 0, PHYSICS] = [1.0, 2.0, 0.5, 0.0]
    x[0, -2, 0, PHYSICS] = 9.0  # an older sample: not read by the head
    np.testing.assert_allclose(model.predict(x, verbose=0)[0], [3 - 0.5 + 1, 2.0], atol=1e-5)


def test_a_new_model_predicts_the_training_mean_in_degrees():
    mean, std = np.array([10.0, 2.0, 0.0, 25.0, -3.0]), np.array([12.0, 4.0, 4.0, 20.0, 8.0])
    model = make_model("edge", 64, 12, 5, mean, std)
    out = model.predict(np.zeros((3, 64, 1, 12), np.float32), verbose=0)
    assert out.shape == (3, 5)
    assert np.all(np.abs(out - mean).mean(axis=0) < 3 * std)


@pytest.mark.parametrize("name", ["paper-lstm", "paper-cnn"])
def test_paper_reference_models_build_and_cost_more(name):
    model = make_model(name, 64, 12, 5, np.zeros(5), np.ones(5))
    assert model.predict(np.zeros((2, 64, 1, 12), np.float32), verbose=0).shape == (2, 5)
    assert model_cost(model)["parameters"] > 100_000
