"""Readers that turn outside file formats into `Recording`s (see `trainer.data.schema`)."""
