"""Benchmarks. `bench` becomes a Django app only inside bench/run.py (for the bare flow)."""
