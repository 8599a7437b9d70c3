"""Parts of the web page's server, without a browser or a device: which requests the door lets
reach the app, and how the hub treats a page that cannot keep up."""
import asyncio
import json

from host_tools.ui.app import CLIENT_QUEUE, Hub
from host_tools.ui.guard import Guard

TOKEN = "s3cret-token"
HOSTS = {"127.0.0.1:8765", "localhost:8765"}


def reaches_app(kind="http", headers=(), query=b"") -> tuple[bool, list]:
    reached, sent = [], []

    async def app(scope, receive, send):
        reached.append(scope)

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    scope = {"type": kind, "headers": [(k.encode(), v.encode()) for k, v in headers], "query_string": query}
    asyncio.run(Guard(app, TOKEN, HOSTS)(scope, receive, send))
    return bool(reached), sent


def test_the_token_in_a_header_query_or_the_ports_cookie_lets_a_request_in():
    host = ("host", "127.0.0.1:8765")
    assert reaches_app(headers=[host, ("x-kinedge-token", TOKEN)])[0]
    assert reaches_app(headers=[host], query=f"token={TOKEN}".encode())[0]
    assert reaches_app(headers=[host, ("cookie", f"kinedge_token_8765={TOKEN}")])[0]
    assert reaches_app(headers=[host, ("origin", "http://127.0.0.1:8765"), ("x-kinedge-token", TOKEN)])[0]


def test_a_wrong_token_another_origin_or_host_or_another_ports_cookie_is_refused_with_403():
    token = ("x-kinedge-token", TOKEN)
    for headers in ([("host", "127.0.0.1:8765")],
                    [("host", "127.0.0.1:8765"), ("x-kinedge-token", "nope")],
                    [("host", "127.0.0.1:8765"), ("cookie", f"kinedge_token_9999={TOKEN}")],
                    [("host", "127.0.0.1:8765"), ("origin", "http://evil.example"), token],
                    [("host", "127.0.0.1:8765"), ("origin", "http://127.0.0.1:9999"), token],
                    [("host", "evil.example:8765"), token],
                    [token]):
        reached, sent = reaches_app(headers=headers)
        assert not reached, headers
        assert sent[0]["status"] == 403 and sent[1]["body"].startswith(b"403 forbidden"), headers


def test_a_refused_websocket_is_closed_before_it_is_accepted():
    reached, sent = reaches_app("websocket", headers=[("host", "127.0.0.1:8765"), ("origin", "http://evil.example")],
                                query=f"token={TOKEN}".encode())
    assert not reached and sent == [{"type": "websocket.close", "code": 1008}]


def test_a_page_that_falls_behind_loses_estimate_batches_is_told_how_many_and_keeps_state_messages():
    hub = Hub()

    async def scenario():
        q = hub.join("slow")
        for i in range(CLIENT_QUEUE + 5):  # the page reads nothing meanwhile
            hub._put("angles", json.dumps({"type": "angles", "i": i}))
        assert q.full() and hub.dropped["slow"] == 5
        hub._put("device", json.dumps({"type": "device", "state": "lost"}))  # replaces the oldest
        received = [json.loads(q.get_nowait()) for _ in range(q.qsize())]
        assert received[-1] == {"type": "device", "state": "lost"} and received[0]["i"] == 1
        hub._put("angles", json.dumps({"type": "angles", "i": -1}))
        told = [json.loads(q.get_nowait()) for _ in range(q.qsize())]
        assert told == [{"type": "dropped", "batches": 5}, {"type": "angles", "i": -1}]

    asyncio.run(scenario())


def test_the_first_page_controls_and_control_passes_on_when_it_leaves():
    hub = Hub()

    async def scenario():
        hub.join("a")
        hub.join("b")
        assert hub.controller == "a"
        hub.leave("a")
        assert hub.controller == "b"

    asyncio.run(scenario())
