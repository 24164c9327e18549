"""Benchmarks: autograd_lite side by side with its peers (see docs/benchmarks.md)."""
