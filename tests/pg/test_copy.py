#!/usr/bin/env python3
"""`hemgang copy` (issue 12 item 3): the demo database with agreements, invoices and HL7 state, copied from SQLite
into an empty PostgreSQL database, gives identical projection dumps, the same rows in every table, and the same
API answers from a server on each. Run by tests/pg/pg.sh (HEMGANG_TEST_PG_URI set)."""
import datetime
import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from hemgang_test import HEMGANG, PG_URI, TMP, Checks, Client, Server, db_exec, db_rows, fresh_db  # noqa: E402

t = Checks("test_copy")
if not PG_URI:
    print("test_copy: needs HEMGANG_TEST_PG_URI (run tests/pg/pg.sh)")
    t.finish()

src = os.path.join(TMP, "copy-source.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(src + suffix):
        os.remove(src + suffix)


def run(*args, check=True):
    return subprocess.run([HEMGANG, *args], capture_output=True, text=True, timeout=600, check=check)


out = run("demo", "--db", src, "--episodes", "60").stdout
logins = [line.split("\t") for line in out.splitlines()]
run("agreement", "--db", src, "import", "agreements/demo-amounts.json")
run("hl7", "--db", src, "facility", "FALU", "--org", "R20", "--allow", "10.0.0.1")
# invoices of the last twelve months (a small random demo has months without any)
today = datetime.date.today()
for back in range(1, 13):
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    run("invoice", "--db", src, "build", "--month", f"{y}-{m + 1:02d}", check=False)
token = run("user", "--db", src, "token", "journal", "copy-test").stdout.strip()
# COPY's text format escapes these (tab, newline, carriage return, backslash): they must arrive as they were
awkward = "tab\there\nnew line\r\\back\\slash \\N \\x41"
db_exec(src, "INSERT INTO settings(key, value) VALUES (?, ?)", ("copy.test", awkward))
dst = fresh_db("copy_target")

r = run("copy", "--from", src, "--to", dst, check=False)
t.eq(r.returncode, 0, "copy succeeds: " + r.stderr.strip())
lines = r.stdout.splitlines()
t.eq(lines[-1] if lines else None, "identical", "the projection dumps are identical")
dumps = [l.split("\t")[1] for l in lines if l.startswith(("source\t", "target\t"))]
t.eq(len(dumps), 2, "both dumps printed")
t.ok(len(dumps) == 2 and dumps[0] == dumps[1], "the same hash")
t.ok("password" not in r.stdout + r.stderr, "nothing about the URI's secrets is printed")

tables = ["users", "user_units", "sessions", "api_tokens", "episodes", "events", "episode_projection",
          "episode_parties", "pending_acks", "episode_facts", "audit_log", "audit_patients", "settings", "agreements",
          "invoices", "invoice_steps", "survey_answers", "hl7_facilities"]
for table in tables:
    a = db_rows(src, f"SELECT count(*) FROM {table}")[0][0]
    b = db_rows(dst, f"SELECT count(*) FROM {table}")[0][0]
    t.eq(int(b), int(a), f"{table}: the same number of rows")
for sql in ["SELECT id, episode_id, seq, type, occurred_at, recorded_at, author_user, body FROM events ORDER BY id",
            "SELECT id, at, username, action, coalesce(episode_id, 0) FROM audit_log ORDER BY id",
            "SELECT id, version, length(document) FROM agreements ORDER BY id, version",
            "SELECT id, municipality, month, revision, state, total_ore, length(document) FROM invoices ORDER BY id"]:
    a = [tuple(str(v) for v in row) for row in db_rows(src, sql)]
    b = [tuple(str(v) for v in row) for row in db_rows(dst, sql)]
    t.ok(a == b, "the same rows: " + sql.split(" FROM ")[1].split(" ")[0])
t.ok(token != "", "an API token to copy (its hash is bytea on PostgreSQL)")
a = [row[0].lower() for row in db_rows(src, "SELECT hex(token_hash) FROM api_tokens ORDER BY name")]
b = [row[0] for row in db_rows(dst, "SELECT encode(token_hash, 'hex') FROM api_tokens ORDER BY name")]
t.ok(a == b and len(a) > 0, "the token hashes arrive byte for byte")
got = db_rows(dst, "SELECT md5(value), length(value) FROM settings WHERE key = 'copy.test'")
t.eq(got, [(hashlib.md5(awkward.encode()).hexdigest(), str(len(awkward)))],
     "a value with tab, newline, carriage return and backslashes arrives as it was")
# documents span lines: compared by their MD5 (psql's output is one line per row)
for table, key in (("agreements", "id, version"), ("invoices", "id")):
    a = [hashlib.md5(row[0].encode()).hexdigest() for row in db_rows(src, f"SELECT document FROM {table} ORDER BY {key}")]
    b = [row[0] for row in db_rows(dst, f"SELECT md5(document) FROM {table} ORDER BY {key}")]
    t.ok(a == b and len(a) > 0, f"the same documents: {table}")

r = run("copy", "--from", src, "--to", dst, check=False)
t.eq(r.returncode, 2, "a second copy into the filled database is refused")
t.ok("not empty" in r.stderr, "and says why")

# The same API answers from a server on each database.
user = next(l[0] for l in logins if l[1] == "nurse") if any(l[1] == "nurse" for l in logins) else logins[0][0]
servers = [Server(src, os.path.join(TMP, "copy-src.log")).start(), Server(dst, os.path.join(TMP, "copy-dst.log")).start()]
try:
    answers = []
    for srv in servers:
        c = Client(srv.port)
        t.eq(c.login(user)[0], 200, "login on each server")
        got = []
        status, body, _ = c.request("GET", "/api/v1/episodes?limit=50")
        got.append((status, body))
        ids = [e["id"] for e in (body or {}).get("episodes", [])][:5]
        for i in ids:
            status, body, _ = c.request("GET", f"/api/v1/episodes/{i}")
            got.append((status, body))
        status, body, _ = c.request("GET", "/api/v1/worklist")
        got.append((status, body))
        answers.append(got)
    t.ok(len(answers[0]) > 2, "episodes to compare")
    for k, (a, b) in enumerate(zip(answers[0], answers[1])):
        t.eq(b, a, f"answer {k} is the same on PostgreSQL")
    status, _, _ = Client(servers[1].port).request("GET", "/api/v1/agreements")
    t.eq(status, 401, "the agreements route is served on PostgreSQL (it asks for a login, not 501)")
finally:
    for srv in servers:
        srv.stop()
t.finish()
