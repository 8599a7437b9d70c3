"""Model builders by name. Every model maps a (window, 1, channels) input to angles in degrees."""
from .edge import make_edge
from .paper import make_paper_cnn, make_paper_lstm

MODELS = {"edge": make_edge, "paper-lstm": make_paper_lstm, "paper-cnn": make_paper_cnn}
# Only these can be converted to int8 and run on the device; the others are float references.
DEPLOYABLE = {"edge"}


def make_model(name: str, window: int, n_channels: int, n_outputs: int, target_mean, target_std,
               physics_channels=(), fixed=None):
    """`physics_channels`: input channels the head also reads at the newest sample; `fixed`: a
    PhysicsColumns constraint keeping the observed joints at their classical estimate."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}")
    return MODELS[name](window, n_channels, n_outputs, target_mean, target_std, physics_channels, fixed)
