"""Debian's nginx in a subprocess, in front of live Daphne nodes (see live.py).

It runs from a temporary prefix with its own configuration, logs, temp folders and pid
file, in the foreground (``daemon off``), listening on a free 127.0.0.1 port: it never
touches the system nginx service or /var/log/nginx.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.signaling.live import free_port, stop_process, wait_until_serving

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The production proxy (deploy/nginx.conf) balances every socket over all nodes. The
# `node` map below adds one thing only a test needs: `?node=<n>` on a URL prefers node
# <n>, so the test can place each peer on the node it wants. The preferred node's
# upstream lists the other nodes as `backup`, so even a pinned reconnect fails over, as
# a sticky-session proxy does. Reconnects in the test use the plain path, as browsers do
# (the room page's `wsPath` carries no pin): nginx picks a node round-robin and, when
# that one refuses the connection (a killed node), tries the next (`proxy_next_upstream`).
CONF = """\
{user}
worker_processes 1;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}

    # A node that refused a connection is skipped for 10 s (no second try on it).
    upstream duet_nodes {{
{balanced}
    }}
{pinned}
    map $arg_node $duet_upstream {{
        default duet_nodes;
{node_map}
    }}

    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://$duet_upstream;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 2h;
            proxy_send_timeout 2h;
            # A dead node refuses at once on loopback; a hung one gets 1 s.
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def config(port: int, prefix: Path, nodes: list[int]) -> str:
    def server(node_port: int, extra: str = "") -> str:
        return f"        server 127.0.0.1:{node_port} max_fails=1 fail_timeout=10s{extra};"

    balanced = "\n".join(server(p) for p in nodes)
    pinned, node_map = [], []
    for i, preferred in enumerate(nodes, start=1):
        lines = [server(preferred)] + [server(p, " backup") for p in nodes if p != preferred]
        pinned.append(f"    upstream duet_node{i} {{\n" + "\n".join(lines) + "\n    }")
        node_map.append(f"        {i} duet_node{i};")
    # As root the workers would otherwise switch to www-data, which cannot enter the
    # private temporary prefix; as anyone else nginx ignores `user` (with a warning).
    return CONF.format(
        user="user root;" if os.geteuid() == 0 else "",
        prefix=prefix,
        port=port,
        balanced=balanced,
        pinned="\n".join(pinned),
        node_map="\n".join(node_map),
    )


class LiveNginx:
    """``LiveNginx([daphne.port, ...])``: ``url`` balances; ``url`` + ``?node=<n>``
    (1-based) prefers node n."""

    def __init__(self, node_ports: list[int]) -> None:
        self.prefix = Path(tempfile.mkdtemp(prefix="duet-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = self.prefix / "nginx.conf"
        conf.write_text(config(self.port, self.prefix, node_ports))
        self.proc = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(self.prefix),
                "-c",
                str(conf),
                "-e",
                str(self.prefix / "error.log"),
                "-g",
                f"daemon off; pid {self.prefix / 'nginx.pid'};",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 15) -> None:
        wait_until_serving(self.proc, self.url, "nginx", self.log_tail, timeout)

    def stop(self) -> None:
        stop_process(self.proc)  # SIGTERM: nginx's fast shutdown of master and workers
        shutil.rmtree(self.prefix, ignore_errors=True)

    def log_tail(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no error log)"
