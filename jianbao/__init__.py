"""jianbao: the app that wires ingest -> models -> corpus (CLI now, HTTP service later)."""

__version__ = "0.1.0"
