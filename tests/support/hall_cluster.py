"""Several ``python -m hall`` processes on one PostgreSQL behind Debian's nginx with TLS, all on
127.0.0.1 (issue 20; the deployment is docs/deploy.md).

- **TLS**: a throwaway CA and a server certificate for ``127.0.0.1``/``localhost`` made with
  ``cryptography``; clients trust the CA through :attr:`HallCluster.ca_file` (``requests``:
  ``verify=``, or ``REQUESTS_CA_BUNDLE``; Python's ``ssl``: ``SSL_CERT_FILE``).
- **nginx**: a config of its own in a temporary folder (no default site; pid, logs and temp
  folders there; ``daemon off`` as a child process), one TLS port, WebSockets proxied,
  round robin over the halls without stickiness. A test can pin a request to one hall with the
  header ``X-Qihang-Instance: <index>`` (that hall first, the others as backup, so a pinned
  client still reaches a live hall after its own died) — a test hook, not in the deploy config.
- **halls**: ``python -m hall --db <postgres url> --trusted-proxy 127.0.0.1`` on free ports,
  sharing one sealing key file (and the blob folder the URL names); each can be killed by pid.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
PIN_HEADER = "X-Qihang-Instance"
START_S = 30.0  # bounds a broken start; never a speed requirement


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for 127.0.0.1: (ca.pem, server.pem, server.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Qihang test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


def nginx_conf(folder: Path, port: int, halls: list[int], cert: Path, key: Path) -> str:
    """The proxy's config: TLS on ``port``, round robin over ``halls`` (their ports)."""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in halls)
    pinned = []
    for i, first in enumerate(halls):
        backups = "\n".join(f"    server 127.0.0.1:{p} backup;" for p in halls if p != first)
        pinned.append(f"  upstream hall_{i} {{\n    server 127.0.0.1:{first};\n{backups}\n  }}")
    picks = "\n".join(f"    {i} hall_{i};" for i in range(len(halls)))
    temp = "\n".join(
        f"  {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, workers would drop to "nobody" and could not use the temp folders made here.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""daemon off;
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}
  client_max_body_size 25m;
  client_body_buffer_size 1m;
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    '' '';
  }}
  map $http_x_qihang_instance $hall_pool {{
    default halls;
{picks}
  }}
  upstream halls {{
{servers}
    keepalive 64;
  }}
{chr(10).join(pinned)}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{
      proxy_pass http://$hall_pool;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 3600s;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502;
    }}
  }}
}}
"""


@dataclass
class HallCluster:
    """Running halls behind nginx; :attr:`url` is the proxy's ``https://127.0.0.1:PORT``."""

    folder: Path
    db_url: str
    instances: int = 2
    log_level: str = "WARNING"
    hall_ports: list[int] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    proxy: subprocess.Popen[bytes] | None = None
    port: int = 0
    ca_file: Path = Path()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> str:  # what tests.hall.helpers expects of a hall
        return self.db_url

    def hall_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.hall_ports[index]}"

    def start(self) -> HallCluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ca_file, cert, key = make_tls(self.folder / "tls")
        self.hall_ports = [free_port() for _ in range(self.instances)]
        seal_key = self.folder / "keys" / "seal.key"
        for port in self.hall_ports:
            self.procs.append(self._start_hall(port, seal_key))
            if len(self.procs) == 1:  # the first runs the migrations and makes the key
                self._wait_hall(0)
        for i in range(1, self.instances):
            self._wait_hall(i)
        self.port = free_port()
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_conf(self.folder, self.port, self.hall_ports, cert, key))
        self.proxy = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(self.folder), "-e", str(self.folder / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_S
        while True:
            try:
                if requests.get(self.url + "/healthz", verify=str(self.ca_file), timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.proxy.poll() is not None:
                raise RuntimeError((self.folder / "error.log").read_text(errors="replace"))
            time.sleep(0.05)

    def _start_hall(self, port: int, seal_key: Path) -> subprocess.Popen[bytes]:
        log = (self.folder / f"hall-{port}.log").open("wb")
        cmd = [sys.executable, "-m", "hall", "--port", str(port), "--db", self.db_url]
        cmd += ["--seal-key", str(seal_key), "--trusted-proxy", "127.0.0.1"]
        cmd += ["--log-level", self.log_level]
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def _wait_hall(self, index: int) -> None:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.procs[index].poll() is not None:
                break
            try:
                if requests.get(self.hall_url(index) + "/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        log = self.folder / f"hall-{self.hall_ports[index]}.log"
        raise RuntimeError(f"hall {index} did not start: {log.read_text(errors='replace')}")

    def pids(self) -> dict[str, int]:
        """Every process of the cluster by name (halls ``hall0``…, the proxy ``nginx``)."""
        found = {f"hall{i}": p.pid for i, p in enumerate(self.procs)}
        if self.proxy is not None:
            found["nginx"] = self.proxy.pid
        return found

    def kill(self, index: int) -> None:
        """SIGKILL one hall (a crash: no shutdown code runs)."""
        proc = self.procs[index]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)

    def stop(self) -> None:
        for proc in [*self.procs, self.proxy]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [*self.procs, self.proxy]:
            if proc is not None:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
