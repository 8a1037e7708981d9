"""Core behaviour implemented as an ordinary plugin (always on)."""
