"""test_mllp.py - HL7 v2 over MLLP end to end: the real server (hemgang serve
--mllp 127.0.0.1:0) on a fresh demo database, fed a day of ADT traffic by three
independent peers - our own socket client, Debian's mllp_send (python3-hl7) and
node-hl7-client (npm, tests/hl7/peers) - then checked through the JSON API:
the episodes and events that appear, every ACK, the quarantine with map and
replay by an administrator, and redelivery of the whole day changing nothing.
Every wait and loop is bounded."""
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
from hemgang_test import HEMGANG, TMP, Checks, Client, db_rows, fresh_db, make_demo  # noqa: E402

t = Checks("test_mllp")
db = fresh_db("mllp.db")
logins = make_demo(db, episodes=5)
user = {l["username"]: l for l in logins}
IN_CI = os.environ.get("CI") == "true"


def luhn(nine):
    s = 0
    for i, c in enumerate(nine):
        d = int(c) * (2 if i % 2 == 0 else 1)
        s += d // 10 + d % 10
    return str((10 - s % 10) % 10)


def pnr(yyyymmdd, serial):
    return f"{yyyymmdd}-{serial}{luhn(yyyymmdd[2:] + serial)}"


P1, P2, P3 = pnr("19400101", "123"), pnr("19350505", "234"), pnr("19421212", "345")
W12, W14, W17, W31 = ("SE2321000180-E1012", "SE2321000180-E1014", "SE2321000180-E1017", "SE2321000180-E1031")


def adt(trigger, ctl, pid, visit, ward, name="Svensson^Anna", evn="20240503100000", pv1_36="", pv1_45="", pv2_9=""):
    pv1 = ["PV1", "1", "I", f"{ward}^1^1^FALU"] + [""] * 15 + [visit] + [""] * 16 + [pv1_36] + [""] * 7 + ["", pv1_45]
    return "\r".join([
        f"MSH|^~\\&|PAS|FALU|HEMGANG|RD|{evn}||ADT^{trigger}|{ctl}|P|2.5",
        f"EVN|{trigger}|{evn}||||{evn}",
        f"PID|1||{pid}^^^&1.2.752.129.2.1.3.1&ISO||{name}||||||Storgatan 1^^Falun^^791 31^SE^H^^2080",
        "|".join(pv1).rstrip("|"),
        f"PV2|||||||||{pv2_9}",
    ]) + "\r"


