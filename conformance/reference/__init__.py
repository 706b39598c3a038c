"""The reference integration and its deliberately faulty variants (the suite's positive and negative controls)."""

from .defects import DEFECTS, Defects
from .integration import ReferenceIntegration

__all__ = ["DEFECTS", "Defects", "ReferenceIntegration"]
