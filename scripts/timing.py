#!/usr/bin/env python3
"""Does a key request take as long whatever the address? (R8; issue #11, hole 5)

Builds and starts the release server on a fresh data folder and a free port, makes addresses of four kinds
(unknown, awaiting password, provisional, active) through the API, then sends key requests for them
(`POST /api/v1/auth-keys`), one at a time over one kept-alive connection, the four kinds shuffled together, for
each purpose. It prints, per purpose and kind, the median and 90th percentile of the client-side latency and the
two-sided Mann-Whitney U p-value of the kind against the unknown addresses (normal approximation with a tie
correction). A small p (below 0.01, say) with a median that differs says the answer tells the kinds apart.

Each address is asked once per purpose, so that the hourly cap per address (5) never answers 429; the per-client
limit is turned off (`MYPAGE_KEY_REQUESTS_PER_CLIENT=0`). Standard library only; run it with `just timing`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import gc
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("unknown", "awaiting", "provisional", "active")
PURPOSES = ("open_mypage", "sign_up", "reset_password")
# What each kind gets for each purpose (docs/domain.md): a key, a notice, or a withheld mail that is never sent.
ANSWER = {
    "open_mypage": {"unknown": "withheld", "awaiting": "key", "provisional": "notice", "active": "notice"},
    "sign_up": {"unknown": "key", "awaiting": "notice", "provisional": "notice", "active": "notice"},
    "reset_password": {"unknown": "withheld", "awaiting": "notice", "provisional": "key", "active": "key"},
}
PASSWORD = "Kyujin#Madoguchi2026"
ESTABLISHMENT = "1301-123456-7"  # the demo's establishment of office 1301
COUNTER = "iidabashi.counter"  # the demo's counter clerk of office 1301


def log(message: str) -> None:
    print(f"[timing] {message}", file=sys.stderr, flush=True)


# Statistics.


def quantile(sorted_values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation between closest ranks (numpy's default)."""
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def mann_whitney(a: list[float], b: list[float]) -> tuple[float, float]:
    """Two-sided Mann-Whitney U test of a against b: (p, P(a > b) + P(a = b) / 2).

    The normal approximation of U, with the variance corrected for ties and a continuity correction of 1/2; at
    hundreds of samples per group it is as good as the exact distribution.
    """
    n1, n2 = len(a), len(b)
    pooled = sorted([(x, 0) for x in a] + [(y, 1) for y in b])
    ranks_a = 0.0
    tie_term = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        rank = (i + j) / 2 + 1  # the average of ranks i+1 .. j+1
        ties = j - i + 1
        tie_term += ties**3 - ties
        ranks_a += rank * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        i = j + 1
    u = ranks_a - n1 * (n1 + 1) / 2
    n = n1 + n2
    mean = n1 * n2 / 2
    variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if variance <= 0:
        return 1.0, 0.5
    z = (abs(u - mean) - 0.5) / math.sqrt(variance)
    p = math.erfc(max(z, 0.0) / math.sqrt(2))
    return p, u / (n1 * n2)


# The server.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build() -> Path:
    """`cargo build --release -p mypage-server`; the path of the binary it made."""
    log("building the release server (cargo build --release -p mypage-server)")
    command = ["cargo", "build", "--release", "-p", "mypage-server", "--message-format=json-render-diagnostics"]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    for line in done.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "mypage-server":
            if message.get("executable"):
                return Path(message["executable"])
    raise SystemExit("cargo built no mypage-server binary")


