"""Loopback networking for local services: free ports, and asking a port whether it answers.

Traffic goes to 127.0.0.1 only, never through a proxy (http.client ignores http_proxy)."""

from __future__ import annotations

import http.client
import socket
from contextlib import ExitStack
from typing import Callable, Sequence

HOST = "127.0.0.1"


def free_ports(count: int, bind: str = HOST) -> list[int]:
    """``count`` distinct ports nobody listens on at ``bind`` (all held open while they are chosen).

    A server that binds every interface (FlyteAdmin does) needs its ports chosen with bind="0.0.0.0".
    """
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((bind, 0))
            ports.append(sock.getsockname()[1])
        return ports


def choose_ports(wished: Sequence[int | None], is_free: Callable[[int], bool],
                 fresh: Callable[[int], list[int]]) -> list[int]:
    """Each wished port that is free, in its place; fresh ones (``fresh(n)``: n distinct free ports) for the rest."""
    kept: list[int | None] = []
    for port in wished:
        kept.append(port if port is not None and port not in kept and is_free(port) else None)
    missing = kept.count(None)
    taken = {port for port in kept if port is not None}
    spare = iter([port for port in fresh(missing + len(taken)) if port not in taken] if missing else [])
    return [port if port is not None else next(spare) for port in kept]


def ports_for(wished: Sequence[int | None], bind: str = HOST) -> list[int]:
    """A port for each wish at ``bind``: the wished one while it is free, else a fresh one (None: any)."""
    return choose_ports(wished, lambda port: port_is_free(port, bind), lambda count: free_ports(count, bind))


def port_is_free(port: int, bind: str = HOST) -> bool:
    """Whether a server could bind ``port`` at ``bind`` right now: nobody listens on it or holds it
    bound. Like servers, it sets SO_REUSEADDR, so connections closed moments ago (TIME_WAIT) don't count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind, port))
        except OSError:
            return False
        return True


def accepts(port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """The HTTP status of GET http://127.0.0.1:<port><path>, or None when nothing answers."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
