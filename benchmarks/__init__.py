"""The benchmark suite: ``python -m benchmarks`` runs it and writes docs/performance.md."""
