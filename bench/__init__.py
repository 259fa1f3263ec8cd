"""Benchmarks for Backline (not tests): see ``BENCHMARKS.md``."""
