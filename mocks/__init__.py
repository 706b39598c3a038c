"""The mock national API and reference local systems (floor 2).

Mocks import from ``contracts`` and ``mappings`` only, never from ``adapters``.
"""

__all__: list[str] = []
