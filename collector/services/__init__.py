"""The service layer: one keyword-only function per domain operation, one transaction each."""
