"""PyQueue: a durable job queue with a REST API and a live dashboard."""

__version__ = "0.2.0"
