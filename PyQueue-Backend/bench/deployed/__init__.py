"""Worker entry points for ``bench.deploy``: each system started by its own CLI, as deployed."""
