"""test_proxy.py - behind a trusted reverse proxy (--trusted-proxy), the last
X-Forwarded-For address is the client for login limits and the audit log; from
any other peer the header is ignored. The addresses in the header are
documentation addresses (RFC 5737) that only appear as text: every connection
goes to the server on 127.0.0.1."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

t = Checks("test_proxy")
db = fresh_db("proxy.db")
logins = make_demo(db, episodes=5)
user = next(l for l in logins if l["role"] == "ward_staff")["username"]


def login(port, name, password, xff=None):
    c = Client(port)
    h = {"X-Forwarded-For": xff} if xff else {}
    return c.request("POST", "/api/v1/session", {"username": name, "password": password}, headers=h)[0]


srv = Server(db, os.path.join(TMP, "proxy-server.log"), ["--trusted-proxy", "127.0.0.1"]).start()
codes = [login(srv.port, f"nobody{i}", "x", "203.0.113.9, 192.0.2.1") for i in range(21)]
t.eq(codes[:20], [401] * 20, "twenty failures from one client behind the proxy")
t.eq(codes[20], 429, "then that client is rate limited")
t.eq(login(srv.port, user, "demo", "192.0.2.1"), 429, "the limited client stays limited for every account")
t.eq(login(srv.port, user, "demo", "198.51.100.2"), 200, "another client behind the same proxy logs in")
t.eq(login(srv.port, user, "demo", "192.0.2.1, 198.51.100.2"), 200,
     "only the last address counts (the one the proxy added)")
c = Client(srv.port)
c.login(user)
c.request("GET", "/api/v1/worklist", headers={"X-Forwarded-For": "198.51.100.7"})
srv.stop()
con = sqlite3.connect(db)
row = con.execute("SELECT client FROM audit_log WHERE action = 'worklist.read' ORDER BY id DESC LIMIT 1").fetchone()
con.close()
t.eq(row, ("198.51.100.7",), "the audit log names the client behind the proxy")

srv = Server(db, os.path.join(TMP, "proxy-server.log")).start()
codes = [login(srv.port, f"nobody{i}", "x", f"192.0.2.{i + 10}") for i in range(21)]
t.eq(codes[20], 429, "without --trusted-proxy the header is ignored: the peer address is limited")
srv.stop()
t.finish()
