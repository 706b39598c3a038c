"""The conformance suite: checks, scenarios, the driver protocol, the runner and its scoring."""
