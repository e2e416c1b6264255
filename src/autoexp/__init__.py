"""autoexp: measure how well AI research agents reproduce and replicate experiments from papers."""

__version__ = "0.1.0"
