"""Benchmarks: each module's main() prints its figures and ratios against a baseline run in the same process."""
