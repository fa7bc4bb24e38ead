"""The running system: API routes (producer), one attempt (worker), handlers, retries, events."""
