import numpy as np
import pytest

from trainer.models import DEPLOYABLE, make_model
from trainer.models.cost import model_cost
from trainer.models.head import EMBEDDING_NAME, HEAD_NAME


@pytest.mark.parametrize("imus", [2, 3, 4])
def test_edge_model_fits_the_device_budget(imus):
    model = make_model("edge", 64, 6 * imus, 5, np.zeros(5), np.ones(5))
    cost = model_cost(model)
    assert cost["parameters"] <= 30_000 and cost["macs"] <= 300_000, cost


def test_edge_uses_only_layers_the_int8_engine_supports():
    model = make_model("edge", 64, 12, 5, np.zeros(5), np.ones(5))
    kinds = {type(layer).__name__ for layer in model.layers}
    assert kinds <= {"InputLayer", "Conv2D", "DepthwiseConv2D", "Flatten", "Dense"}, kinds
    assert model.get_layer(EMBEDDING_NAME).output_shape == (None, 64)
    assert model.get_layer(HEAD_NAME).output_shape == (None, 5)
    assert DEPLOYABLE == {"edge"}


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
