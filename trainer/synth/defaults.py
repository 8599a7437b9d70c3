"""The embedded default data set: what `kinedge demo` and `kinedge data synth` make unless told."""

DEFAULT_SUBJECTS = 10
DEFAULT_MINUTES = 3.0   # per subject, shared by the five default trials
DEFAULT_SEED = 0
