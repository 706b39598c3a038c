"""Declarative mappings from local systems' records to the national contract (floor 1).

Mapping files are data, one folder per local-system profile; a small engine applies them, dict in,
dict out, with transforms registered by name. This package imports nothing else of hazlink.
"""

__all__: list[str] = []
