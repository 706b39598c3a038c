"""The reports of a certification run and its evidence bundle.

One ``RunResult`` (see ``conformance.suite.model``) feeds every report: a console summary for
people at a terminal, JSON for programs, JUnit XML for CI servers, a single-file bilingual HTML
certificate viewable offline, and an evidence bundle whose manifest hashes and chains every file
so that tampering, deletion, addition, reordering or renaming is detected.
"""

from __future__ import annotations

from .bundle import BUNDLE_FORMAT, MANIFEST, Problem, check_bundle, verify_bundle, write_bundle
from .console import console_summary
from .html import render_html, write_html
from .junit import junit_tree, write_junit
from .serial import write_json
from .svg import Bin, completeness_svg, latency_bins, latency_histogram_svg, percentile

__all__ = [
    "BUNDLE_FORMAT",
    "MANIFEST",
    "Bin",
    "Problem",
    "check_bundle",
    "completeness_svg",
    "console_summary",
    "junit_tree",
    "latency_bins",
    "latency_histogram_svg",
    "percentile",
    "render_html",
    "verify_bundle",
    "write_bundle",
    "write_html",
    "write_json",
    "write_junit",
]
