"""The daemon's HTTP server beside nginx serving the same bytes, both loaded by wrk.

    python bench/serve.py [--events 10000] [--seconds 10] [--quick] [--rounds 1]

Fills a fresh database with synthetic upcoming events and starts the real
daemon (`aggregator run --port 0`: uvicorn as the product runs it; every
source has just run, so it only serves). It fetches the daemon's /feed.ics
(plain and gzip) and a few filtered feeds, writes those exact bytes as static
files, and starts nginx on a free loopback port with a minimal generated
config (one worker, like the daemon's one process; etag on; gzip for the
server's content types, the daemon's own gzip bytes served by gzip_static, so
nginx does not recompress on every request, which would be an easy baseline).
Then wrk (`--latency`) loads both alternately, with the same threads,
connections and duration:

- `200`: the cached /feed.ics with Accept-Encoding: gzip, as calendars send it,
- `304`: the same with If-None-Match: the ETag each server gave,
- `filtered`: 20 connections rotating /feed.ics?source=…&city=… (a wrk Lua script).

Requests/s and p99 latency of each, the ratio ours/nginx, and the daemon's
resident memory (VmRSS, and its peak VmHWM) from /proc. wrk and nginx are
installed with apt-get when missing (Debian, as root). nginx is stopped at the
end, also after an error.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.clock import PARIS
from aggregator.feeds import Filters, select
from aggregator.model import Event, SourceRef
from aggregator.store import RunRecord, Store

CITIES = ["Lille", "Roubaix", "Lyon", "Vaulx-en-Velin", "Marseille", "Grenoble", "Arras", "Nantes"]
WORDS = [
    "rencontre",
    "atelier",
    "quartiers",
    "habitants",
    "emploi",
    "politique",
    "ville",
    "renouvellement",
    "urbain",
    "participation",
    "jeunesse",
    "santé",
    "éducation",
    "cohésion",
    "territoires",
    "réseau",
]
# the filter combinations the `filtered` case rotates through (ASCII cities: nginx maps
# the raw query arguments to file names)
FILTERED = [("src0", "Lille"), ("src1", "Roubaix"), ("src2", "Lyon"), ("src3", "Marseille")]
GZIP = {"Accept-Encoding": "gzip"}
TARGETS = {"200": 0.50, "304": 0.25}  # issue 8: share of nginx's requests/s


def fill(db: Path, count: int, sources: int = 20) -> None:
    """`count` upcoming events from `sources` sources, each source just scraped."""
    rng = random.Random(1)
    today, now = date.today(), datetime.now(PARIS)
    with Store.open(db) as store:
        for s in range(sources):
            ref = SourceRef(id=f"src{s}", name=f"Source {s}", url=f"https://s{s}.example.org/")
            events = []
            for i in range(count // sources):
                day = today + timedelta(days=rng.randrange(1, 365))
                start: date | datetime = day
                if i % 2:
                    start = datetime(day.year, day.month, day.day, 9 + i % 8, 30, tzinfo=PARIS)
                words = " ".join(rng.choice(WORDS) for _ in range(60))
                events.append(
                    Event(
                        id=f"src{s}-{i}",
                        title=f"{rng.choice(WORDS).capitalize()} n°{i}",
                        start=start,
                        all_day=not i % 2,
                        city=rng.choice(CITIES),
                        url=f"https://s{s}.example.org/e/{i}",
                        description=words,
                        description_html=f"<p>{words}</p>",
                        tags=("politique-de-la-ville",),
                        region="Hauts-de-France" if s % 2 else "Auvergne-Rhône-Alpes",
                        sources=(ref,),
                    )
                )
            store.save_run(
                RunRecord(
                    source_id=ref.id,
                    started=now,
                    finished=now,
                    result="ok",
                    events=len(events),
                    http_status=200,
                ),
                events,
            )
        select(store, Filters(), today)  # cluster duplicates now, as a scrape would have


def write_config(folder: Path, sources: int = 20) -> None:
    lines = [
        f"  - {{id: src{s}, name: Source {s}, url: 'https://s{s}.example.org/'}}"
        for s in range(sources)
    ]
    (folder / "sources.yaml").write_text(
        "settings: {database: bench.db, interval: 6h}\nsources:\n" + "\n".join(lines) + "\n"
    )


def start_daemon(folder: Path) -> tuple[subprocess.Popen, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AGGREGATOR_NOW", "AGGREGATOR_CONFIG", "AGGREGATOR_DB", "NOTIFY_SOCKET")
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "-q", "run", "--port", "0"],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    said = []
    for line in process.stderr:
        if line.startswith("serving on "):
            return process, line.split()[-1].rstrip("/")
        said.append(line)
    raise SystemExit("the daemon did not start: " + "".join(said[-5:]).strip())


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"{key}:\s+(\d+)", status)[1]) // 1024 for key in ("VmRSS", "VmHWM")
    }


# --- tools ---------------------------------------------------------------------------


def ensure_tools() -> None:
    """wrk and nginx, installed from Debian's packages when missing."""
    missing = [name for name in ("wrk", "nginx") if not _which(name)]
    if not missing:
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        raise SystemExit(f"install {' and '.join(missing)} (Debian: apt-get install -y wrk nginx)")
    print(f"installing {' '.join(missing)} with apt-get", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", *missing]
    if subprocess.run(install, stdout=subprocess.DEVNULL, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, env=env, check=True)
        subprocess.run(install, stdout=subprocess.DEVNULL, env=env, check=True)


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


NGINX_CONF = """\
daemon off;
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    types {{ text/calendar ics; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/calendar;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000000;
    etag on;
    gzip on;
    gzip_static on;
    gzip_vary on;
    gzip_min_length 1000;
    gzip_types {gzip_types};
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location = /feed.ics {{
            add_header Cache-Control "public, max-age=300";
            try_files /filtered/${{arg_source}}_${{arg_city}}.ics /feed.ics =404;
        }}
    }}
}}
"""


def content_types() -> str:
    """The daemon's feed content types, for nginx's gzip_types."""
    from aggregator.render import CONTENT_TYPES

    return " ".join(sorted({kind.split(";")[0] for kind in CONTENT_TYPES.values()}))


@contextlib.contextmanager
def nginx(root: Path, files: dict[str, bytes], workers: str = "1") -> Iterator[str]:
    """nginx serving `files` (path under www/ -> bytes) on a free port; its base URL."""
    for name, body in files.items():
        (root / "www" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "www" / name).write_bytes(body)
    (root / "tmp").mkdir(exist_ok=True)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(workers=workers, root=root, port=port, gzip_types=content_types())
    )
    for folder, _, names in os.walk(root):  # its workers run as nobody when we are root
        os.chmod(folder, 0o755)
        for name in names:
            os.chmod(Path(folder, name), 0o644)
    os.chmod(root.parent, 0o755)
    args = [_which("nginx") or "nginx", "-p", str(root), "-c", str(conf), "-e", f"{root}/error.log"]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"nginx did not start: {process.stderr.read().strip()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise SystemExit("nginx did not open its port within 10 s")


