"""Rotation Monitor: a terminal dashboard for market rotation vs the S&P 500."""

__version__ = "0.1.0"
