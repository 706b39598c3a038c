"""Readers for local systems, the national API client and the sync bridge (floor 2).

Adapters import from ``contracts`` and ``mappings`` only, never from ``mocks``.
"""

__all__: list[str] = []
