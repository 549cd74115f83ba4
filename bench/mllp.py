#!/usr/bin/env python3
"""bench/mllp.py BUILD_DIR - HL7 v2 throughput: ADT^A01 messages per second
accepted by `hemgang serve --mllp` over one MLLP connection and over several,
each acknowledged only after its event is durable (the ACK is read before the
next message is sent on that connection). Loopback only, bounded counts; the
numbers are printed, never asserted."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
binary = os.path.join(os.getcwd(), build, "hemgang")
count = int(os.environ.get("BENCH_MLLP_MESSAGES", "2000"))
conns = int(os.environ.get("BENCH_MLLP_CONNECTIONS", "8"))
WARDS = ["SE2321000180-E1012", "SE2321000180-E1014", "SE2321000180-E1017", "SE2321000180-E1031"]


def luhn(nine):
    s = 0
    for i, c in enumerate(nine):
        d = int(c) * (2 if i % 2 == 0 else 1)
        s += d // 10 + d % 10
    return str((10 - s % 10) % 10)


def admission(n, tag):
    day = 1 + n % 28
    serial = f"{1 + n % 999:03d}"
    birth = f"19{40 + n % 50:02d}{1 + n % 12:02d}{day:02d}"
    pnr = f"{birth}{serial}{luhn(birth[2:] + serial)}"
    return ("MSH|^~\\&|PAS|BENCH|HEMGANG|RD|20240503100000||ADT^A01|%s%d|P|2.5\r"
            "EVN|A01|20240503100000\r"
            "PID|1||%s^^^&1.2.752.129.2.1.3.1&ISO||Bench^Patient%d||||||Gatan 1^^Falun^^791 31^SE^H^^2080\r"
            "PV1|1|I|%s||||||||||||||||%s%d\r" % (tag, n, pnr, n, WARDS[n % len(WARDS)], tag, n)).encode()


def run(port, messages, out):
    ok = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        for m in messages:
            s.sendall(b"\x0b" + m + b"\x1c\r")
            data = b""
            while not data.endswith(b"\x1c\r"):
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("connection closed")
                data += chunk
            ok += b"MSA|AA|" in data
    out.append(ok)


def measure(port, label, groups):
    results, threads = [], []
    start = time.time()
    for g in groups:
        th = threading.Thread(target=run, args=(port, g, results))
        th.start()
        threads.append(th)
    for th in threads:
        th.join(timeout=600)
    secs = time.time() - start
    total, acked = sum(len(g) for g in groups), sum(results)
    # only what was acknowledged counts (a refused connection sends nothing)
    print(f"mllp {label}: {total} ADT^A01 in {secs:.2f} s = {acked / secs:.0f} acknowledged messages/s, {acked} AA")


with tempfile.TemporaryDirectory(prefix="hemgang-mllp-bench.") as d:
    db = os.path.join(d, "bench.db")
    subprocess.run([binary, "demo", "--db", db, "--episodes", "10"], check=True, capture_output=True, timeout=300)
    # one peer opens every connection: the per-peer limit (4 by default) must let them all in
    limits = f"connections={max(64, 2 * conns)},per-peer={max(4, conns)}"
    srv = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:0", "--mllp", "127.0.0.1:0",
                            "--mllp-limits", limits],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.time() + 60
        while time.time() < deadline and port is None:
            m = re.search(r"\(mllp port (\d+)\)", srv.stderr.readline())
            port = int(m.group(1)) if m else None
        threading.Thread(target=lambda: [None for _ in srv.stderr], daemon=True).start()
        measure(port, "1 connection", [[admission(n, "S") for n in range(count)]])
        per = count // conns
        # other patients than the first run's: a patient still admitted is not admitted again
        measure(port, f"{conns} connections",
                [[admission(count + c * per + n, f"P{c}-") for n in range(per)] for c in range(conns)])
    finally:
        srv.terminate()
        srv.wait(timeout=30)
