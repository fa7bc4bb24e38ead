"""PyQueue's benchmark harness: PyQueue, baselines and peer libraries, measured in one run.

``python -m bench --help`` from ``PyQueue-Backend/``; ``make bench`` from the repository root.
"""
