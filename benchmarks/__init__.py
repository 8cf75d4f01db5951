"""Benchmarks: `make bench` runs every module here and writes benchmarks/results/latest.json."""
