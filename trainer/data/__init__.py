"""The recording contract and everything that reads, checks, stores and aligns recordings."""
