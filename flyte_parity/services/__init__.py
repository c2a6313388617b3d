"""What runs beside the SDKs, on loopback, each a context manager that leaves no process behind:
``postgres`` (a real PostgreSQL in a run folder), ``flyteadmin`` (FlyteAdmin on top of it),
``backends`` (the admin a session uses), ``local_admin`` (one for people, in the background);
``lifecycle`` (start, wait until ready, stop), ``processes`` and ``loopback`` hold what they share;
``admin_client`` and ``flytectl`` talk to an admin."""