def get(base: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One request as sent (no decompression): status, headers (lowercase), body."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


# --- wrk -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rate: float  # requests/s
    p99_ms: float
    errors: int  # socket errors and answers other than 2xx/3xx


@dataclass
class Case:
    name: str
    connections: int
    ours: list[Load] = field(default_factory=list)
    nginx: list[Load] = field(default_factory=list)

    @staticmethod
    def best(loads: list[Load]) -> Load:
        return max(loads, key=lambda load: load.rate)

    @property
    def ratio(self) -> float:
        return self.best(self.ours).rate / self.best(self.nginx).rate


LUA = """\
local paths = {{{paths}}}
local i = 0
request = function()
    i = i + 1
    return wrk.format(nil, paths[i % #paths + 1])
end
"""


def filtered_paths() -> list[str]:
    return [f"/feed.ics?source={source}&city={city}" for source, city in FILTERED]


def wrk(
    url: str, headers: dict[str, str], seconds: int, connections: int, script: Path | None = None
) -> Load:
    threads = min(2, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found[1])
    return Load(
        float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        float(p99[1]) * scale[p99[2]] if p99 else float("nan"),
        errors,
    )


# --- the measure ---------------------------------------------------------------------


@dataclass
class Report:
    events: int
    server: str = ""
    first_seconds: float = 0.0
    plain_bytes: int = 0
    gzip_bytes: int = 0
    memory: dict[str, dict[str, int]] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)


