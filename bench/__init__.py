"""audiobuild's benchmarks: `make bench` runs bench.py, which runs the others."""
