"""Ahead-of-time engine: the int8 flatbuffer turned into plain C that calls the firmware's own
kernels (firmware/engine/aot/), with a static activation buffer planned at generation time."""
