"""hemgang_test.py - a tiny harness for the API tests: counts checks, starts the
real server on a loopback port with a fresh demo database, and speaks HTTP with
the standard library only. Every loop and wait is bounded."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

HEMGANG = os.environ.get("HEMGANG", "build/asan/hemgang")
TMP = os.environ.get("HEMGANG_TEST_TMP", "/tmp")


class Checks:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def ok(self, cond, label):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {self.name}: {label}", file=sys.stderr)
        return cond

    def eq(self, got, want, label):
        return self.ok(got == want, f"{label}: got {got!r}, want {want!r}")

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


# With HEMGANG_TEST_PG_URI (the URI of a PostgreSQL server's maintenance database, set by tests/pg/pg.sh)
# every database of the tests is a fresh PostgreSQL database on that server instead of a SQLite file.
PG_URI = os.environ.get("HEMGANG_TEST_PG_URI", "")
PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")


def is_pg(db):
    return db.startswith("postgresql://") or db.startswith("postgres://")


def pg_query(db, sql):
    """Rows of one SQL query on PostgreSQL database db (a URI), as tuples of text (NULL as None)."""
    out = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-F", "\x1f", "-P", "null=\x1e", "-v", "ON_ERROR_STOP=1",
                          db, "-c", sql], check=True, capture_output=True, text=True, timeout=120).stdout
    return [tuple(None if v == "\x1e" else v for v in line.split("\x1f")) for line in out.splitlines() if line]


def db_rows(db, sql, params=()):
    """Rows of one read-only SQL query on db, a SQLite path or a PostgreSQL URI. Parameters are `?` and are
    inlined as SQL literals on PostgreSQL (tests only: numbers and plain strings); PostgreSQL answers text."""
    if is_pg(db):
        for v in params:
            lit = str(int(v)) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
            sql = sql.replace("?", lit, 1)
        return pg_query(db, sql)
    import sqlite3
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as c:
        return [tuple(r) for r in c.execute(sql, params).fetchall()]


def db_exec(db, sql, params=()):
    """Runs one writing SQL statement on db, a SQLite path or a PostgreSQL URI (parameters as db_rows)."""
    if is_pg(db):
        for v in params:
            lit = str(int(v)) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
            sql = sql.replace("?", lit, 1)
        pg_query(db, sql)
        return
    import sqlite3
    with sqlite3.connect(db, timeout=30) as c:
        c.execute(sql, params)


def fresh_db(name):
    """The path of database NAME in the test directory, with any earlier file (and its -wal, -shm) removed;
    under HEMGANG_TEST_PG_URI the URI of a new, empty PostgreSQL database named after NAME."""
    if PG_URI:
        from urllib.parse import urlsplit, urlunsplit
        dbname = re.sub(r"[^a-z0-9_]", "_", name.lower())
        subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", PG_URI, "-c", f'DROP DATABASE IF EXISTS "{dbname}"',
                        "-c", f'CREATE DATABASE "{dbname}"'], check=True, capture_output=True, timeout=60,
                       env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
        u = urlsplit(PG_URI)
        return urlunsplit((u.scheme, u.netloc, "/" + dbname, u.query, u.fragment))
    db = os.path.join(TMP, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    return db


def make_pnr(i):
    """A valid personnummer, different for every i in 0..7 292 699 (born 1930-1949; one patient may have
    only one open episode, so tests that admit many patients need many numbers)."""
    import datetime as _dt
    born = _dt.date(1930, 1, 1) + _dt.timedelta(days=i % 7300)
    digits = born.strftime("%y%m%d") + "%03d" % (i // 7300 % 999 + 1)
    total = 0
    for k, ch in enumerate(digits):
        d = int(ch) * (2 if k % 2 == 0 else 1)
        total += d // 10 + d % 10
    return "19" + digits[:6] + "-" + digits[6:] + str((10 - total % 10) % 10)


def make_demo(db, episodes=40, now=None):
    args = [HEMGANG, "demo", "--db", db, "--episodes", str(episodes)]
    if now:
        args += ["--now", now]
    out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=300).stdout
    # The statutory default has amounts for 2019 and 2022 only, and a night is never priced with another
    # year's (issue 15.2): import test amounts for the demo's years, as an administrator imports the real ones.
    subprocess.run([HEMGANG, "agreement", "--db", db, "import", "agreements/demo-amounts.json"],
                   check=True, capture_output=True, timeout=60)
    logins = []
    for line in out.splitlines():
        user, role, org, unit = line.split("\t")
        logins.append({"username": user, "role": role, "org": org, "unit": unit})
    return logins


class Server:
    """The real hemgang server on 127.0.0.1 with an ephemeral port."""

    def __init__(self, db, log_path, extra=()):
        self.db, self.log_path, self.extra = db, log_path, list(extra)
        self.proc, self.port = None, None

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([HEMGANG, "serve", "--db", self.db, "--listen", "127.0.0.1:0"] + self.extra,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.write(line)
            m = re.search(r"\(port (\d+)\)", line)
            if m:
                self.port = int(m.group(1))
                break
        if not self.port:
            raise RuntimeError("server did not start")
        # Drain the rest of stderr into the log in the background.
        import threading
        def drain():
            for l in self.proc.stderr:
                self.log.write(l)
                self.log.flush()
        threading.Thread(target=drain, daemon=True).start()
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.flush()


class Client:
    def __init__(self, port):
        self.port, self.cookie, self.token = port, None, None

    def request(self, method, path, body=None, headers=None, raw=None, content_type="application/json"):
        h = dict(headers or {})
        data = None
        if raw is not None:
            data = raw
            h.setdefault("Content-Type", content_type)
        elif body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", content_type)
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            text = r.read()
            ctype = r.getheader("Content-Type", "")
            parsed = None
            if text and "json" in ctype:
                parsed = json.loads(text)
            return r.status, parsed, dict(r.getheaders())
        finally:
            conn.close()

    def login(self, username, password="demo"):
        status, body, headers = self.request("POST", "/api/v1/session", {"username": username, "password": password})
        if status == 200:
            self.cookie = headers["Set-Cookie"].split(";")[0]
        return status, body, headers


def logged_in(checks, port, username):
    """A Client logged in as username (demo password), the login checked by checks."""
    c = Client(port)
    status, _, _ = c.login(username)
    checks.eq(status, 200, f"login {username}")
    return c


def session_user(c):
    """The user of c's session: username, role, units, ..."""
    return c.request("GET", "/api/v1/session")[1]["user"]
