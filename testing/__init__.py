"""Test equipment, not shipped (not in pyproject's packages): the loopback Bot API server."""
