"""Local services on loopback, each a context manager that leaves no process behind:
``postgres.postgres`` (a real PostgreSQL in a run folder) and ``flyteadmin.flyteadmin`` (FlyteAdmin
on top of it); ``processes`` and ``loopback`` hold what they share."""
