"""test_security.py - what an attacker and a careless client tried (issue 13), each
on the real server over loopback: roles on the survey writes, one client holding
the connection slots, slow headers and bodies, login limits and who they lock,
malformed framing sent over raw sockets, token expiry, revocation and disabled
users. Loopback has all of 127/8, so "other addresses" are real source
addresses 127.0.0.N. Every loop and wait is bounded; nothing asserts on time."""
import datetime
import os
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import HEMGANG, TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

t = Checks("test_security")
db = fresh_db("security.db")
logins = {l["username"]: l for l in make_demo(db, episodes=500, now="2024-06-15")}
log = os.path.join(TMP, "security-server.log")


def raw(port, data, src=None, timeout=5.0):
    """Sends data on a new connection and reads until the server closes it (or timeout).
    Returns (bytes received, closed by the server)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0) if src else None)
    out, closed = b"", False
    try:
        s.sendall(data)
        deadline = time.time() + timeout
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            out += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    finally:
        s.close()
    return out, closed


def head_blocks(reply):
    return reply.count(b"HTTP/1.1 ")


# ---- 2: every write route asks the role table in the core ----
srv = Server(db, log).start()
port = srv.port
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731


def login(name):
    c = Client(port)
    t.eq(c.login(name)[0], 200, f"login {name}")
    return c


region = login("faktura-region")
best = None
for month in ("2024-05", "2024-04", "2024-03"):
    status, body, _ = region.request("POST", "/api/v1/invoices", {"month": month, "cutoff": "2024-06-14T00:00:00Z"})
    lines = [l for inv in (body or {}).get("invoices", []) for l in inv.get("lines", [])]
    if status == 201 and lines:
        best = lines
        break
t.ok(best is not None, "the invoice officer built an invoice with lines")
on_invoice = None
for line in best or []:
    status, ep, _ = region.request("GET", f"/api/v1/episodes/{line['episode']}")
    if status == 200 and ep.get("episode", {}).get("status") == "discharged":
        on_invoice = line["episode"]
        break
t.ok(on_invoice is not None, "the invoice officer may read a discharged episode on the invoice")
status, body, _ = region.request("POST", f"/api/v1/episodes/{on_invoice}/survey-invitations", {})
t.eq((status, (body or {}).get("code")), (403, "role_forbidden"), "invoice officer: no survey link")
status, body, _ = region.request("POST", f"/api/v1/episodes/{on_invoice}/survey-answers", {"felt_safe": True})
t.eq((status, (body or {}).get("code")), (403, "role_forbidden"), "invoice officer: no survey answer")

ward, journal = login("avd12"), login("journal")  # the records system feeds the same ward
status, eps, _ = ward.request("GET", "/api/v1/episodes?status=discharged&limit=50")
con = sqlite3.connect(db)
answered = {r[0] for r in con.execute("SELECT episode_id FROM survey_answers")}
con.close()
mine = [e["id"] for e in (eps or {}).get("episodes", []) if e["id"] not in answered]
t.ok(len(mine) >= 1, "the ward has a discharged episode without an answer")
eid = mine[0]
t.eq(journal.request("GET", f"/api/v1/episodes/{eid}")[0], 200, "the records system sees the ward's episode")
for name in ("journal", "analytiker", "admin"):
    c = journal if name == "journal" else login(name)
    for kind, body in (("survey-invitations", {}), ("survey-answers", {"felt_safe": True})):
        status, reply, _ = c.request("POST", f"/api/v1/episodes/{eid}/{kind}", body)
        t.eq((status, (reply or {}).get("code")), (403, "role_forbidden"), f"{name}: {kind} refused by role")
t.eq(ward.request("POST", f"/api/v1/episodes/{eid}/survey-invitations", {})[0], 201, "the ward may make a link")
status, body, _ = journal.request("POST", "/api/v1/point-measurements", {})
t.eq(status, 403, "a records system saves no point measurement")
srv.stop()

# ---- 8: malformed framing, over raw sockets ----
srv = Server(db, log).start()
port = srv.port
reply, closed = raw(port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n"
                          b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
t.ok(reply.startswith(b"HTTP/1.1 400 "), "Content-Length with Transfer-Encoding is 400")
t.ok(b'"code":"ambiguous_length"' in reply, "... with its code")
t.eq(head_blocks(reply), 1, "... and nothing after it: the smuggled request is not answered")
t.ok(closed, "... and the connection is closed")
reply, closed = raw(port, b"GET /healthz HTTP/1.1\r\n\r\n")
t.ok(reply.startswith(b"HTTP/1.1 400 ") and b'"code":"host_missing"' in reply, "HTTP/1.1 without Host is 400")
t.ok(closed, "... and the connection is closed")
reply, _ = raw(port, b"GET /healthz HTTP/1.0\r\n\r\n")
t.ok(reply.startswith(b"HTTP/1.1 200 "), "HTTP/1.0 needs no Host")
reply, closed = raw(port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 18446744073709551615\r\n\r\n{}")
t.ok(reply.startswith(b"HTTP/1.1 413 "), "a huge Content-Length is 413")
t.eq(head_blocks(reply), 1, "... with one header block")
for h in (b"X-Content-Type-Options: nosniff", b"X-Frame-Options: DENY", b"Content-Security-Policy:",
          b"Content-Type: application/problem+json"):
    t.ok(h in reply, f"... carrying {h.decode()}")
t.ok(closed, "... and the connection is closed")

# ---- 8: API tokens expire, are revoked, and a disabled user gets nowhere ----
def cli(*args):
    return subprocess.run([HEMGANG, "user", "--db", db] + list(args), capture_output=True, text=True, timeout=60)


def bearer(token):
    c = Client(port)
    c.token = token
    return c.request("GET", "/api/v1/session")[0]


def soon(probe, want):
    """The server remembers who a session or token is for a few seconds (the store's cache), so a
    change made by the CLI, another process, shows within that time: ask until it does (bounded)."""
    got = probe()
    for _ in range(40):
        if got == want:
            break
        time.sleep(0.25)
        got = probe()
    return got


out = cli("token", "journal", "feed-a", "--days", "30")
t.eq(out.returncode, 0, "user token --days")
tok_a = out.stdout.strip()
t.ok("expires" in out.stderr, "the expiry is told")
tok_b = cli("token", "journal", "feed-b", "--expires", str(datetime.date.today() + datetime.timedelta(days=2))).stdout.strip()
tok_c = cli("token", "journal", "feed-c").stdout.strip()
t.eq((bearer(tok_a), bearer(tok_b), bearer(tok_c)), (200, 200, 200), "fresh tokens work")
t.eq(cli("token", "journal", "x", "--expires", "2001-01-01").returncode, 2, "an expiry in the past is refused")
t.eq(cli("token", "journal", "x", "--days", "0").returncode, 2, "--days 0 is refused")
con = sqlite3.connect(db)
con.execute("UPDATE api_tokens SET expires_at = strftime('%s','now') - 1 WHERE name = 'feed-b'")
con.commit()
con.close()
t.eq(soon(lambda: bearer(tok_b), 401), 401, "an expired token is 401")
out = cli("token", "--revoke", "journal", "feed-a")
t.eq((out.returncode, out.stdout.strip()), (0, "1 token revoked"), "revoke by name")
t.eq((soon(lambda: bearer(tok_a), 401), bearer(tok_c)), (401, 200), "the revoked token is 401, the others still work")
t.eq(cli("token", "--revoke", "nobody").returncode, 2, "revoking for an unknown user is a usage error")
ssk = login("ssk-falun")
t.eq(ssk.request("GET", "/api/v1/session")[0], 200, "a session before disable")
t.eq(cli("disable", "ssk-falun").returncode, 0, "user disable")
t.eq(soon(lambda: ssk.request("GET", "/api/v1/session")[0], 401), 401, "disable ends the session")
t.eq(Client(port).login("ssk-falun")[0], 401, "a disabled user cannot log in")
t.eq(cli("disable", "journal").returncode, 0, "disable the records system")
t.eq(soon(lambda: bearer(tok_c), 401), 401, "its token no longer works")
t.eq(cli("enable", "journal").returncode, 0, "enable it again")
t.eq(soon(lambda: bearer(tok_c), 200), 200, "its live token works again")
t.eq(cli("token", "--revoke", "journal").stdout.strip(), "2 tokens revoked", "revoke all not yet revoked (one had expired)")
t.eq(soon(lambda: bearer(tok_c), 401), 401, "and then none works")
t.eq(cli("disable", "nobody").returncode, 2, "disable an unknown user is a usage error")
cli("enable", "ssk-falun")
srv.stop()

# ---- 4: login limits: who is locked and who is not ----
srv = Server(db, log, ["--trusted-proxy", "127.0.0.1"]).start()
port = srv.port


def attempt(name, password, addr):
    return Client(port).request("POST", "/api/v1/session", {"username": name, "password": password},
                                headers={"X-Forwarded-For": addr})[0]


codes = [attempt("bist-falun", "wrong", "198.51.100.1") for _ in range(6)]
t.eq(codes, [401] * 5 + [429], "five bad passwords from one address lock that account from that address")
t.eq(attempt("bist-falun", "demo", "198.51.100.1"), 429, "there even the right password waits")
t.eq(attempt("bist-falun", "demo", "198.51.100.2"), 200, "the owner at another address logs in")
t.eq(attempt("bist-borlange", "demo", "198.51.100.1"), 200, "another account from the attacker's address logs in")
codes = [attempt("no-such-user", "wrong", "198.51.100.3") for _ in range(6)]
t.eq(codes, [401] * 5 + [429], "an unknown username locks the same way (no enumeration by the lock)")
codes = [attempt(f"guess{i}", "wrong", "198.51.100.4") for i in range(21)]
t.eq(codes, [401] * 20 + [429], "twenty failures from one address lock that address")
t.eq(attempt("bist-orsa", "demo", "198.51.100.4"), 429, "for every account")
t.eq(attempt("bist-orsa", "demo", "198.51.100.5"), 200, "other addresses are not locked")
status, body, headers = Client(port).request("POST", "/api/v1/session", {"username": "x", "password": "y"},
                                             headers={"X-Forwarded-For": "198.51.100.4"})
t.ok(int(headers.get("Retry-After", "0")) > 0, "a lock says when to try again")
srv.stop()

# ---- 3: one client holding many connections; slow headers and bodies ----
srv = Server(db, log, ["--max-connections", "64", "--per-address", "16", "--reserve", "8"]).start()
port = srv.port


def hold(addr, n):
    """Opens n idle connections from addr; returns those the server kept open."""
    socks = []
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(addr, 0)))
        except OSError:
            break
    time.sleep(0.5)
    alive = []
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) != b"":
                alive.append(s)
            else:
                s.close()
        except BlockingIOError:
            alive.append(s)
        except OSError:
            s.close()
    return alive


def healthz(addr):
    reply, _ = raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", src=addr)
    return reply.split(b"\r\n", 1)[0]


held = hold("127.0.0.1", 100)
t.eq(len(held), 16, "one address holds at most its 16 connections")
t.eq(healthz("127.0.0.1"), b"", "the seventeenth from it is refused")
t.eq(healthz("127.0.0.2"), b"HTTP/1.1 200 OK", "/healthz from another address answers")
held += hold("127.0.0.3", 16) + hold("127.0.0.4", 16) + hold("127.0.0.5", 16)
t.eq(len(held), 56, "with the reserve of 8 left, holders get no more than 56 of 64")
t.eq(healthz("127.0.0.5"), b"", "an address that holds connections gets none of the reserve")
t.eq(healthz("127.0.0.9"), b"HTTP/1.1 200 OK", "a health check from a fresh address answers from the reserve")
reply, _ = raw(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", src="127.0.0.10")
t.ok(b"hemgang_http_connections_refused_total" in reply and b"refused_total 0\n" not in reply, "refusals are counted")
for s in held:
    s.close()
srv.stop()

srv = Server(db, log, ["--header-timeout", "2", "--body-timeout", "2"]).start()
port = srv.port


def trickle(prefix, drip, limit=40):
    """Sends prefix, then one byte of drip every 0.25 s; True when the server closed the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(prefix)
        for i in range(limit):
            s.sendall(drip[i % len(drip):i % len(drip) + 1])
            time.sleep(0.25)
            s.setblocking(False)
            try:
                if s.recv(4096) == b"":
                    return True
            except BlockingIOError:
                pass
            finally:
                s.setblocking(True)
    except (BrokenPipeError, ConnectionResetError):
        return True
    finally:
        s.close()
    return False


t.ok(trickle(b"GET /healthz HTTP/1.1\r\n", b"X-Slow: aaaaaaaa\r\n"), "headers trickled past the deadline: cut")
t.ok(trickle(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
             b"{\"username\":\"a\"}"), "a body trickled past the deadline: cut")
c = Client(port)
t.eq(c.request("GET", "/healthz")[0], 200, "a prompt request is answered")
srv.stop()
t.finish()
