"""Writes for everything between sessions. Keyword-only ``<entity>_<action>`` functions;
every function that depends on the clock takes ``now``."""
