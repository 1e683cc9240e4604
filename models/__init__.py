"""MAA data: the tables, the audit-tool schema and the grade scale. Pure data, no I/O."""