class Server:
    """The release binary on a fresh data folder, stopped (by its own pid) when the block ends."""

    def __init__(self, binary: Path, keep: bool) -> None:
        self.binary = binary
        self.keep = keep
        self.data = Path(tempfile.mkdtemp(prefix="mypage-timing-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MYPAGE_")}
        env.update(
            MYPAGE_DATA_DIR=str(self.data),
            MYPAGE_LISTEN=f"127.0.0.1:{self.port}",
            MYPAGE_DEMO="true",
            MYPAGE_METRICS="false",
            MYPAGE_KEY_REQUESTS_PER_CLIENT="0",
            MYPAGE_LOG="warn",
        )
        self.log_file = open(self.data / "server.log", "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen([str(self.binary)], env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped at start; see {self.data / 'server.log'}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    log(f"server up on 127.0.0.1:{self.port}, data in {self.data}")
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not answer /healthz within 60 s")

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        if self.keep:
            log(f"kept {self.data}")
        else:
            shutil.rmtree(self.data, ignore_errors=True)


class Client:
    """One kept-alive connection; reconnects once if the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: object | None = None, token: str | None = None) -> tuple[int, dict]:
        status, data, _ = self.timed(method, path, body, token)
        return status, data

    def timed(
        self, method: str, path: str, body: object | None = None, token: str | None = None
    ) -> tuple[int, dict, float]:
        """The status, the JSON answer and the microseconds from sending the request to reading all of the answer."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):
            try:
                started = time.perf_counter_ns()
                self.connection.request(method, path, payload, headers)
                response = self.connection.getresponse()
                raw = response.read()
                elapsed = (time.perf_counter_ns() - started) / 1000
                return response.status, (json.loads(raw) if raw else {}), elapsed
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def in_parallel(port: int, jobs: list, work, workers: int = 4) -> list:
    """Runs `work(client, job)` for every job on `workers` threads, each with its own connection."""
    local = threading.local()

    def run(job):
        if not hasattr(local, "client"):
            local.client = Client(port)
        return work(local.client, job)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, jobs))


# The addresses.


def expect(status: int, wanted: int, answer: dict, what: str) -> None:
    if status != wanted:
        raise SystemExit(f"{what}: {status} {answer}")


def make_addresses(server: Server, n: int, rng: random.Random) -> tuple[dict[str, list[str]], dict]:
    """n fresh addresses of each kind, all of the same length so that every request and answer has one size, and
    random, so that no kind sorts together in the database's indexes (where an insert lands costs more or less)."""
    client = Client(server.port)
    status, terms = client.call("GET", "/api/v1/terms")
    expect(status, 200, terms, "GET /api/v1/terms")
    consent = {
        "privacy_policy_agreed": True,
        "mypage_terms_agreed": True,
        "privacy_policy_version": terms["privacy_policy_version"],
        "mypage_terms_version": terms["mypage_terms_version"],
    }
    staff_file = (server.data / "demo-staff.txt").read_text()
    password = re.search(r"Password of every demo account: (\S+)", staff_file).group(1)
    status, session = client.call("POST", "/api/v1/staff/sessions", {"login": COUNTER, "password": password})
    expect(status, 201, session, "the counter clerk's login")
    token = session["token"]
    names = iter(rng.sample(range(16**10), len(KINDS) * n))
    addresses = {kind: [f"{next(names):010x}@timing.example.jp" for _ in range(n)] for kind in KINDS}

    log(f"registering {2 * n} addresses at the counter (awaiting password; half will become active)")

    def counter(c: Client, email: str) -> None:
        registration = {"email": email, "establishment_number": ESTABLISHMENT}
        status, answer = c.call("POST", "/api/v1/staff/counter-registrations", registration, token)
        expect(status, 201, answer, f"counter registration of {email}")

    in_parallel(server.port, addresses["awaiting"] + addresses["active"], counter)

    log(f"asking keys for {2 * n} addresses: open_mypage for the active ones, sign_up for the provisional ones")
    jobs = [("open_mypage", e) for e in addresses["active"]] + [("sign_up", e) for e in addresses["provisional"]]

    def ask(c: Client, job: tuple[str, str]) -> tuple[str, str]:
        purpose, email = job
        status, answer = c.call("POST", "/api/v1/auth-keys", {"purpose": purpose, "email": email, "consent": consent})
        expect(status, 202, answer, f"key request for {email}")
        return email, answer["flow_token"]

    tokens = dict(in_parallel(server.port, jobs, ask))

    log("reading the keys from the mail files the server writes")
    keys: dict[str, str] = {}
    deadline = time.monotonic() + 300
    mail_dir = server.data / "mail"
    seen: set[Path] = set()
    while len(keys) < len(tokens):
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(keys)} of {len(tokens)} key mails arrived in {mail_dir}")
        for path in mail_dir.glob("*.txt") if mail_dir.exists() else []:
            if path in seen:
                continue
            text = path.read_text(encoding="utf-8")
            to = re.search(r"^To: (\S+)$", text, re.MULTILINE)
            key = re.search(r"認証キー：([A-Z0-9]{5}-[A-Z0-9]{5})", text)
            if to and key:
                seen.add(path)
                keys[to.group(1)] = key.group(1)
        time.sleep(0.5)

    log(f"setting {len(tokens)} passwords (argon2id: this is the slow part)")

    def register(c: Client, email: str) -> None:
        body = {"flow_token": tokens[email], "auth_key": keys[email], "password": PASSWORD, "confirmation": PASSWORD}
        status, answer = c.call("POST", "/api/v1/passwords", body)
        expect(status, 201, answer, f"password for {email}")
        wanted = "active" if email in active else "provisional"
        if answer.get("status") != wanted:
            raise SystemExit(f"{email} is {answer.get('status')}, not {wanted}")

    active = set(addresses["active"])
    in_parallel(server.port, list(tokens), register)
    return addresses, consent


