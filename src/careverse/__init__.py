"""Careverse: a self-hostable healthcare metaverse."""

__version__ = "0.1.0"
