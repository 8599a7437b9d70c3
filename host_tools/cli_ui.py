"""`kinedge ui`: the local web page for the person at the device."""
from __future__ import annotations

import ipaddress
import socket
import sys

import click

from .cli_device import PORT, TIMEOUT


def _listen_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise click.BadParameter(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8765)", param_hint="--listen")
    return host.strip("[]") or "127.0.0.1", int(port)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.command()
@PORT
@TIMEOUT
@click.option("--listen", default="127.0.0.1:8765", show_default=True, metavar="HOST:PORT",
              help="Where the page is served (port 0: any free port). Loopback only, unless --allow-remote.")
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --listen address: whoever reaches it and holds the token controls the device.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
def ui(port, timeout, listen, allow_remote, open_browser):
    """A local web page for the device: live traces of every joint angle (last 10 s), the device's
    INFO and counters, record + push a label-free calibration, push or reset a head, on-device cost
    (BENCH), and a recording replayed through the device against its reference angles.

    The URL printed carries a random access token; requests without it, or from another web page
    (Origin), are refused. Ctrl-C stops the server (the device keeps running)."""
    import uvicorn

    from .ui.app import UiServer

    host, listen_port = _listen_address(listen)
    if not _is_loopback(host) and not allow_remote:
        raise click.BadParameter(f"{host} is not a loopback address; add --allow-remote if you mean it",
                                 param_hint="--listen")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, listen_port))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {listen}: {exc.strerror}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    # Loopback: only our own names, against DNS rebinding. Remote: whatever name the machine has.
    names = {f"{shown}:{bound}", f"localhost:{bound}", f"127.0.0.1:{bound}"} if _is_loopback(host) else None
    server = UiServer(port, timeout)
    url = f"http://{shown}:{bound}/?token={server.token}"
    config = uvicorn.Config(server.app(names), log_level="warning", ws="wsproto", lifespan="on")
    click.echo(f"kinedge ui for the device at {port}")
    click.echo(f"open: {url}")  # other programs (and the tests) read the URL from this line
    sys.stdout.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn has shut down cleanly and passes the Ctrl-C on
        pass
    click.echo("kinedge ui stopped")
