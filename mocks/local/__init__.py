"""Reference local systems: the test subjects of the adapters and the systems under test of demos.

- ``prov_rest``: a provincial platform's paged REST/JSON API (pinyin keys, GCJ-02 tracks).
- ``legacy_soap``: an old SOAP WebService with a WSDL (kilograms, split dates, BD-09 tracks).
- ``enterprise_csv``: a plant's ledger exports written to a drop folder (CSV in several encodings, XLSX).

All three render records from one seedable ``Generator`` that produces them in the contract's form,
so a test can compare what an adapter translates with what the system was given. ``inprocess``
gives a synchronous ``httpx.Client`` bound to an ASGI app with no socket. Mocks never import
``adapters``.
"""

from . import enterprise_csv, inprocess, legacy_soap, prov_rest
from ._generator import TZ, Generator

__all__ = ["TZ", "Generator", "enterprise_csv", "inprocess", "legacy_soap", "prov_rest"]
