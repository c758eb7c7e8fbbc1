"""A scratch PostgreSQL database for one benchmark run."""

from __future__ import annotations

import os
from contextlib import contextmanager

import psycopg

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_database(prefix: str = "partnerhub_bench"):
    """Create an empty database, point Django at it, drop it afterwards.

    The name carries the process id, so two runs on one server (two people, two CI jobs)
    never drop each other's database.
    """
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        os.environ["DATABASE_URL"] = explicit
        yield explicit
        return
    name = f"{prefix}_{os.getpid()}"
    server = os.environ.get("BENCH_SERVER_URL", DEFAULT_SERVER)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    os.environ["DATABASE_URL"] = url
    try:
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable")  # as `make migrate` does: the cache without Redis is a table
