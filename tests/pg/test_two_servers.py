"""test_two_servers.py - two real `hemgang serve` processes on one PostgreSQL database (issue 12, point 4):
an event appended through one is in the other's episode page and worklist; appends to one episode from both
are serialised (distinct, gap-free seq); an Idempotency-Key holds across servers; the one-open-episode rule
holds across servers; a session made on one is valid on the other; the feature stores answer the same on both;
the login limits are shared (failures through A lock the account on B, a login through B clears them).
Needs HEMGANG_TEST_PG_URI (tests/pg/pg.sh)."""
import datetime
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from hemgang_test import PG_URI, TMP, Checks, Client, Server, fresh_db, make_demo, make_pnr, pg_query  # noqa: E402

t = Checks("test_two_servers")
if not PG_URI:
    t.ok(False, "HEMGANG_TEST_PG_URI is set")
    t.finish()
db = fresh_db("two_servers")
make_demo(db, episodes=30)
log = os.path.join(TMP, "two_servers.log")
a_srv, b_srv = Server(db, log).start(), Server(db, log).start()
t.ok(a_srv.port != b_srv.port, "two servers on two ports")

now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
today = datetime.date.today()


def client(srv, username):
    c = Client(srv.port)
    t.eq(c.login(username)[0], 200, f"login {username} on port {srv.port}")
    return c


ward_a, ward_b, pc_b = client(a_srv, "avd12"), client(b_srv, "avd12"), client(b_srv, "vc-falun")
me = lambda c: c.request("GET", "/api/v1/session")[1]["user"]  # noqa: E731
ward_unit, pc_unit = me(ward_a)["units"][0], me(pc_b)["units"][0]


def admission(pnr, name="Tvåserver, Tora"):
    return {"occurred_at": iso(now - datetime.timedelta(hours=2)), "ward": ward_unit,
            "patient": {"personnummer": pnr, "name": name, "registered_municipality": "2080",
                        "primary_care_unit": pc_unit, "address": "Åsgatan 3"}}


# ---- an event through A shows through B (episode page and worklist) ----
status, body, _ = ward_a.request("POST", "/api/v1/episodes", admission(make_pnr(7000001)))
t.eq(status, 201, "admitted through A")
eid = body.get("episode_id")
status, ep, _ = ward_b.request("GET", f"/api/v1/episodes/{eid}")
t.eq(status, 200, "the episode is readable through B")
t.eq([e["type"] for e in (ep or {}).get("events", [])], ["admitted"], "B shows A's admission")
status, body, _ = ward_a.request("POST", f"/api/v1/episodes/{eid}/events",
                                 {"type": "admission_notice", "occurred_at": iso(now), "reason": "other", "recipients": [{"unit": pc_unit}],
                                  "expected_discharge_date": str(today + datetime.timedelta(days=5))})
t.eq(status, 201, "notice through A")
seq = body.get("seq")
# B's worklist comes from its read model, which learns of A's commit by NOTIFY: within a second
deadline, shown = time.monotonic() + 1.0, False
while not shown:
    status, wl, _ = pc_b.request("GET", "/api/v1/worklist")
    shown = status == 200 and any(n["episode_id"] == eid and n["seq"] == seq for n in wl["new_notices"])
    if shown or time.monotonic() > deadline:
        break
    time.sleep(0.02)
t.ok(shown, "the notice sent through A is in the worklist read through B within 1 s")
status, _, _ = pc_b.request("POST", f"/api/v1/episodes/{eid}/acknowledgements", {"seq": seq})
t.eq(status, 201, "acknowledged through B")
status, ep, _ = ward_a.request("GET", f"/api/v1/episodes/{eid}")
t.eq([e["type"] for e in ep["events"]], ["admitted", "admission_notice", "acknowledged"], "A shows B's acknowledgement")

# ---- a session made on A is valid on B (sessions live in the database) ----
shared = Client(b_srv.port)
shared.cookie = ward_a.cookie
t.eq(shared.request("GET", "/api/v1/session")[0], 200, "A's session cookie works on B")

# ---- appends to one episode from both servers at once are serialised ----
results = []
lock = threading.Lock()


def change(c, k):
    d = str(today + datetime.timedelta(days=6 + k))
    r = c.request("POST", f"/api/v1/episodes/{eid}/events",
                  {"type": "expected_date_changed", "occurred_at": iso(now), "expected_discharge_date": d})
    with lock:
        results.append((r[0], (r[1] or {}).get("seq")))


threads = [threading.Thread(target=change, args=(ward_a if k % 2 else ward_b, k)) for k in range(16)]
for th in threads:
    th.start()
for th in threads:
    th.join(timeout=60)
