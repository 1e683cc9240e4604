"""Tallies, the overview report, exports and the reminder policy: pure functions of a snapshot."""
