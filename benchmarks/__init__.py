"""Speed and scale benchmarks of Kutip against bm25s and plain TF-IDF (python -m benchmarks.run)."""
