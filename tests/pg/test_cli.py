#!/usr/bin/env python3
"""The command-line commands on PostgreSQL (issue 12 item 1): the same demo (fixed --seed and --now) is made on a
SQLite file and on a PostgreSQL database, and every read command must print the same on both: agreements,
reports (from the facts and by refold), the vantetider export, point measurements (saved and shown), the forecast,
users, HL7 facilities and ward codes, invoices built, listed, shown, sent and reviewed, the what-if; rebuild, migrate and the commands' refusals work. Run by tests/pg/pg.sh."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from hemgang_test import HEMGANG, PG_URI, TMP, Checks, fresh_db  # noqa: E402

t = Checks("test_cli")
if not PG_URI:
    print("test_cli: needs HEMGANG_TEST_PG_URI (run tests/pg/pg.sh)")
    t.finish()

lite = os.path.join(TMP, "cli-sqlite.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(lite + suffix):
        os.remove(lite + suffix)
pg = fresh_db("cli_pg")
NOW = "2026-03-02"
ASOF = "2026-03-01T12:00"
STAMP = r"(?<=step \d\t)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def run(db, *args, env=None):
    r = subprocess.run([HEMGANG, args[0], "--db", db, *args[1:]], capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, **(env or {})))
    return r.returncode, r.stdout, r.stderr


for db in (lite, pg):
    rc, out, err = run(db, "demo", "--episodes", "40", "--seed", "7", "--now", NOW)
    t.eq(rc, 0, f"demo on {'PostgreSQL' if db == pg else 'SQLite'}: {err.strip()}")
    rc, _, err = run(db, "agreement", "import", "agreements/demo-amounts.json")
    t.eq(rc, 0, "agreement import: " + err.strip())

same = [
    ("agreement", "list"),
    ("agreement", "show", "statutory"),
    ("user", "list"),
    ("report", "--from", "2025-01-01", "--to", "2026-02-28", "--asof", ASOF, "--format", "csv"),
    ("report", "--from", "2025-01-01", "--to", "2026-02-28", "--asof", ASOF, "--format", "csv", "--refold"),
    ("report", "--from", "2025-06-01", "--to", "2026-02-28", "--asof", ASOF, "--subject", "deviations",
     "--format", "csv", "--min-cell", "1"),
    ("export", "vantetider", "--month", "2026-01", "--asof", ASOF, "--min-cell", "1"),
    ("point", "--at", ASOF, "--patients", "--format", "csv"),
    ("forecast", "--from", "2026-06-15", "--to", "2026-08-15", "--origin", "2026-03-01", "--format", "csv"),
    ("hl7", "facility", "FALU", "--org", "R20", "--allow", "10.0.0.1", "--pid", "SE^PN"),
    ("hl7", "ward", "FALU", "MED12", "SE2321000180-E1012"),
    ("hl7", "facilities"),
    ("hl7", "quarantine", "pending"),
    ("point", "--at", ASOF, "--save", "--label", "test"),
    ("point", "show", "1", "--patients", "--format", "csv"),
]
for args in same:
    a = run(lite, *args)
    b = run(pg, *args)
    label = " ".join(args[:2])
    t.eq(b[0], a[0], f"{label}: the same exit status ({b[2].strip()})")
    t.eq(b[1], a[1], f"{label}: the same output")
    t.ok(a[0] != 0 or len(a[1]) > 0 or args[:2] == ("hl7", "quarantine"), f"{label}: prints something")

rc, out, err = run(pg, "rebuild")
t.eq(rc, 0, "rebuild on PostgreSQL: " + err.strip())
rc2, out2, _ = run(pg, "report", "--from", "2025-01-01", "--to", "2026-02-28", "--asof", ASOF, "--format", "csv")
_, want, _ = run(lite, "report", "--from", "2025-01-01", "--to", "2026-02-28", "--asof", ASOF, "--format", "csv")
t.eq(out2, want, "the report after a rebuild (facts written again)")
rc, out, err = run(pg, "migrate")
t.ok(rc == 0 and "schema version" in out, "migrate on PostgreSQL")
t.ok("postgres@" not in out or "password" not in out, "migrate prints no password")
rc, out, err = run(pg, "audit", "--user", "admin")
t.eq(rc, 0, "audit on PostgreSQL")
for args in [("invoice", "build", "--month", "2026-01", "--cutoff", "2026-02-10T00:00:00Z"),
             ("invoice", "list"),
             ("invoice", "show", "1"),
             ("invoice", "send", "1", "--reason", "test"),
             ("invoice", "review", "1"),
             ("whatif", "--from", "2025-10-01", "--to", "2026-02-28", "--asof", ASOF, "--agreement",
              "agreements/example-average.json", "--format", "csv")]:
    a = run(lite, *args)
    b = run(pg, *args)
    t.eq(b[0], a[0], f"{' '.join(args[:2])}: the same exit status ({b[2].strip()})")
    # a step is stamped with the time it was taken, which differs between the two runs
    t.eq(re.sub(STAMP, "T", b[1]), re.sub(STAMP, "T", a[1]), f"{' '.join(args[:2])}: the same output")
t.finish()
