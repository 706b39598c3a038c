"""The checks hazlink ships; importing this package registers them in ``CHECKS``."""

from . import accuracy, flow, guard, tracks

__all__ = ["accuracy", "flow", "guard", "tracks"]
