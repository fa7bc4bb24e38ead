"""The running service: the Queue, the worker pool and one attempt, the finisher, the heartbeat
and the event bus. It calls the stores and the models, never the API."""
