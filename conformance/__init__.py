"""The conformance suite, the sync-health monitor and the ``hazlink`` command line (floor 3).

This floor may import every other package.
"""

__all__: list[str] = []
