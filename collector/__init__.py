"""The collector: the only writer to the database, its HTTP API and the `maa` command."""
