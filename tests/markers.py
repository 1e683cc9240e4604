"""Markers the test files share. Kept apart from the fixture modules (loaded as pytest
plugins): a test file importing a plugin module first stops pytest rewriting its asserts."""

import shutil

import pytest

# The browser tests' marker: Debian's chromium is installed by scripts/test (never downloaded).
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium"), reason="needs Debian's chromium (scripts/test)"
)
