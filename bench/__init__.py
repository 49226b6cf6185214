"""Benchmarks against the raw libraries on the same input, in one run (`python -m bench`)."""