t.eq(sorted(s for s, _ in results), [201] * 16, "16 concurrent appends through two servers all succeed")
t.eq(sorted(q for _, q in results), list(range(4, 20)), "and get distinct, gap-free seq numbers")
rows = pg_query(db, f"SELECT seq FROM events WHERE episode_id = {int(eid)} ORDER BY seq")
t.eq([int(r[0]) for r in rows], list(range(1, 20)), "the database holds every event once, in order")

# ---- an Idempotency-Key holds across servers ----
adm = admission(make_pnr(7000002), "Nyckel, Nora")
status, first, _ = ward_a.request("POST", "/api/v1/episodes", adm, headers={"Idempotency-Key": "two-1"})
t.eq(status, 201, "admitted with a key through A")
status, again, _ = ward_b.request("POST", "/api/v1/episodes", adm, headers={"Idempotency-Key": "two-1"})
t.eq((status, again.get("episode_id"), again.get("replayed")), (200, first.get("episode_id"), True),
     "the same request with the same key through B replays A's answer")

# ---- the one-open-episode rule across servers, under a race ----
race = []
pnr = make_pnr(7000003)


def admit(c):
    r = c.request("POST", "/api/v1/episodes", admission(pnr, "Kapplöpning, Kim"))
    with lock:
        race.append(r[0])


threads = [threading.Thread(target=admit, args=(ward_a if k % 2 else ward_b,)) for k in range(6)]
for th in threads:
    th.start()
for th in threads:
    th.join(timeout=60)
t.eq(sorted(race), [201] + [409] * 5, "six simultaneous admissions of one patient on two servers: one stay")

# ---- every committed append is announced on channel hemgang_events with its episode id ----
import subprocess  # noqa: E402
from hemgang_test import PSQL  # noqa: E402
listener = subprocess.Popen([PSQL, "-X", "-q", "-A", "-t", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def psql_until(cmd, marker):
    """Sends cmd to the listening psql and returns its output up to the line `marker` (bounded by psql exiting)."""
    listener.stdin.write(cmd + f"\nSELECT '{marker}';\n")
    listener.stdin.flush()
    lines = []
    for line in listener.stdout:
        if line.strip() == marker:
            break
        lines.append(line)
    return "".join(lines)


psql_until("LISTEN hemgang_events;", "listening")
status, _, _ = ward_b.request("POST", f"/api/v1/episodes/{eid}/events",
                              {"type": "expected_date_changed", "occurred_at": iso(now),
                               "expected_discharge_date": str(today + datetime.timedelta(days=30))})
t.eq(status, 201, "one more append through B")
status, _, _ = ward_b.request("POST", f"/api/v1/episodes/{eid}/events", {"type": "nonsense"})
t.ok(status >= 400, "and one rejected append, which commits nothing")
heard = psql_until("SELECT 1;", "done")  # psql prints what it heard after the next query
listener.stdin.close()
listener.wait(timeout=30)
t.eq(heard.count('notification "hemgang_events"'), 1, "exactly one NOTIFY on hemgang_events, for the committed one")
t.ok(f'payload "{eid}"' in heard, "its payload is the episode id")

# ---- the feature stores are on PostgreSQL too: both servers answer from the same rows ----
status_a, body_a, _ = ward_a.request("GET", "/api/v1/agreements")
status_b, body_b, _ = ward_b.request("GET", "/api/v1/agreements")
t.eq((status_a, status_b), (200, 200), "the agreements answer on both servers")
t.eq(body_b, body_a, "and the same")

# ---- the login limits are the database's: five wrong passwords through A lock the account on B ----
statuses = [Client(a_srv.port).login("avd31", "wrong")[0] for _ in range(5)]
t.eq(statuses, [401] * 5, "five wrong passwords through A")
status, body, headers = Client(b_srv.port).login("avd31")
t.eq(status, 429, "the right password through B is refused: the account is locked from this address")
t.ok(int(headers.get("Retry-After", "0")) > 0, "with Retry-After")
status, _, _ = Client(a_srv.port).login("avd12")
t.eq(status, 200, "another account from the same address is not locked")
rows = pg_query(db, "SELECT count(*) FROM login_failures")
t.ok(int(rows[0][0]) >= 3, "the counters are rows in the database")
t.ok(not pg_query(db, "SELECT 1 FROM login_failures WHERE encode(key_hash, 'escape') LIKE '%avd31%'"),
     "named by a hash, never by the username")
# below the lock, a success through one server clears the account's failures for both
statuses = [Client(b_srv.port).login("avd41", "wrong")[0] for _ in range(4)]
t.eq(statuses, [401] * 4, "four wrong passwords through B")
t.eq(Client(a_srv.port).login("avd41")[0], 200, "the right one through A")
statuses = [Client(b_srv.port).login("avd41", "wrong")[0] for _ in range(4)]
t.eq(statuses, [401] * 4, "four more through B are not a lock: the success cleared the count")

a_srv.stop()
b_srv.stop()
t.finish()