class Server:
    def __init__(self, path=None, extra=()):
        self.proc = subprocess.Popen([HEMGANG, "serve", "--db", path or db, "--listen", "127.0.0.1:0", "--mllp",
                                      "127.0.0.1:0", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.http = self.mllp = None
        deadline = time.time() + 60
        while time.time() < deadline and not (self.http and self.mllp):
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r"\(port (\d+)\)", line)
            if m:
                self.http = int(m.group(1))
            m = re.search(r"\(mllp port (\d+)\)", line)
            if m:
                self.mllp = int(m.group(1))
        if not (self.http and self.mllp):
            raise RuntimeError("server did not start")
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def read_frame(sock):
    data = b""
    while not data.endswith(b"\x1c\r"):
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data.strip(b"\x0b\x1c\r").decode("utf-8", "replace")


def send_all(port, messages):
    """Our own MLLP client: one connection, each message framed, its ACK read before the next."""
    acks = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        for m in messages:
            s.sendall(b"\x0b" + m.encode("utf-8") + b"\x1c\r")
            acks.append(read_frame(s))
    return acks


def msa(ack):
    for seg in (ack or "").split("\r"):
        if seg.startswith("MSA|"):
            f = seg.split("|")
            return f[1], f[2]
    return None, None


def count_events():
    return int(db_rows(db, "SELECT COUNT(*) FROM events")[0][0])


def episode_of(visit):
    rows = db_rows(db, "SELECT episode_id FROM hl7_visits WHERE facility = 'FALU' AND visit = ?", (visit,))
    return int(rows[0][0]) if rows else None


def connect_from(src, port):
    """A connection from source address src (any of 127.0.0.0/8 reaches the loopback listener)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def served(s, ctl):
    """True when the connection is served: an A04 (accepted and ignored) gets AA; False when the server closed it."""
    try:
        s.sendall(b"\x0b" + adt("A04", ctl, P1, "V1", W12).encode() + b"\x1c\r")
        return msa(read_frame(s)) == ("AA", ctl)
    except OSError:
        return False


def closed_while(s, byte, rounds=60, pause=0.25):
    """Sends one byte every pause seconds, at most rounds times; True as soon as the server has closed the
    connection (before the loop ends), False when it kept it open all along."""
    for _ in range(rounds):
        try:
            s.sendall(byte)
        except OSError:
            return True
        r, _, _ = select.select([s], [], [], pause)
        if r:
            try:
                if s.recv(4096) == b"":
                    return True
            except OSError:
                return True
    return False


def test_limits():
    """Issue 13.6: slots per sender and a reserved slot for each registered facility. Four slots, two per
    address; facilities FA (127.0.0.2) and FB (127.0.0.3) are registered, the demo door lets any other
    loopback address in as an unregistered sender."""
    path = fresh_db("mllp-limits.db")
    make_demo(path, episodes=1)
    for fac, addr in (("FA", "127.0.0.2"), ("FB", "127.0.0.3")):
        subprocess.run([HEMGANG, "hl7", "--db", path, "facility", fac, "--org", "R20", "--allow", addr], check=True,
                       capture_output=True, timeout=60)
    lim = Server(path, ["--mllp-limits", "connections=4,per-peer=2"])
    conns = []
    try:
        def open_from(src, ctl):
            c = connect_from(src, lim.mllp)
            conns.append(c)
            return served(c, ctl)
        t.eq([open_from("127.0.0.9", f"L{i}") for i in range(3)], [True, True, False],
             "one address gets two connections, not three")
        t.eq(open_from("127.0.0.10", "L3"), False, "another sender: the two free slots are FA's and FB's reserve")
        t.eq(open_from("127.0.0.2", "L4"), True, "FA gets its reserved slot")
        t.eq(open_from("127.0.0.2", "L5"), False, "FA's second connection would take FB's reserve")
        t.eq(open_from("127.0.0.3", "L6"), True, "FB gets its reserved slot")
        for c in conns[:2]:
            c.close()
        ok = False
        for i in range(40):  # the closed slots come free once their threads see the close
            if open_from("127.0.0.10", f"L7-{i}"):
                ok = True
                break
            time.sleep(0.25)
        t.ok(ok, "closed connections free their slots")
    finally:
        for c in conns:
            c.close()
        lim.stop()


def test_timeouts():
    """Issue 13.6: a frame that never ends is closed message-timeout after its first byte however slowly it
    trickles; bytes outside a frame do not keep an idle connection open; complete messages do."""
    path = fresh_db("mllp-timeouts.db")
    make_demo(path, episodes=1)
    tim = Server(path, ["--mllp-limits", "message-timeout=1,idle-timeout=2"])
    try:
        slow = connect_from("127.0.0.1", tim.mllp)
        slow.sendall(b"\x0bMSH|^~\\&|PAS|FALU|")
        t.ok(closed_while(slow, b"x"), "a frame trickled a byte at a time is closed")
        slow.close()
        noisy = connect_from("127.0.0.1", tim.mllp)
        t.ok(served(noisy, "T1"), "a message on the noisy connection")
        t.ok(closed_while(noisy, b"\n"), "stray bytes between frames do not keep the connection open")
        noisy.close()
        busy = connect_from("127.0.0.1", tim.mllp)
        kept = []
        for i in range(12):  # 12 x 0.25 s: longer than the idle timeout
            kept.append(served(busy, f"T2-{i}"))
            time.sleep(0.25)
        t.eq(kept, [True] * 12, "complete messages keep a connection open past the idle timeout")
        busy.close()
    finally:
        tim.stop()


srv = Server()
try:
    # ---- the day: patient 1 through our client, mllp_send and node-hl7-client ----
    own = [
        adt("A01", "M1", P1, "V100", W12, evn="20240503080000", pv2_9="20240510"),
        adt("A01", "M2", P2, "V200", W14, name="Berg^Erik", evn="20240503081500"),
        adt("A01", "M3", P3, "V300", "KIR9", name="Lind^Olle", evn="20240503083000"),
        adt("A03", "M4", P3, "V300", "KIR9", name="Lind^Olle", pv1_36="01", pv1_45="20240503170000"),
    ]
    before = count_events()
    acks = send_all(srv.mllp, own)
    t.eq([msa(a) for a in acks], [("AA", "M1"), ("AA", "M2"), ("AA", "M3"), ("AA", "M4")], "own client: four AA")
    t.eq(count_events() - before, 2, "two admissions stored; KIR9 quarantined")

    later = [
        adt("A08", "M5", P1, "V100", W12, name="Svensson^Anna Maria", evn="20240503090000"),
        adt("A02", "M6", P1, "V100", W31, name="Svensson^Anna Maria", evn="20240503110000"),
        adt("A21", "M7", P1, "V100", W31, name="Svensson^Anna Maria", evn="20240504100000"),
        adt("A22", "M8", P1, "V100", W31, name="Svensson^Anna Maria", evn="20240504180000"),
        adt("A11", "M9", P2, "V200", W14, name="Berg^Erik", evn="20240503120000"),
    ]
    # mllp_send (python3-hl7): its 0.4.5 reads stdin wrongly under Python 3.11, so --file with framed messages
    framed = os.path.join(TMP, "mllp_send.hl7")
    with open(framed, "wb") as f:
        for m in later[:2]:
            f.write(b"\x0b" + m.encode() + b"\x1c\r")
    if shutil.which("mllp_send") or os.path.exists("/usr/bin/mllp_send"):
        out = subprocess.run(["/usr/bin/python3", "/usr/bin/mllp_send", "-p", str(srv.mllp), "--file", framed, "127.0.0.1"],
                             capture_output=True, timeout=60)
        acks = [a for a in out.stdout.decode().split("\x1c") if "MSA|" in a]
        t.eq(out.returncode, 0, "mllp_send exits 0")
        t.eq([msa(a.strip("\x0b\r\n")) for a in acks], [("AA", "M5"), ("AA", "M6")], "mllp_send: A08 and A02 get AA")
    else:
        t.ok(not IN_CI, "mllp_send (Debian python3-hl7) is installed")
        send_all(srv.mllp, later[:2])

    # node-hl7-client (npm): one message at a time, each after the previous ACK
    peers = os.path.join(HERE, "peers")
    node_file = os.path.join(TMP, "node.txt")
    with open(node_file, "w") as f:
        f.write("\n---\n".join(m.replace("\r", "\n") for m in later[2:]))
    if shutil.which("node") and os.path.isdir(os.path.join(peers, "node_modules", "node-hl7-client")):
        out = subprocess.run(["node", "send.cjs", str(srv.mllp), node_file], cwd=peers, capture_output=True, text=True,
                             timeout=90)
        got = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
        t.eq(out.returncode, 0, f"node-hl7-client exits 0 ({out.stderr.strip()[:200]})")
        t.eq([(a["msa1"], a["msa2"]) for a in got], [("AA", "M7"), ("AA", "M8"), ("AA", "M9")],
             "node-hl7-client: A21, A22, A11 get AA")
    else:
        t.ok(not IN_CI, "node-hl7-client is installed in tests/hl7/peers (npm install)")
        send_all(srv.mllp, later[2:])

    # the discharge, and two rule violations that get AE naming the field
    acks = send_all(srv.mllp, [
        adt("A03", "M10", P1, "V100", W31, pv1_36="ZZ", pv1_45="20240506100000"),
        adt("A03", "M11", P1, "V100", W31, pv1_36="03", pv1_45="20240501100000"),
        adt("A03", "M12", P1, "V100", W31, pv1_36="03", pv1_45="20240506100000"),
        adt("A12", "M13", P2, "V200", W14, name="Berg^Erik"),
    ])
    t.eq(msa(acks[0]), ("AE", "M10"), "unknown PV1-36: AE")
    t.ok("ERR||PV1^1^36" in acks[0] and "103^Table value not found" in acks[0], "the ERR names PV1-36")
    t.eq(msa(acks[1]), ("AE", "M11"), "discharge before the admission: AE")
    t.ok("ERR||PV1^1^45" in acks[1] and "discharge_before_admission" in acks[1], "the ERR names PV1-45 and the rule")
    t.eq(msa(acks[2]), ("AA", "M12"), "the discharge: AA")
    t.eq(msa(acks[3]), ("AE", "M13"), "A12 on a cancelled episode: AE")

    # garbage on the same connection, then an oversized frame (AR and the connection closes)
    with socket.create_connection(("127.0.0.1", srv.mllp), timeout=30) as s:
        s.sendall(b"\x0bthis is not HL7\x1c\r")
        t.eq(msa(read_frame(s))[0], "AR", "garbage: AR")
        s.sendall(b"\x0b" + adt("A04", "M14", P1, "V100", W12).encode() + b"\x1c\r")
        t.eq(msa(read_frame(s)), ("AA", "M14"), "the connection survives garbage; A04 accepted and ignored")
        s.sendall(b"\x0bMSH|^~\\&|" + b"x" * (1024 * 1024 + 10) + b"\x1c\r")
        t.eq(msa(read_frame(s))[0], "AR", "a frame beyond 1 MiB: AR")
        s.settimeout(10)
        t.eq(s.recv(10), b"", "and the connection is closed")

    # a batch (BHS ... BTS) in one frame: each message handled, one batch of ACKs back (issue 16.3)
    with socket.create_connection(("127.0.0.1", srv.mllp), timeout=30) as s:
        batch = "BHS|^~\\&|PAS|FALU\r" + adt("A04", "MB1", P1, "V100", W12) + adt("A04", "MB2", P1, "V100", W12) + "BTS|2\r"
        s.sendall(b"\x0b" + batch.encode() + b"\x1c\r")
        answer = read_frame(s) or ""
        t.ok(answer.startswith("BHS|") and "\rMSA|AA|MB1\r" in answer and "\rMSA|AA|MB2\r" in answer
             and answer.endswith("BTS|2"), f"a batch over MLLP: a batch of two ACKs ({answer[:80]!r})")

    # ---- what the JSON API shows ----
    ward = Client(srv.http)
    t.eq(ward.login("avd12")[0], 200, "login avd12 (ward 12)")
    e1 = episode_of("V100")
    status, body, _ = ward.request("GET", f"/api/v1/episodes/{e1}")
    t.eq(status, 200, "episode of V100 readable by its admitting ward")
    types = [e["type"] for e in body["events"]] if body else []
    t.eq(types, ["admitted", "admitted", "transferred", "leave_started", "leave_ended", "discharged"],
         "V100: admission, A08 correction, transfer, leave, discharge")
    ep = body["episode"] if body else {}
    t.eq(ep.get("status"), "discharged", "V100 discharged")
    t.eq(ep.get("patient", {}).get("name"), "Anna Maria Svensson", "A08 corrected the name")
    t.eq(ep.get("ward"), W31, "current ward after A02")
    e2 = episode_of("V200")
    st = (db_rows(db, "SELECT status FROM episode_projection WHERE episode_id = ?", (e2,)) or [None])[0]
    t.eq(st[0] if st else None, "cancelled", "V200 cancelled by A11")

    # ---- quarantine: an administrator registers the facility, maps KIR9 and replays ----
    admin = Client(srv.http)
    t.eq(admin.login("admin")[0], 200, "login admin (region)")
    status, body, _ = admin.request("GET", "/api/v1/hl7/quarantine?state=pending")
    t.eq(status, 200, "quarantine list")
    rows = body["quarantine"] if body else []
    t.eq([(r["control_id"], r["reason"]) for r in rows], [("M3", "unknown_ward"), ("M4", "earlier_message_quarantined")],
         "M3 (unknown ward) and M4 (waits for it) are pending")
    t.ok(all(r["personnummer_masked"].endswith("-****") for r in rows), "the quarantine shows masked numbers only")
    status, _, _ = admin.request("PUT", "/api/v1/hl7/facilities/FALU/wards/KIR9", {"unit": W17})
    t.eq(status, 404, "a ward code of an unregistered facility: 404")
    status, body, _ = admin.request("PUT", "/api/v1/hl7/facilities/FALU", {"name": "Falu PAS", "addresses": ["127.0.0.1"]})
    t.eq(status, 200, "register facility FALU")
    status, body, _ = admin.request("PUT", "/api/v1/hl7/facilities/FALU/wards/KIR9", {"unit": "K2080-BIST"})
    t.eq(status, 422, "a ward code must map to a ward of the region")
    status, body, _ = admin.request("PUT", "/api/v1/hl7/facilities/FALU/wards/KIR9", {"unit": W17})
    t.eq(status, 200, "map KIR9 to ward 17")
    status, body, _ = admin.request("POST", f"/api/v1/hl7/quarantine/{rows[1]['id']}/replay" if len(rows) > 1 else "/x")
    t.eq(status, 409, "M4 cannot be replayed before M3")
    status, body, _ = admin.request("POST", f"/api/v1/hl7/quarantine/{rows[0]['id']}/replay" if rows else "/x")
    t.eq(status, 200, "replay M3")
    t.eq((body or {}).get("outcome"), "accepted", "M3 placed")
    t.eq((body or {}).get("replayed"), 2, "M4 went along")
    status, body, _ = admin.request("GET", "/api/v1/hl7/quarantine?state=pending")
    t.eq(len((body or {}).get("quarantine", [1])), 0, "nothing pending")
    nurse = Client(srv.http)
    nurse.login("bist-falun")
    status, _, _ = nurse.request("GET", "/api/v1/hl7/quarantine")
    t.eq(status, 403, "a municipal assessor may not see the quarantine")
    e3 = episode_of("V300")
    st = (db_rows(db, "SELECT status, ward FROM episode_projection WHERE episode_id = ?", (e3,)) or [None])[0]
    t.eq(tuple(st) if st else None, ("discharged", W17), "V300 admitted on ward 17 and discharged after the replay")

    # ---- redelivery: the whole day again, same MSH-10s: the same answers, nothing written ----
    total = count_events()
    day = own + later + [adt("A03", "M12", P1, "V100", W31, pv1_36="03", pv1_45="20240506100000")]
    acks = send_all(srv.mllp, day)
    t.eq([msa(a)[0] for a in acks], ["AA"] * len(day), "redelivered day: every message AA again")
    t.eq(count_events(), total, "redelivery wrote no event")
    status, body, _ = ward.request("GET", f"/api/v1/episodes/{e1}")
    t.eq(len(body["events"]) if body else -1, 6, "V100 still has six events")
finally:
    srv.stop()
test_limits()
test_timeouts()
t.finish()
