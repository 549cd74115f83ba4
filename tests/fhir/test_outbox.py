"""test_outbox.py - messages out (issue 16.4) against the real server: a municipality's records system subscribes
with FHIR over HTTP and a primary care centre's with HL7 v2 over MLLP; both receivers are started here on loopback.
An admission notice sent through the JSON API reaches both; the FHIR receiver first answers 500 and gets the same
message again after the backoff; each positive answer becomes the unit's acknowledgement in the episode; a server
restart while a delivery is failing neither loses nor duplicates it; administrators see the deliveries (CLI and
API). Every message is validated with the independent R4 validator. Every wait is bounded."""
import datetime
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
from hemgang_test import HEMGANG, TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

t = Checks("test_outbox")
db = fresh_db("outbox.db")
make_demo(db, episodes=3)
W12, VC, BIST = "SE2321000180-E1012", "SE2321000180-E2001", "K2080-BIST"


# ---- the receivers ----
class Fhir:
    """A FHIR receiver: keeps every POST; answers `fail` of them with 500 first, then a response message ok."""
    lock = threading.Lock()
    posts = []      # (status answered, bundle)
    fail = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            bundle = json.loads(body)
        except ValueError:
            bundle = None
        with Fhir.lock:
            status = 500 if Fhir.fail > 0 else 200
            if Fhir.fail > 0:
                Fhir.fail -= 1
            Fhir.posts.append((status, bundle, self.headers.get("Content-Type", "")))
        if status != 200:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        header = bundle["entry"][0]["resource"]
        answer = {"resourceType": "Bundle", "id": "r-" + bundle["id"], "type": "message",
                  "timestamp": "2024-05-03T08:00:00Z",
                  "entry": [{"fullUrl": "urn:uuid:resp", "resource": {
                      "resourceType": "MessageHeader", "id": "rh-" + bundle["id"], "eventCoding": header["eventCoding"],
                      "source": {"endpoint": "http://kommun.example/fhir"},
                      "response": {"identifier": header["id"], "code": "ok"}}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
fhir_url = f"http://127.0.0.1:{httpd.server_address[1]}/fhir/$process-message"

mllp_messages = []  # every HL7 message received


def mllp_serve(sock):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.settimeout(10)
        buf = b""
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                buf += chunk
                while b"\x1c\r" in buf:
                    frame, buf = buf.split(b"\x1c\r", 1)
                    msg = frame.lstrip(b"\x0b").decode()
                    mllp_messages.append(msg)
                    msh = msg.split("\r")[0].split("|")
                    ack = f"MSH|^~\\&|VC-JOURNAL|VC|{msh[2]}|{msh[3]}|20240503080000||ACK^{msh[8].split('^')[1]}|A{msh[9]}|P|2.5.1\rMSA|AA|{msh[9]}\r"
                    conn.sendall(b"\x0b" + ack.encode() + b"\x1c\r")
        except OSError:
            pass
        conn.close()


msock = socket.socket()
msock.bind(("127.0.0.1", 0))
msock.listen(4)
threading.Thread(target=mllp_serve, args=(msock,), daemon=True).start()
mllp_addr = f"127.0.0.1:{msock.getsockname()[1]}"


def hl7(*args):
    return subprocess.run([HEMGANG, "hl7", "--db", db] + list(args), capture_output=True, text=True, timeout=60)


# ---- subscriptions (CLI) ----
r = hl7("subscription", "add", "kommun-falun", "--unit", BIST, "--fhir", fhir_url)
t.eq(r.returncode, 0, f"subscription add (FHIR) {r.stderr}")
r = hl7("subscription", "add", "vc-journal", "--unit", VC, "--hl7", mllp_addr)
t.eq(r.returncode, 0, f"subscription add (HL7) {r.stderr}")
for label, args in (("unknown unit", ["x1", "--unit", "NO-SUCH-UNIT", "--fhir", fhir_url]),
                    ("not an http URL", ["x2", "--unit", BIST, "--fhir", "ftp://x/y"]),
                    ("both protocols", ["x3", "--unit", BIST, "--fhir", fhir_url, "--hl7", mllp_addr]),
                    ("taken name", ["kommun-falun", "--unit", BIST, "--fhir", fhir_url]),
                    ("bad name", ["a b", "--unit", BIST, "--fhir", fhir_url])):
    r = hl7("subscription", "add", *args)
    t.eq(r.returncode, 2, f"subscription add refuses: {label}")
r = hl7("subscription", "list")
t.ok("kommun-falun\tK2080-BIST\tfhir" in r.stdout and "vc-journal\tSE2321000180-E2001\thl7" in r.stdout,
     "subscription list shows both")

# ---- an admission notice through the JSON API; the FHIR receiver fails twice first ----
Fhir.fail = 2
delivery = ["--delivery", "backoff=1,backoff-max=2,interval-ms=100,timeout=5"]
srv = Server(db, os.path.join(TMP, "outbox-server.log"), delivery).start()


def client(user):
    c = Client(srv.port)
    status, _, _ = c.login(user)
    t.eq(status, 200, f"login {user}")
    return c


now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
ward = client("avd12")
status, body, _ = ward.request("POST", "/api/v1/episodes", {
    "occurred_at": iso(now - datetime.timedelta(hours=2)), "ward": W12,
    "patient": {"personnummer": "19121212-1212", "name": "Tolvan Testsson", "registered_municipality": "2080",
                "primary_care_unit": VC, "address": "Storgatan 1"}})
t.eq(status, 201, "admission")
eid = body["episode_id"]
expected = str(datetime.date.today() + datetime.timedelta(days=5))
status, body, _ = ward.request("POST", f"/api/v1/episodes/{eid}/events", {
    "type": "admission_notice", "occurred_at": iso(now), "recipients": [{"unit": VC}, {"unit": BIST}],
    "expected_discharge_date": expected, "reason": "fall_injury"})
t.eq(status, 201, f"admission notice {body}")
notice_seq = body["seq"]


def wait(cond, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def accepted(bundle_filter=lambda b: True):
    with Fhir.lock:
        return [b for s, b, _ in Fhir.posts if s == 200 and b and bundle_filter(b)]


def acks(c, eid):
    status, body, _ = c.request("GET", f"/api/v1/episodes/{eid}")
    return [e for e in (body or {}).get("events", []) if e.get("type") == "acknowledged"]


t.ok(wait(lambda: len(accepted()) >= 1), "the FHIR receiver got the admission notice")
with Fhir.lock:
    posts = list(Fhir.posts)
t.eq([s for s, _, _ in posts], [500, 500, 200], "two 500s, then the same message after the backoff")
ids = {b["id"] for _, b, _ in posts if b}
t.eq(len(ids), 1, "every attempt carries the same Bundle.id")
t.ok(all(ct.startswith("application/fhir+json") for _, _, ct in posts), "Content-Type application/fhir+json")
msg = posts[-1][1]
header = msg["entry"][0]["resource"]
t.eq(msg.get("type"), "message", "a message Bundle")
t.eq(header.get("resourceType"), "MessageHeader", "MessageHeader first")
t.eq(header.get("eventCoding", {}).get("code"), "admission-notice", "hemgang's event code")
res = {e["fullUrl"]: e["resource"] for e in msg["entry"]}
receiver = res.get(header.get("destination", [{}])[0].get("receiver", {}).get("reference"), {})
t.eq(receiver.get("identifier", [{}])[0].get("value"), BIST, "addressed to the subscribed unit")
patients = [r for r in res.values() if r["resourceType"] == "Patient"]
t.eq(patients and patients[0]["identifier"][0]["value"], "19121212-1212", "the patient's personnummer")
encs = [r for r in res.values() if r["resourceType"] == "Encounter"]
t.eq(encs and encs[0]["id"], str(eid), "the Encounter is the episode")
t.ok(encs and any(x.get("valueDate") == expected for x in encs[0].get("extension", [])), "the expected date")

t.ok(wait(lambda: any(a["author"]["unit"] == BIST for a in acks(ward, eid))), "the municipality's acknowledgement")
t.ok(wait(lambda: len(mllp_messages) >= 1), "the MLLP receiver got the admission notice")
t.ok(wait(lambda: any(a["author"]["unit"] == VC for a in acks(ward, eid))), "primary care's acknowledgement (ACK AA)")
a = [a for a in acks(ward, eid) if a["author"]["unit"] == BIST]
t.ok(a and a[0].get("ack_seq") == notice_seq, f"the acknowledgement names the notice {a}")
adt = mllp_messages[0].split("\r")
t.ok(adt[0].startswith("MSH|^~\\&|HEMGANG|") and "|ADT^A01^ADT_A01|" in adt[0], f"an ADT A01: {adt[0]}")
pid = next((s for s in adt if s.startswith("PID|")), "")
t.ok("191212121212^^^&1.2.752.129.2.1.3.1&ISO" in pid, f"PID-3 with the personnummer OID: {pid}")
pv2 = next((s for s in adt if s.startswith("PV2|")), "")
t.ok(pv2.endswith(expected.replace("-", "")), f"PV2-9 the expected date: {pv2}")

# ---- the administrators' view ----
r = hl7("deliveries")
lines = [l.split("\t") for l in r.stdout.splitlines()]
t.ok(any(l[1] == "kommun-falun" and l[5] == "delivered" and l[6] == "3" and l[8] == "acknowledged" for l in lines),
     f"hl7 deliveries: kommun-falun delivered after 3 attempts, acknowledged: {r.stdout}")
admin_falun = client("admin-falun")
status, body, _ = admin_falun.request("GET", "/api/v1/hl7/deliveries")
t.eq(status, 200, "GET /api/v1/hl7/deliveries")
mine = (body or {}).get("deliveries", [])
t.ok(mine and all(d["unit"] == BIST for d in mine), "a municipality's administrator sees its own units' deliveries")
t.ok(mine and mine[0]["attempts"] == 3 and mine[0]["state"] == "delivered" and mine[0]["acknowledgement"] == "acknowledged",
     f"attempts, state, acknowledgement: {mine}")
status, body, _ = client("admin").request("GET", "/api/v1/hl7/deliveries?subscription=vc-journal")
t.ok(status == 200 and [d["protocol"] for d in body["deliveries"]] == ["hl7"], "the region's administrator: HL7")
status, body, _ = admin_falun.request("GET", "/api/v1/hl7/deliveries?state=lost")
t.eq((status, (body or {}).get("field")), (400, "state"), "a bad state is 400 naming the field")
status, _, _ = client("bist-falun").request("GET", "/api/v1/hl7/deliveries")
t.eq(status, 403, "not an administrator: 403")

# ---- a restart while a delivery is failing: nothing lost, nothing twice ----
Fhir.fail = 10 ** 6
status, body, _ = ward.request("POST", f"/api/v1/episodes/{eid}/events", {
    "type": "ready_for_discharge", "occurred_at": iso(datetime.datetime.now(datetime.timezone.utc)),
    "recipients": [{"unit": VC}, {"unit": BIST}]})
t.eq(status, 201, "ready for discharge")
ready_seq = body.get("seq")
t.ok(wait(lambda: sum(1 for s, b, _ in Fhir.posts if s == 500 and b and b["id"] not in ids) >= 1),
     "the ready notice is tried and fails")
srv.stop()
Fhir.fail = 0
before = len(accepted())
srv = Server(db, os.path.join(TMP, "outbox-server.log"), delivery).start()
ward = client("avd12")
t.ok(wait(lambda: len(accepted()) > before), "after the restart the ready notice is delivered")
time.sleep(1.5)  # room for a duplicate to show up, were there one
got = accepted()
t.eq(len(got), 2, "each notice accepted exactly once by the FHIR receiver")
t.eq(len({b["id"] for b in got}), 2, "two different messages")
t.eq(got[-1]["entry"][0]["resource"]["eventCoding"]["code"], "ready-for-discharge", "the second is the ready notice")
t.ok(wait(lambda: len(acks(ward, eid)) == 4), "four acknowledgements (two notices, two units)")
t.eq(sorted((a["author"]["unit"], a["ack_seq"]) for a in acks(ward, eid)),
     sorted([(BIST, notice_seq), (VC, notice_seq), (BIST, ready_seq), (VC, ready_seq)]), "each unit acknowledged each notice once")
t.eq(len([m for m in mllp_messages if "|ADT^A16^" in m.split("\r")[0]]), 1, "one A16 over MLLP")

# ---- removal ----
r = hl7("subscription", "remove", "vc-journal")
t.eq(r.returncode, 0, "subscription remove")
t.eq(hl7("subscription", "remove", "vc-journal").returncode, 2, "removing it again: no such subscription")
srv.stop()

# ---- every message sent is valid R4 ----
path = os.path.join(TMP, "outbox-sent.json")
with open(path, "w") as f:
    json.dump([b for _, b, _ in Fhir.posts if b], f)
out = subprocess.run(["node", os.path.join(HERE, "validator", "validate.cjs"), path], capture_output=True, text=True,
                     timeout=120)
n = len([b for _, b, _ in Fhir.posts if b])
t.ok(out.returncode == 0 and f"validated {n} resources, 0 errors" in out.stdout, f"R4 validator: {out.stdout[-2000:]}")
httpd.shutdown()
msock.close()
t.finish()