# The measurement.


def measure(
    server: Server, addresses: dict[str, list[str]], consent: dict, purpose: str, rng: random.Random, warmup: int
) -> dict[str, list[float]]:
    """One key request per address for `purpose`, the kinds shuffled together; latencies in microseconds."""
    client = Client(server.port)

    def body(email: str) -> dict:
        if purpose == "reset_password":
            return {"purpose": purpose, "email": email}
        return {"purpose": purpose, "email": email, "consent": consent}

    # Warm the connection, the server's caches and the database's pages with addresses measured by no purpose;
    # each is asked once per purpose, under the hourly cap of five per address.
    for i in range(warmup):
        status, answer, _ = client.timed("POST", "/api/v1/auth-keys", body(f"warm{i:06d}@timing.example.jp"))
        expect(status, 202, answer, "warm-up")
    order = [(kind, email) for kind in KINDS for email in addresses[kind]]
    rng.shuffle(order)
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    gc.disable()
    try:
        for kind, email in order:
            status, answer, micros = client.timed("POST", "/api/v1/auth-keys", body(email))
            expect(status, 202, answer, f"{purpose} for {email}")
            samples[kind].append(micros)
    finally:
        gc.enable()
    return samples


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
        return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=500, help="requests per kind and purpose (default 500)")
    parser.add_argument("--binary", type=Path, help="a mypage-server binary to measure instead of building one")
    parser.add_argument("--label", help="what the given binary was built from, for the report")
    parser.add_argument("--purposes", default=",".join(PURPOSES), help="comma-separated (default: all three)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each purpose")
    parser.add_argument("--seed", type=int, default=8, help="seed of the shuffle")
    parser.add_argument("--keep", action="store_true", help="keep the data folder (and its server.log)")
    args = parser.parse_args()
    purposes = [p for p in args.purposes.split(",") if p]
    if unknown := [p for p in purposes if p not in PURPOSES]:
        raise SystemExit(f"unknown purposes {unknown}; use {', '.join(PURPOSES)}")
    binary = args.binary or build()
    rng = random.Random(args.seed)
    started = datetime.datetime.now(datetime.timezone.utc)
    results: dict[str, dict[str, list[float]]] = {}
    with Server(binary, args.keep) as server:
        addresses, consent = make_addresses(server, args.samples, rng)
        for purpose in purposes:
            log(f"measuring {purpose}: {args.samples} requests per kind, shuffled")
            results[purpose] = measure(server, addresses, consent, purpose, rng, args.warmup)

    print(f"Key request timing (R8), {started:%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}")
    built = args.label or (str(binary) if args.binary else f"built from {revision()}")
    print(f"Server: release binary {built}; SQLite in a fresh temporary folder, mail to files")
    print(
        f"Method: {args.samples} requests per kind and purpose over one kept-alive loopback connection, one at a time, "
        f"random addresses of one length, kinds shuffled (seed {args.seed}), after {args.warmup} unmeasured requests; "
        "client-side latency from sending the request to reading the whole answer; "
        "two-sided Mann-Whitney U against the unknown addresses (normal approximation)."
    )
    print()
    columns = ["purpose", "kind", "answer", "n", "median µs", "p90 µs", "median − unknown µs"]
    columns += ["P(slower than unknown)", "Mann-Whitney p"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for purpose, samples in results.items():
        unknown = sorted(samples["unknown"])
        for kind in KINDS:
            values = sorted(samples[kind])
            median, p90 = quantile(values, 0.5), quantile(values, 0.9)
            if kind == "unknown":
                delta, share, p = "", "", ""
            else:
                p_value, auc = mann_whitney(values, unknown)
                delta = f"{median - quantile(unknown, 0.5):+.1f}"
                share = f"{auc:.3f}"
                p = f"{p_value:.3g}"
            answer = ANSWER[purpose][kind]
            cells = [purpose, kind, answer, str(len(values)), f"{median:.1f}", f"{p90:.1f}", delta, share, p]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
