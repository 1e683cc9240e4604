"""The demo round: the 2024 audit of children not in receipt of full-time education.

Loaded through the same service layer as the API, so the demo exercises the real write path.
"""

from collector.demo.load import run_demo

__all__ = ["run_demo"]
