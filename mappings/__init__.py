"""Declarative mappings from local systems' records to the national contract (floor 1).

Mapping files are data, one folder per local-system profile; a small engine applies them, dict in,
dict out, with transforms registered by name. This package imports nothing else of hazlink::

    from mappings import load_profile

    profile = load_profile("prov-rest")            # a shipped profile, a folder or a file
    mapped = profile.apply("manifest", local_record)
    if mapped.ok:
        send(mapped.kind, mapped.data)             # a dict in the contract's shape
    else:
        reject(mapped.issues)                      # each with code, contract path, local path, zh/en

A broken mapping file raises ``MappingError`` when it is loaded; a record that cannot be mapped never
raises: it comes back with ``issues``.
"""

from ._errors import Issue, MappingError, Problem, TransformError
from ._load import PROFILES_DIR, load_profile, profile_names
from ._profile import Mapped, Profile, Resource, Stream
from .transforms import TRANSFORMS, Transforms, transform

__all__ = [
    "PROFILES_DIR",
    "TRANSFORMS",
    "Issue",
    "Mapped",
    "MappingError",
    "Problem",
    "Profile",
    "Resource",
    "Stream",
    "TransformError",
    "Transforms",
    "load_profile",
    "profile_names",
    "transform",
]
