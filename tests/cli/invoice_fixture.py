"""invoice_fixture.py DB [late] - writes a small invoicing fixture into a hemgang
database that `hemgang migrate` has created: a region (R20), Falun (2080) and
Borlänge (2081), one ward, a primary care centre, and six episodes in March
2024, each a row of events below with the figures it must give. With `late`,
it appends the late event instead (a discharge registered on 5 April that
happened on 29 March). Events are inserted as the store keeps them (canonical
JSON bodies); the caller then runs `hemgang rebuild`, whose fold judges every
event, so a fixture that broke a rule would fail loudly.

Times are UTC ("Z"); March 2024 is CET (UTC+1) until the 31st.

The agreement is tests/cli/data/invoice-agreement.json: 3 calendar days,
5 000 kr a night in 2024.
  ep 1 Falun    ready 1 Mar, out 6 Mar         G = 4 Mar: nights 4, 5        2 nights  10 000 kr
  ep 2 Falun    ready 25 Mar, in hospital      G = 28 Mar: nights 28-31      4 nights  20 000 kr
                (late: out 29 Mar -> 1 night)
  ep 3 Falun    yellow track, no SIP called    not billed: no_sip_call       (4 nights 20 000 kr)
  ep 4 Borlänge notice to primary care only    not billed: no_admission_notice (2 nights)
  ep 5 Falun    ready 27 Feb, out 3 Mar        G = 1 Mar: nights 1, 2        2 nights  10 000 kr
  ep 6 Falun    ready 10, withdrawn 12, ready 14, out 20 Mar: nights 17-19  3 nights  15 000 kr
"""
import json
import sqlite3
import sys
from datetime import datetime, timezone

WARD = ("SE2321000180-E1012", "ward", "R20")
VC = ("SE2321000180-E2001", "primary_care", "R20")
MUN = {"2080": ("K2080-BIST", "municipal_social", "2080"), "2081": ("K2081-BIST", "municipal_social", "2081")}


def pnr(birth, serial):
    """A personnummer with a valid check digit (Luhn over YYMMDDNNN)."""
    digits = birth[2:] + serial
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return f"{birth}-{serial}{(10 - total % 10) % 10}"


def ts(s):
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc).timestamp())


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def party(u):
    return {"unit": u[0], "kind": u[1], "org": u[2]}


# (episode, patient personnummer, name, municipality, [(type, occurred, extra fields, author)])
def episodes():
    def adm(at, p, name, m):
        return ("admitted", at, {"patient": {"personnummer": p, "name": name, "registered_municipality": m,
                                             "primary_care_unit": VC[0], "protected_identity": False,
                                             "address": ""},
                                 "hospital": "Falu lasarett", "ward": WARD[0], "care_type": "somatic"}, WARD)

    def notice(at, expected, to):
        return ("admission_notice", at, {"recipients": [party(u) for u in to], "expected_discharge_date": expected,
                                         "need_judged_at": None}, WARD)

    def track(at, colour):
        return ("track_set", at, {"colour": colour}, WARD)

    def ready(at):
        return ("ready_for_discharge", at, {"recipients": []}, WARD)

    def withdrawn(at):
        return ("ready_withdrawn", at, {}, WARD)

    def out(at):
        return ("discharged", at, {"destination": "own_home"}, WARD)

    falun = [MUN["2080"], VC]
    p = [pnr("19121212", "121"), pnr("19400312", "238"), pnr("19350101", "123"), pnr("19451224", "456"),
         pnr("19300704", "789"), pnr("19500505", "505")]
    return [
        (1, [adm("2024-02-26T08:00Z", p[0], "Tolvan Tolvansson", "2080"),
             notice("2024-02-26T12:00Z", "2024-03-04", falun), track("2024-02-27T08:00Z", "green"),
             ready("2024-03-01T09:00Z"), out("2024-03-06T10:00Z")]),
        (2, [adm("2024-03-20T08:00Z", p[1], "Greta Gran", "2080"),
             notice("2024-03-20T12:00Z", "2024-03-27", falun), track("2024-03-21T08:00Z", "green"),
             ready("2024-03-25T09:00Z")]),
        (3, [adm("2024-03-01T08:00Z", p[2], "Sven Svensson", "2080"),
             notice("2024-03-01T12:00Z", "2024-03-08", falun), track("2024-03-02T08:00Z", "yellow"),
             ready("2024-03-05T09:00Z"), out("2024-03-12T10:00Z")]),
        (4, [adm("2024-03-06T08:00Z", p[3], "Åsa Öberg", "2081"),
             notice("2024-03-06T12:00Z", "2024-03-12", [VC]), track("2024-03-07T08:00Z", "green"),
             ready("2024-03-10T09:00Z"), out("2024-03-15T10:00Z")]),
        (5, [adm("2024-02-20T08:00Z", p[4], "Karl Karlsson", "2080"),
             notice("2024-02-20T12:00Z", "2024-02-27", falun), track("2024-02-21T08:00Z", "green"),
             ready("2024-02-27T09:00Z"), out("2024-03-03T10:00Z")]),
        (6, [adm("2024-03-05T08:00Z", p[5], "Maja Lind", "2080"),
             notice("2024-03-05T12:00Z", "2024-03-12", falun), track("2024-03-06T08:00Z", "green"),
             ready("2024-03-10T09:00Z"), withdrawn("2024-03-12T09:00Z"), ready("2024-03-14T09:00Z"),
             out("2024-03-20T10:00Z")]),
    ]


