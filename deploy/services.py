"""The backing services the production mode needs, and how to start them when they are down."""

from __future__ import annotations

import socket

POSTGRES = ("PostgreSQL", "127.0.0.1", 5432,
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
REDIS = ("Redis", "127.0.0.1", 6379, "redis-server --daemonize yes --bind 127.0.0.1 --port 6379")


def reachable(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def missing(*services: tuple[str, str, int, str]) -> list[str]:
    """One sentence per service that does not answer on its TCP port (or .ci/run starts them)."""
    return [f"{name} is not reachable on {host}:{port}: start it with `{start}` (.ci/run starts it)"
            for name, host, port, start in services if not reachable(host, port)]
