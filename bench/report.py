#!/usr/bin/env python3
"""bench/report.py BINARY DB FROM TO - `hemgang report --by municipality,month`
over a period next to the same aggregation in plain SQL (bench/report.sql)
over the same database. Prints both times, the episodes in the period and
whether the shared columns agree (episodes, ready_episodes, ready_days,
ready_discharged, same_day per municipality and month). Numbers are printed,
never asserted; a disagreement is printed with its first cells."""
import csv
import io
import os
import sqlite3
import subprocess
import sys
import time

binary, db, frm, to = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))
os.environ["TZ"] = "Europe/Stockholm"
time.tzset()
COLUMNS = ("episodes", "ready_episodes", "ready_days", "ready_discharged", "same_day")

t0 = time.time()
proc = subprocess.run([binary, "report", "--db", db, "--from", frm, "--to", to, "--by", "municipality,month",
                       "--format", "csv", "--min-cell", "1"], capture_output=True, text=True)
core_s = time.time() - t0
core = {}
if proc.returncode == 0:
    for r in csv.DictReader(io.StringIO(proc.stdout)):
        if r["municipality"] != "total" and r["month"] != "total" and int(r["episodes"] or 0) > 0:
            core[(r["municipality"], r["month"])] = tuple(int(r[c] or 0) for c in COLUMNS)

con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
t0 = time.time()
rows = con.execute(open(os.path.join(here, "report.sql")).read(), {"from": frm, "to": to}).fetchall()
sql_s = time.time() - t0
con.close()
sql = {(m, month): tuple(v) for m, month, *v in rows}

episodes = sum(v[0] for v in sql.values())
print(f"report {frm}..{to}: {episodes} episodes discharged, {len(sql)} cells (municipality x month)")
if proc.returncode != 0:
    print(f"  hemgang report failed ({proc.returncode}): {proc.stderr.strip()[:200]}")
print(f"  hemgang report --by municipality,month --format csv  {core_s:8.2f} s"
      f"  ({len(proc.stdout.splitlines()[0].split(',')) - 2 if proc.stdout else 0} measures)")
print(f"  the same aggregation in SQL (bench/report.sql)       {sql_s:8.2f} s  ({len(COLUMNS)} measures)")
print(f"  core / SQL: {core_s / sql_s if sql_s else 0:.2f}x the time")
same = core == sql
print(f"  figures identical ({', '.join(COLUMNS)}): {'yes' if same else 'NO'}")
if not same:
    diff = sorted(set(core.items()) ^ set(sql.items()))[:6]
    print("  first differences (core and SQL mixed):", diff)