def server_kind() -> str:
    """uvicorn's event loop and HTTP parser in the daemon's environment (its "auto")."""
    probe = (
        "import importlib.util as u\n"
        "print(*(bool(u.find_spec(m)) for m in ('uvloop', 'httptools')))"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    loop, parser = (word == "True" for word in found.split())
    return f"uvicorn ({'uvloop' if loop else 'asyncio'}, {'httptools' if parser else 'h11'})"


def static_copies(base: str) -> dict[str, bytes]:
    """The daemon's /feed.ics bytes (plain and gzip) and its filtered feeds, as files."""
    files = {}
    names = ["feed.ics", *(f"filtered/{source}_{city}.ics" for source, city in FILTERED)]
    for target, name in zip(["/feed.ics", *filtered_paths()], names, strict=True):
        status, _, files[name] = get(base, target, {"Accept-Encoding": "identity"})
        status_gz, headers, packed = get(base, target, GZIP)
        if status != 200 or status_gz != 200:
            raise SystemExit(f"the daemon answered {status}/{status_gz} for {target}")
        if headers.get("content-encoding") == "gzip":
            files[name + ".gz"] = packed
    return files


def conditional(base: str) -> dict[str, str]:
    """Headers of a revalidation with the ETag this server gives; checks it answers 304."""
    status, headers, body = get(base, "/feed.ics", GZIP)
    revalidate = {**GZIP, "If-None-Match": headers["etag"]}
    if get(base, "/feed.ics", revalidate)[0] != 304:
        raise SystemExit(f"{base} does not answer 304 to If-None-Match")
    return revalidate


def same_bytes(ours: str, theirs: str) -> None:
    for target in ["/feed.ics", *filtered_paths()]:
        for headers in ({"Accept-Encoding": "identity"}, GZIP):
            if get(ours, target, headers)[2] != get(theirs, target, headers)[2]:
                raise SystemExit(f"nginx does not serve the daemon's bytes for {target}")


def measure(
    events: int, seconds: int, connections: int = 50, rounds: int = 1, workers: str = "1"
) -> Report:
    ensure_tools()
    report = Report(events, server_kind())
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        fill(folder / "bench.db", events)
        write_config(folder)
        process, base = start_daemon(folder)
        try:
            report.memory["idle"] = memory(process.pid)
            began = time.perf_counter()
            _, _, body = get(base, "/feed.ics", {"Accept-Encoding": "identity"})
            report.first_seconds = time.perf_counter() - began
            report.memory["after the first build"] = memory(process.pid)
            files = static_copies(base)
            report.plain_bytes, report.gzip_bytes = len(body), len(files["feed.ics.gz"])
            (folder / "nginx").mkdir()
            with nginx(folder / "nginx", files, workers) as static:
                same_bytes(base, static)
                report.cases = _load_both(base, static, folder, seconds, connections, rounds)
            report.memory["after the load"] = memory(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return report


def _load_both(
    ours: str, static: str, folder: Path, seconds: int, connections: int, rounds: int
) -> list[Case]:
    script = folder / "filtered.lua"
    script.write_text(LUA.format(paths=", ".join(f'"{p}"' for p in filtered_paths())))
    headers = {"200": (GZIP, GZIP), "304": (conditional(ours), conditional(static))}
    cases = [Case("200", connections), Case("304", connections), Case("filtered", 20)]
    for _ in range(rounds):  # alternated, so machine load falls on both alike
        for case in cases:
            for base, loads, index in ((ours, case.ours, 0), (static, case.nginx, 1)):
                sent = headers.get(case.name, (GZIP, GZIP))[index]
                lua = script if case.name == "filtered" else None
                loads.append(wrk(f"{base}/feed.ics", sent, seconds, case.connections, lua))
    return cases


LABELS = {
    "200": "cached /feed.ics 200 (gzip)",
    "304": "304 (If-None-Match)",
    "filtered": "filtered /feed.ics?source=&city= (gzip), 20 connections",
}


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--events", type=int, default=10_000)
    options.add_argument("--seconds", type=int, default=10, help="per wrk run")
    options.add_argument("--connections", type=int, default=50)
    options.add_argument("--rounds", type=int, default=1, help="alternated wrk runs, best kept")
    options.add_argument("--nginx-workers", default="1", help="worker_processes (e.g. auto)")
    options.add_argument("--quick", action="store_true", help="1,000 events, 2 s runs")
    options.add_argument("--json", action="store_true", help="the report as JSON (bench/run.py)")
    args = options.parse_args(argv)
    events, seconds = (1000, 2) if args.quick else (args.events, args.seconds)
    r = measure(events, seconds, args.connections, args.rounds, args.nginx_workers)
    if args.json:
        print(json.dumps(dataclasses.asdict(r)))
        return 0
    print(f"{r.server}, {r.events} events; first /feed.ics: {r.first_seconds:.2f} s to build")
    print(f"/feed.ics: {r.plain_bytes / 1e6:.2f} MB, gzip {r.gzip_bytes / 1e6:.2f} MB")
    for case in r.cases:
        ours, theirs = case.best(case.ours), case.best(case.nginx)
        target = TARGETS.get(case.name)
        verdict = "" if target is None else (" met" if case.ratio >= target else " MISSED")
        print(
            f"{LABELS[case.name]}: ours {ours.rate:,.0f} req/s p99 {ours.p99_ms:.1f} ms, "
            f"nginx {theirs.rate:,.0f} req/s p99 {theirs.p99_ms:.1f} ms, "
            f"ratio {case.ratio:.0%}{f' (target {target:.0%}){verdict}' if target else ''}"
            + (f", errors {ours.errors}/{theirs.errors}" if ours.errors or theirs.errors else "")
        )
    for moment, mb in r.memory.items():
        print(f"daemon {moment}: {mb} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
