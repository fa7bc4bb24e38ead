"""One logging setup for the whole service; loggers are named ``pyqueue.*``."""

from __future__ import annotations

import logging

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(level: str = "INFO") -> None:
    """Configure the ``pyqueue`` logger once; uvicorn keeps its own."""
    logger = logging.getLogger("pyqueue")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_pyqueue", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._pyqueue = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
