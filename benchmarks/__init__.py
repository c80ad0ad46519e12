"""Benchmarks against the national-scale synthetic dataset (not tests: run with `make bench`)."""
