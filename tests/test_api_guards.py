"""The service under slow and failing requests, on a real uvicorn server: headers and bodies
have deadlines (a trickling client is dropped, not held), an unhandled error is one JSON 500
with an id, logged once."""

from __future__ import annotations

import logging
import select
import socket
import threading
import time

import pytest
import uvicorn

from jianbao.api import ApiConfig, create_app
from jianbao.api.guards import head_timeout_protocol
from pipeline.settings import build_settings

TOKEN = "test-token-5f1c"


@pytest.fixture
def server(env):
    """(host, port) of a jianbao server with a 0.5 s header and a 1 s body deadline."""
    config = ApiConfig(token=TOKEN, upload_workers=0, header_seconds=0.5, body_seconds=1.0)
    app = create_app(build_settings(), config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    instance = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_keep_alive=5,
                                             http=head_timeout_protocol(config.header_seconds)))
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not instance.started:
        time.sleep(0.05)
    yield sock.getsockname()
    instance.should_exit = True
    thread.join(10)


@pytest.fixture
def make_client(env):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    def make(raise_errors: bool = True):
        app = create_app(build_settings(), ApiConfig(token=TOKEN, upload_workers=0))
        return TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000),
                          raise_server_exceptions=raise_errors)
    return make


def _trickle(address, head: bytes, pieces, every: float = 0.2, give_up: float = 8.0) -> bytes:
    """Send `head`, then one piece every `every` seconds; returns what the server answered
    before it closed the connection (b"" for a plain close); fails if it never closes."""
    conn = socket.create_connection(address)
    conn.sendall(head)
    answer, stop = b"", time.monotonic() + give_up
    pieces = iter(pieces)
    while time.monotonic() < stop:
        if select.select([conn], [], [], every)[0]:
            data = conn.recv(65536)
            if not data:
                conn.close()
                return answer
            answer += data
            continue
        try:
            conn.sendall(next(pieces, b""))
        except OSError:                          # reset by the server: closed
            return answer
    conn.close()
    raise AssertionError("the server held a trickling connection")


def test_a_client_trickling_its_headers_is_dropped(server):
    answer = _trickle(server, b"GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n", (b"X-Slow: 1\r\n" for _ in range(100)))
    assert answer == b""


def test_a_client_trickling_its_body_gets_408(server):
    head = (f"POST /documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n").encode()
    answer = _trickle(server, head + b"--xyz\r\n", (b"a" for _ in range(100)))
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive within 1 s" in answer


def test_a_prompt_client_is_served_and_kept_alive(server):
    import http.client
    conn = http.client.HTTPConnection(*server, timeout=10)
    for _ in range(3):                          # three requests on one connection, past the header deadline
        conn.request("GET", "/stats", headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        assert response.status == 200 and b'"articles"' in response.read()
        time.sleep(0.3)
    conn.close()


def test_an_unhandled_error_is_one_json_500_with_an_id_logged_once(make_client, monkeypatch, caplog):
    from corpus import queries

    def broken(conn):
        raise RuntimeError("secret detail at /srv/jianbao/internal.py")
    monkeypatch.setattr(queries, "stats", broken)
    with make_client(raise_errors=True) as api, caplog.at_level(logging.INFO):
        response = api.get("/stats")              # nothing re-raised: the error ends in its 500
    assert response.status_code == 500 and "secret" not in response.text
    error_id = response.json()["error_id"]
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and error_id in logged[0].getMessage()
    assert "secret detail" in str(logged[0].exc_info[1])


@pytest.mark.parametrize("url", ["/articles?offset=9223372036854775808", "/issues/99999999999999999999",
                                 "/articles?limit=-1", "/issues?limit=100000000000000000000000"])
def test_out_of_range_integers_are_4xx(make_client, url):
    with make_client() as api:
        assert api.get(url).status_code in (404, 422)
