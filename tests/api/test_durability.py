"""test_durability.py - every acknowledged event survives SIGKILL, and none is
stored twice: a burst of admissions from several threads, the server killed
with SIGKILL in the middle, a restart, and a check of every key against the
database and against a repeated request."""
import datetime
import os
import signal
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, is_pg, make_demo, make_pnr, pg_query  # noqa: E402

t = Checks("test_durability")
db = fresh_db("durability.db")  # a PostgreSQL database under tests/pg/pg.sh
log = os.path.join(TMP, "durability-server.log")
logins = make_demo(db, episodes=5)
ward_login = next(l for l in logins if l["role"] == "ward_staff")
srv = Server(db, log).start()

c = Client(srv.port)
t.eq(c.login(ward_login["username"])[0], 200, "login")
me = c.request("GET", "/api/v1/session")[1]
ward = me["user"]["units"][0]
cookie = c.cookie

acked, sent = {}, []
lock = threading.Lock()
stop_at = time.time() + 30  # bounded even if the kill never comes


bodies = {}  # key -> the request body sent with it (a retry repeats the identical request)


def admit(key, n=None):
    with lock:
        if key not in bodies:
            bodies[key] = {"occurred_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "ward": ward, "patient": {"personnummer": make_pnr(n), "name": f"Burst {n}",
                                                    "registered_municipality": "2080"}}
        body = bodies[key]
    cl = Client(srv.port)
    cl.cookie = cookie
    return cl.request("POST", "/api/v1/episodes", body, headers={"Idempotency-Key": key})


def worker(wid):
    n = 0
    while time.time() < stop_at and n < 400:
        key = f"burst-{wid}-{n}"
        with lock:
            sent.append(key)
        try:
            status, body, _ = admit(key, wid * 1000 + n)
        except Exception:  # the server died under us: this one was never acknowledged
            return
        if status == 201:
            with lock:
                acked[key] = body["episode_id"]
        n += 1


threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
for th in threads:
    th.start()
deadline = time.time() + 20
while len(acked) < 40 and time.time() < deadline:
    time.sleep(0.05)
srv.proc.send_signal(signal.SIGKILL)
srv.proc.wait(timeout=10)
for th in threads:
    th.join(timeout=40)
t.ok(len(acked) >= 40, f"a burst was acknowledged before the kill ({len(acked)})")



def one(sql):
    """The single value of a query (the keys inlined are the test's own, 'burst-W-N'), on SQLite or PostgreSQL."""
    if is_pg(db):
        return int(pg_query(db, sql)[0][0])
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


DUPS = ("SELECT COUNT(*) FROM (SELECT idempotency_key FROM events WHERE idempotency_key LIKE 'burst-%' "
        "GROUP BY idempotency_key HAVING COUNT(*) > 1) d")
srv = Server(db, log).start()
stored = {}
if is_pg(db):
    stored = {k: int(n) for k, n in pg_query(db, "SELECT idempotency_key, COUNT(*) FROM events WHERE idempotency_key "
                                                 "LIKE 'burst-%' GROUP BY idempotency_key")}
else:
    con = sqlite3.connect(db)
    stored = dict(con.execute("SELECT idempotency_key, COUNT(*) FROM events WHERE idempotency_key LIKE 'burst-%' "
                              "GROUP BY idempotency_key").fetchall())
    con.close()
missing = [k for k in acked if stored.get(k) != 1]
t.eq(missing, [], "every acknowledged event is stored exactly once after the restart")
t.eq(one(DUPS), 0, "no key is stored twice")
c = Client(srv.port)
c.cookie = cookie
wrong = 0
for key, eid in list(acked.items())[:60]:
    status, body, _ = admit(key)
    if status != 200 or body.get("episode_id") != eid or not body.get("replayed"):
        wrong += 1
t.eq(wrong, 0, "repeating an acknowledged request returns the original episode")
# Keys sent but not acknowledged may or may not be stored; retrying them stores each at most once.
for key in [k for k in sent if k not in acked][:10]:
    admit(key)
    admit(key)
t.eq(one(DUPS), 0, "retries after the crash store nothing twice")
srv.stop()
t.finish()
