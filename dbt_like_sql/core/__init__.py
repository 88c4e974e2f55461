"""The core models: each table's SQL and, for a contracted table, its contract (.py) beside it."""