LATE = (2, ("discharged", "2024-03-29T10:00Z", {"destination": "own_home"}, WARD), "2024-04-05T08:00Z")


def insert_event(db, episode, seq, ev, recorded):
    typ, at, fields, author = ev
    occurred = ts(at)
    cur = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM events")
    eid = cur.fetchone()[0]
    body = {"author": {"kind": author[1], "org": author[2], "unit": author[0], "user": "journal"},
            "corrects_seq": 0, "id": eid, "note": "", "occurred_at": iso(occurred), "recorded_at": iso(recorded),
            "seq": seq, "type": typ}
    body.update(fields)
    db.execute("INSERT INTO events(id, episode_id, seq, type, occurred_at, recorded_at, author_unit, author_user, "
               "idempotency_key, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
               (eid, episode, seq, typ, occurred, recorded, author[0], "journal",
                json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)))


def main():
    db = sqlite3.connect(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "late":
        episode, ev, recorded = LATE
        seq = db.execute("SELECT MAX(seq) FROM events WHERE episode_id = ?", (episode,)).fetchone()[0] + 1
        insert_event(db, episode, seq, ev, ts(recorded))
        db.commit()
        return
    db.executemany("INSERT INTO organisations(code, name, kind, county) VALUES (?, ?, ?, '20')",
                   [("R20", "Region Dalarna (test)", "region"), ("2080", "Falu kommun", "municipality"),
                    ("2081", "Borlänge kommun", "municipality")])
    db.executemany("INSERT INTO units(id, org, name, kind, care_type, hospital, municipality) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(WARD[0], "R20", "Avd 12 Medicin, Falu lasarett", "ward", "somatic", "Falu lasarett", "2080"),
                    (VC[0], "R20", "Vårdcentralen Falun Centrum", "primary_care", None, None, "2080"),
                    ("K2080-BIST", "2080", "Falu kommun, biståndsenheten", "municipal_social", None, None, "2080"),
                    ("K2081-BIST", "2081", "Borlänge kommun, biståndsenheten", "municipal_social", None, None,
                     "2081")])
    for episode, evs in episodes():
        db.execute("INSERT INTO episodes(id, created_at) VALUES (?, ?)", (episode, ts(evs[0][1]) + 60))
        for seq, ev in enumerate(evs, start=1):
            insert_event(db, episode, seq, ev, ts(ev[1]) + 60)
    db.commit()


main()
