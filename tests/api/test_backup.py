"""test_backup.py - hemgang backup while the server is under write load, and
hemgang restore: the restored database is sound, holds every write that was
acknowledged before the backup began, holds no half of anything (each episode's
events equal the live ones up to the snapshot, projections equal a rebuild), and
a backup taken after the load equals the live database table by table."""
import datetime
import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import HEMGANG, TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

t = Checks("test_backup")
db = fresh_db("backup.db")
logins = make_demo(db, episodes=40)
srv = Server(db, os.path.join(TMP, "backup-server.log")).start()
ward_login = next(l for l in logins if l["role"] == "ward_staff")
ward = Client(srv.port)
t.eq(ward.login(ward_login["username"])[0], 200, "ward login")
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
now = datetime.datetime.now(datetime.timezone.utc)
me = ward.request("GET", "/api/v1/session")[1]["user"]
admit = {"occurred_at": iso(now - datetime.timedelta(hours=1)), "ward": me["units"][0],
         "patient": {"personnummer": "19121212-1212", "name": "Tolvan Testsson", "registered_municipality": "2080",
                     "address": "Storgatan 1"}}
status, body, _ = ward.request("POST", "/api/v1/episodes", admit, headers={"Idempotency-Key": "backup-admit"})
t.eq(status, 201, "an episode to write to")
eid = (body or {}).get("episode_id")


def backup(to):
    for suffix in ("", ".part"):
        if os.path.exists(to + suffix):
            os.remove(to + suffix)
    return subprocess.run([HEMGANG, "backup", "--db", db, "--to", to], capture_output=True, text=True, timeout=120)


def restore(frm, to, force=False):
    args = [HEMGANG, "restore", "--from", frm, "--db", to] + (["--force"] if force else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


# ---- the load: deviations appended one after another, each acknowledged with its key ----
acked = []  # (key, monotonic time of the answer)
stop = threading.Event()


def load():
    c = Client(srv.port)
    c.cookie = ward.cookie
    for i in range(5000):
        if stop.is_set():
            return
        key = f"load-{i}"
        ev = {"type": "deviation", "occurred_at": iso(datetime.datetime.now(datetime.timezone.utc)),
              "category": "other", "against_org": "2080", "note": key}
        status, _, _ = c.request("POST", f"/api/v1/episodes/{eid}/events", ev, headers={"Idempotency-Key": key})
        if status == 201:
            acked.append((key, time.monotonic()))


worker = threading.Thread(target=load, daemon=True)
worker.start()
deadline = time.monotonic() + 60
while len(acked) < 20 and time.monotonic() < deadline:
    time.sleep(0.05)
t.ok(len(acked) >= 20, "the load is running")
snap = os.path.join(TMP, "backup-under-load.db")
started = time.monotonic()
out = backup(snap)
t.eq(out.returncode, 0, f"backup under load: {out.stderr.strip()}")
t.ok(out.stdout.startswith("backup\t"), "it reports what it copied")
n_before = sum(1 for _, at in acked if at < started)
time.sleep(0.3)
stop.set()
worker.join(timeout=60)
t.ok(len(acked) > n_before, "writes went on during and after the backup")
out = subprocess.run([HEMGANG, "backup", "--db", db, "--to", snap], capture_output=True, text=True, timeout=120)
t.eq(out.returncode, 2, "a backup never overwrites a file")

restored = fresh_db("backup-restored.db")
out = restore(snap, restored)
t.eq(out.returncode, 0, f"restore: {out.stderr.strip()}")
t.eq(restore(snap, restored).returncode, 2, "restore over an existing database needs --force")


def rows(path, sql):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


t.eq(rows(restored, "PRAGMA integrity_check"), [("ok",)], "the restored database is sound")
notes = {r[0] for r in rows(restored, f"SELECT json_extract(body, '$.note') FROM events WHERE episode_id = {eid}")}
acked_before = {k for k, at in acked if at < started}
t.eq(sorted(acked_before - notes), [], "every write acknowledged before the backup began is in it")
live_events = rows(db, f"SELECT seq, type, body FROM events WHERE episode_id = {eid} ORDER BY seq")
snap_events = rows(restored, f"SELECT seq, type, body FROM events WHERE episode_id = {eid} ORDER BY seq")
t.ok(len(snap_events) >= 1 + len(acked_before), "the snapshot holds the episode's events")
t.eq(live_events[:len(snap_events)], snap_events, "the snapshot's events are exactly the live ones up to it")
proj = "SELECT * FROM episode_projection ORDER BY episode_id"
before = rows(restored, proj)
out = subprocess.run([HEMGANG, "rebuild", "--db", restored], capture_output=True, text=True, timeout=120)
t.eq(out.returncode, 0, "rebuild of the restored database")


def without_updated(rowset, path):
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("PRAGMA table_info(episode_projection)")]
    con.close()
    keep = [i for i, c in enumerate(cols) if c != "updated_at"]
    return [tuple(r[i] for i in keep) for r in rowset]


t.eq(without_updated(rows(restored, proj), restored), without_updated(before, restored),
     "its projections equal a rebuild from its events: nothing half-written")

# ---- after the load: a backup equals the live database, table by table ----
final = os.path.join(TMP, "backup-final.db")
t.eq(backup(final).returncode, 0, "backup after the load")
srv.stop()
tables = [r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
again = fresh_db("backup-restored-2.db")
t.eq(restore(final, again).returncode, 0, "restore the final backup")
differ = [tb for tb in tables if rows(db, f'SELECT * FROM "{tb}" ORDER BY 1') != rows(again, f'SELECT * FROM "{tb}" ORDER BY 1')]
t.eq(differ, [], f"every one of {len(tables)} tables equals the live database")
out = restore(snap, again, force=True)
t.eq(out.returncode, 0, "restore --force over an existing database")
t.eq(rows(again, "SELECT count(*) FROM events"), rows(restored, "SELECT count(*) FROM events"),
     "it now holds the earlier snapshot")
broken = os.path.join(TMP, "backup-broken.db")
with open(broken, "wb") as f:
    f.write(b"not a database at all" * 100)
never = fresh_db("backup-never.db")
out = restore(broken, never)
t.ok(out.returncode != 0 and not os.path.exists(never), "a file that is not a database is refused, nothing made")
t.finish()
