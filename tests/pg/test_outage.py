"""test_outage.py - the database goes away under a running server (issue 12, point 5): while PostgreSQL is
down, API calls and /healthz answer 503 problem+json with Retry-After; when it is back, the server has
reconnected by itself, the session is still valid, and no acknowledged event is lost.
Needs HEMGANG_TEST_PG_URI and PG_DIR (tests/pg/pg.sh: the server this test may stop and start)."""
import datetime
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from hemgang_test import PG_URI, TMP, Checks, Client, Server, fresh_db, make_demo, make_pnr  # noqa: E402

t = Checks("test_outage")
if not PG_URI or not os.environ.get("PG_DIR"):
    t.ok(False, "HEMGANG_TEST_PG_URI and PG_DIR are set")
    t.finish()
LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib.sh")


def pg(action):
    """Stops (pg_stop) or starts (pg_run) the test's PostgreSQL server; pg_ctl waits until it is done."""
    r = subprocess.run(["bash", "-c", f'. "{LIB}"; {action}'], capture_output=True, text=True, timeout=120)
    t.eq(r.returncode, 0, f"{action}: {r.stdout}{r.stderr}")


db = fresh_db("outage")
make_demo(db, episodes=10)
srv = Server(db, os.path.join(TMP, "outage.log")).start()
ward = Client(srv.port)
t.eq(ward.login("avd12")[0], 200, "login")
unit = ward.request("GET", "/api/v1/session")[1]["user"]["units"][0]
t.eq(ward.request("GET", "/healthz")[0], 200, "healthz 200 while the database is up")
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
adm = {"occurred_at": now, "ward": unit, "patient": {"personnummer": make_pnr(7100001), "name": "Avbrott, Ada",
                                                     "registered_municipality": "2080", "address": "Åsgatan 3"}}
status, before, _ = ward.request("POST", "/api/v1/episodes", adm)
t.eq(status, 201, "an admission before the outage")

pg("pg_stop")
status, body, headers = ward.request("GET", "/healthz")
t.eq(status, 503, "healthz 503 while the database is down")
t.eq((body or {}).get("code"), "store_unavailable", "as problem+json store_unavailable")
t.ok("problem+json" in headers.get("Content-Type", ""), "content type problem+json")
t.ok(headers.get("Retry-After", "").isdigit(), "with Retry-After")
status, body, headers = ward.request("GET", "/api/v1/episodes")
t.eq((status, (body or {}).get("code")), (503, "store_unavailable"), "an API call is 503 store_unavailable")
t.ok(headers.get("Retry-After", "").isdigit(), "with Retry-After")
t.ok(srv.proc.poll() is None, "the server keeps running")

pg("pg_run")
# pg_ctl returns once the database accepts connections: the very next calls must succeed (the store
# reconnects its pooled connections itself), without a restart of hemgang.
t.eq(ward.request("GET", "/healthz")[0], 200, "healthz 200 again after the restart")
status, page, _ = ward.request("GET", f"/api/v1/episodes/{before.get('episode_id')}")
t.eq(status, 200, "the session made before the outage is still valid")
t.eq([e["type"] for e in (page or {}).get("events", [])], ["admitted"], "the event acknowledged before it is there")
adm["patient"]["personnummer"] = make_pnr(7100002)
t.eq(ward.request("POST", "/api/v1/episodes", adm)[0], 201, "appends work again")
# every pooled connection is used at least once: none stays broken
t.eq([ward.request("GET", "/api/v1/worklist")[0] for _ in range(10)], [200] * 10, "ten reads in a row after the restart")
srv.stop()
t.ok(srv.proc.returncode == 0, "the server stops cleanly")
t.finish()
