"""Use cases: each takes domain objects and ports (repository, publisher, engine, sender)."""
