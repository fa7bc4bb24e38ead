"""Keeps the seed's ``uvicorn main:app`` working from ``PyQueue-Backend/``."""

from pyqueue.main import app

__all__ = ["app"]
