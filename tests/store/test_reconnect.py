"""PostgreSQL connections lost mid-session: the store reconnects with backoff and retries,
an append whose COMMIT went through but whose acknowledgement was lost is not stored
twice, and an outage longer than the window is a typed, one-line StoreUnavailable."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest

from harness.protocol.events import ToolResult, UserMessage
from harness.store.base import StoreUnavailable
from harness.store.postgres import PostgresStore


class CuttingProxy:
    """A TCP proxy to the server that, when armed, forwards the next COMMIT and then
    closes the connection before the server's reply reaches the client: a lost ack."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed, self.cutting = threading.Event(), threading.Event()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket) -> None:
        while data := _recv(client):
            cut = self.armed.is_set() and b"COMMIT\x00" in data
            if cut:
                self.cutting.set()  # from now on the server's replies are dropped
                self.armed.clear()
            try:
                server.sendall(data)
            except OSError:
                break
            if cut:
                time.sleep(0.3)  # the server has committed; its answer is never relayed
                self.cuts += 1
                for sock in (client, server):
                    _close(sock)
                self.cutting.clear()
                return
        _close(server)

    def _down(self, server: socket.socket, client: socket.socket) -> None:
        while data := _recv(server):
            if self.cutting.is_set():
                continue
            try:
                client.sendall(data)
            except OSError:
                return
        _close(client)

    def close(self) -> None:
        # shutdown first: a close alone leaves the socket listening while accept() runs
        _close(self.listener)


def _close(sock: socket.socket) -> None:
    """Shut down, then close: a bare close from one thread does not end another thread's
    recv() on the same socket, and the peer would never see the end."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


@pytest.fixture
def pg_schema_url(pg_server):
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return pg_server, f"?options=-csearch_path%3D{schema}"


def _terminate(base_url: str, store: PostgresStore) -> None:
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (store._conn.info.backend_pid,))


def test_a_terminated_connection_is_reconnected_and_the_append_lands_once(pg_schema_url):
    base, query = pg_schema_url
    store = PostgresStore(base + query, reconnect_window=10)
    t = store.create_thread("/proj")
    store.append(t.thread_id, UserMessage(text="one"))
    _terminate(base, store)
    assert store.append(t.thread_id, UserMessage(text="two")) == 2
    _terminate(base, store)
    assert store.get_thread(t.thread_id).last_seq == 2  # reads reconnect too
    _terminate(base, store)
    forked = store.fork(t.thread_id, 1)  # and thread creation, without a duplicate
    assert len(store.list_threads("/proj")) == 2 and forked.parent_seq == 1
    assert [e.decode().text for e in store.events(t.thread_id)] == ["one", "two"]
    store.close()


def test_a_commit_whose_ack_was_lost_is_not_appended_twice(pg_schema_url):
    base, query = pg_schema_url
    proxy = CuttingProxy(urlsplit(base).port)
    url = f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres{query}"
    store = PostgresStore(url, reconnect_window=10)
    try:
        t = store.create_thread("/proj")
        store.append(t.thread_id, UserMessage(text="one"))
        proxy.armed.set()
        seq = store.append(t.thread_id, ToolResult(call_id="c1", tool="Bash", content="ran"))
        assert proxy.cuts == 1  # the connection really was cut after the COMMIT
        assert seq == 2
        assert [(e.seq, e.type) for e in store.events(t.thread_id)] == [
            (1, "user_message"), (2, "tool_result")
        ]
        assert store.append(t.thread_id, UserMessage(text="three")) == 3
    finally:
        store.close()
        proxy.close()


def test_an_outage_longer_than_the_window_is_a_one_line_store_unavailable(pg_schema_url):
    base, query = pg_schema_url
    proxy = CuttingProxy(urlsplit(base).port)
    url = f"postgresql://postgres:hunter2pw@127.0.0.1:{proxy.port}/postgres{query}"
    store = PostgresStore(url, reconnect_window=0.5)
    t = store.create_thread("/proj")
    proxy.close()  # nothing listens on the port any more: every reconnect is refused
    _terminate(base, store)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        store.append(t.thread_id, UserMessage(text="lost"))
    waited = time.monotonic() - started
    message = str(info.value)
    assert 0.4 <= waited < 10
    assert "\n" not in message and "hunter2pw" not in message
    assert "unreachable" in message and "reconnect_window" in message
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):  # the window is spent: later calls fail at once
        store.update_thread(t.thread_id, state="failed")
    assert time.monotonic() - started < 2
    store.close()  # closing a store that lost its server does not raise


def test_a_reconnect_wait_can_be_cut_short_from_another_thread(pg_schema_url):
    base, query = pg_schema_url
    proxy = CuttingProxy(urlsplit(base).port)
    store = PostgresStore(f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres{query}",
                          reconnect_window=60)
    t = store.create_thread("/proj")
    store.acquire_lease(t.thread_id)
    proxy.close()
    _terminate(base, store)
    threading.Timer(0.5, store.abort_reconnect).start()  # e.g. from a SIGINT handler
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="interrupted"):
        store.append(t.thread_id, UserMessage(text="lost"))
    store.close()  # releasing the held lease is tried once, without another wait
    assert time.monotonic() - started < 10
