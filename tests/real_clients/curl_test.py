#!/usr/bin/env python3
"""curl against a real daemon: large heads, and uploads of 0 B to 50 MiB to every endpoint that takes a body.

Usage: curl_test.py PATH_TO_BATON

Starts `baton daemon` on loopback (ephemeral ports, a temp BATON_HOME) with two managed services whose app
is echo_origin.py (it answers each body's length and sha256, and every header as it arrived) and one site,
then drives it with the curl binary:
  - data plane: cookies of 1 KiB to 8000 bytes, 90 extra fields, a head just under the 64 KiB limit (each
    field reaching the origin exactly), heads over the limits (431); uploads with Content-Length
    (--data-binary @file and -T file) and chunked, the origin seeing the exact bytes;
  - control API over the unix socket: the site release upload (tar archives of each size, the published
    file served back byte for byte; bytes that are no tar get 400 with the reason) and every JSON endpoint
    (an empty body gets its documented answer, a large one a clear 4xx with a JSON error, never a dropped
    connection); each of them answers `Expect: 100-continue`; heads near and over its limit.
Prints each failure and a closing 'N passed, N failed' line; exits 1 on any failure.
"""
import hashlib, io, json, os, shutil, signal, socket, subprocess, sys, tarfile, tempfile, time

KIB, MIB = 1024, 1024 * 1024
SIZES = [0, KIB, MIB, MIB + 1, 10 * MIB, 50 * MIB]
HEAD_LIMIT = 64 * KIB  # [proxy.limits] max_header_bytes and the control API's head limit, by default
ORIGIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "echo_origin.py")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "py"))
from baton_harness import DaemonProcess, Tally, free_port  # noqa: E402

tally = Tally()
check = tally.check



def size_name(n):
    if n >= MIB:
        return f"{n // MIB} MiB" + (f" + {n % MIB}" if n % MIB else "")
    return f"{n // KIB} KiB" if n >= KIB else f"{n} B"


class Curl:
    """Runs curl and returns (exit code, status, body bytes, stderr)."""

    def __init__(self, work, unix_socket=None):
        self.out = os.path.join(work, "curl-out")
        self.unix_socket = unix_socket
        self.stderr = ""

    def __call__(self, url, *args, timeout=60, stdin=None):
        # curl sends `Expect: 100-continue` with chunked bodies and bodies over 1 MiB, then waits 1 s for
        # the 100 before it sends the body anyway; a shorter wait keeps the run short either way (whether
        # the 100 comes is a case of its own).
        cmd = ["curl", "-sS", "-o", self.out, "-w", "%{http_code}", "--max-time", str(timeout),
               "--expect100-timeout", "0.2"]
        if self.unix_socket:
            cmd += ["--unix-socket", self.unix_socket]
        if os.path.exists(self.out):
            os.unlink(self.out)
        with open(stdin or os.devnull, "rb") as source:
            p = subprocess.run(cmd + list(args) + [url], stdin=source, capture_output=True, timeout=timeout + 10)
        self.stderr = p.stderr.decode(errors="replace")
        body = open(self.out, "rb").read() if os.path.exists(self.out) else b""
        status = int(p.stdout.strip() or 0) if p.stdout.strip().isdigit() else 0
        return p.returncode, status, body, p.stderr.decode(errors="replace").strip()


# A chunked upload reads the file from standard input, as `tar -cf - . | curl -T -` does: given an empty
# file by name, curl 7.88 sends the chunked head but never the last chunk.
CHUNKED = ["-X", "POST", "-T", "-", "-H", "Transfer-Encoding: chunked"]


def as_json(body):
    try:
        return json.loads(body)
    except ValueError:
        return None


def last_json_line(body):
    lines = [l for l in body.decode(errors="replace").splitlines() if l.strip()]
    return as_json(lines[-1]) if lines else None


class Daemon(DaemonProcess):
    def __init__(self, baton, work):
        self.work = work
        self.site_root = os.path.join(work, "site")
        os.makedirs(self.site_root)
        self.echo_port, self.spare_port, self.site_port = free_port(), free_port(), free_port()
        config = os.path.join(work, "baton.toml")
        command = json.dumps([sys.executable, ORIGIN])
        with open(config, "w") as f:
            f.write(f"""[proxy]
threads = 2

[services.echo]
listen = "127.0.0.1:{self.echo_port}"
command = {command}
instances = 2
health = "/healthz"
drain_timeout = "5s"

[services.spare]
listen = "127.0.0.1:{self.spare_port}"
command = {command}
instances = 1
health = "/healthz"
drain_timeout = "2s"

[sites.web]
root = "{self.site_root}"
listen = "127.0.0.1:{self.site_port}"
""")
        super().__init__(baton, os.path.join(work, "home"), config, os.path.join(work, "daemon.log"))
        self.socket = os.path.join(self.home, "baton.sock")

    def wait_ready(self, curl, deadline_s=30):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            if os.path.exists(self.socket):
                rc, status, body, _ = curl("http://baton/v1/status", timeout=5)
                status_json = as_json(body) if status == 200 else None
                if status_json and len(status_json["instances"]) == 3 and all(
                        i["healthy"] for i in status_json["instances"]):
                    return True
            time.sleep(0.1)
        return False


def make_payloads(work):
    """Random files of every size, and their sha256."""
    payloads = {}
    seed = os.urandom(MIB)
    for n in SIZES:
        path = os.path.join(work, f"payload-{n}")
        with open(path, "wb") as f:
            left = n
            while left:
                f.write(seed[: min(left, MIB)])
                left -= min(left, MIB)
                seed = hashlib.sha256(seed[:64]).digest() + seed[32:]  # blocks differ from each other
        payloads[n] = (path, hashlib.sha256(open(path, "rb").read()).hexdigest())
    return payloads


def make_tar(path, size):
    """A ustar archive of exactly `size` bytes: index.html and blob.bin filling the rest, when one fits.

    0 B and 1 KiB (the end marker alone) cannot hold a build: the API must refuse them with 400. Sizes that
    are no multiple of 512 end with zero bytes after the end marker, which tar readers take as padding.
    Returns the blob's sha256 and length, or None when the archive holds no build."""
    index = b"<!doctype html><title>upload</title>\n"
    fixed = 512 + 512 + 512 + 1024  # index header and data, blob header, end marker
    if size < fixed:
        open(path, "wb").write(b"\0" * size)
        return None
    blob_len = (size - fixed) // 512 * 512
    blob = (hashlib.sha256(str(size).encode()).digest() * (blob_len // 32 + 1))[:blob_len]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("index.html", index), ("blob.bin", blob)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1700000000
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()[: fixed + blob_len]
    data += b"\0" * (size - len(data))
    open(path, "wb").write(data)
    return hashlib.sha256(blob).hexdigest(), blob_len


def field_file(work, fields):
    """A file for curl's -H @FILE: one 'Name: value' per line (argv could not hold 64 KiB)."""
    path = os.path.join(work, "fields")
    with open(path, "w") as f:
        for name, value in fields:
            f.write(f"{name}: {value}\n")
    return path


def head_cases():
    """(name, extra fields, expected status). curl adds Host, User-Agent and Accept (about 100 bytes)."""
    def cookie(n):
        return [("Cookie", ("s=" + "".join(chr(97 + i % 26) for i in range(n)))[:n])]
    cases = [(f"cookie of {n} bytes", cookie(n), 200) for n in (1 * KIB, 2 * KIB, 4 * KIB, 8000)]
    cases.append(("90 extra fields", [(f"X-Field-{i}", f"value-{i}-" + "v" * 40) for i in range(90)], 200))
    near = cookie(8000) + [(f"X-Pad-{i}", "p" * 7900) for i in range(7)]  # a head of about 63.5 KiB
    cases.append(("head just under 64 KiB (8000-byte cookie and seven 7.9 KiB fields)", near, 200))
    over = cookie(8000) + [(f"X-Pad-{i}", "p" * 7900) for i in range(8)]
    cases.append(("head over 64 KiB", over, 431))
    cases.append(("one field of 70 KiB", cookie(70 * KIB), 431))
    cases.append(("one field of 9 KiB, over the 8 KiB field limit", cookie(9 * KIB), 431))
    # nginx bounds a head by bytes, not by its count of fields, and so does Baton by default.
    cases.append(("1,000 extra fields", [(f"X-Field-{i}", "v") for i in range(1000)], 200))
    return cases


def test_heads(curl, daemon, work):
    url = f"http://127.0.0.1:{daemon.echo_port}/headers"
    for name, fields, want in head_cases():
        size = sum(len(k) + len(v) + 4 for k, v in fields)
        rc, status, body, err = curl(url, "-H", "@" + field_file(work, fields))
        label = f"data plane: {name} ({size} bytes of fields)"
        if rc != 0 or status != want:
            check(label, False, f"curl exit {rc} status {status} (wanted {want}) {err} {body[:120]!r}")
            continue
        if want != 200:
            check(label, True)
            continue
        got = [tuple(h) for h in as_json(body)["headers"]]
        missing = [k for k, v in fields if (k, v) not in got]
        order = [h for h in got if h[0].startswith("X-Field-") or h[0].startswith("X-Pad-")]
        sent_order = [(k, v) for k, v in fields if k.startswith("X-")]
        check(label, not missing and order == sent_order,
              f"fields missing or changed at the origin: {missing[:3]}; order kept: {order == sent_order}")
    # A large head together with a body.
    path = os.path.join(work, "payload-1048576")
    fields = [("Cookie", "big=" + "c" * 7000)] + [(f"X-Field-{i}", "v" * 100) for i in range(40)]
    rc, status, body, err = curl(f"http://127.0.0.1:{daemon.echo_port}/upload", "-H",
                                 "@" + field_file(work, fields), "--data-binary", "@" + path)
    reply = as_json(body) if status == 200 else None
    check("data plane: 11 KiB head with a 1 MiB body", rc == 0 and reply and reply["length"] == MIB,
          f"curl exit {rc} status {status} {err} {body[:120]!r}")


def test_data_plane_uploads(curl, daemon, payloads):
    url = f"http://127.0.0.1:{daemon.echo_port}/upload"
    modes = [("Content-Length, --data-binary", ["--data-binary", "@{}"], None),
             ("Content-Length, -T (PUT)", ["-T", "{}"], None),
             ("chunked, -T - (stdin)", CHUNKED, "{}")]
    for n in SIZES:
        path, digest = payloads[n]
        for mode, args, stdin in modes:
            rc, status, body, err = curl(url, *[a.format(path) for a in args], stdin=stdin and path)
            reply = as_json(body) if status == 200 else None
            label = f"data plane upload {size_name(n)}, {mode}"
            if rc != 0 or not reply:
                check(label, False, f"curl exit {rc} status {status} {err} {body[:120]!r}")
                continue
            want_chunked = mode.startswith("chunked")
            check(label, reply["length"] == n and reply["sha256"] == digest and reply["chunked"] == want_chunked,
                  f"origin got {reply['length']} bytes sha256 {reply['sha256'][:12]} chunked {reply['chunked']}, "
                  f"sent {n} bytes sha256 {digest[:12]}")


def test_site_uploads(curl, site_curl, daemon, work):
    url = "http://baton/v1/sites/web/releases"
    for n in SIZES:
        path = os.path.join(work, f"site-{n}.tar")
        blob = make_tar(path, n)
        for mode, args, stdin in (("Content-Length", ["-X", "POST", "-T", path], None), ("chunked", CHUNKED, path)):
            label = f"control API: site upload of a {size_name(n)} tar, {mode}"
            rc, status, body, err = curl(url + f"?version=t{n}", *args, stdin=stdin)
            reply = as_json(body)
            if blob is None:
                check(label, rc == 0 and status == 400 and reply and "error" in reply,
                      f"curl exit {rc} status {status} (wanted 400 with an error) {err} {body[:160]!r}")
                continue
            if rc != 0 or status != 200 or not reply:
                check(label, False, f"curl exit {rc} status {status} (wanted 200) {err} {body[:160]!r}")
                continue
            digest, blob_len = blob
            src, got_status, served, _ = site_curl(f"http://127.0.0.1:{daemon.site_port}/blob.bin")
            check(label, reply.get("files") == 2 and got_status == 200 and len(served) == blob_len
                  and hashlib.sha256(served).hexdigest() == digest,
                  f"answer {reply}; served blob.bin: status {got_status}, {len(served)} bytes (wanted {blob_len})")


def test_site_upload_not_tar(curl, payloads):
    """Bytes that are no tar archive: 400 and the reason, as JSON, whatever bytes the reason quotes."""
    for n in (KIB, MIB):
        path, _ = payloads[n]
        for mode, args, stdin in (("Content-Length", ["-X", "POST", "-T", path], None), ("chunked", CHUNKED, path)):
            rc, status, body, err = curl("http://baton/v1/sites/web/releases", *args, stdin=stdin)
            reply = as_json(body)
            check(f"control API: site upload of {size_name(n)} of random bytes (not a tar), {mode}",
                  rc == 0 and status == 400 and reply is not None and "error" in reply,
                  f"curl exit {rc} status {status} (wanted 400 with a JSON error) {err} {body[:160]!r}")


# Every control endpoint that reads a body (docs/api.md), with the answer to an empty body, which every
# JSON endpoint reads as {}. Acting on the `spare` service keeps the data-plane service out of it.
JSON_ENDPOINTS = [
    ("/v1/services/spare/deploy", 200),      # a deploy of the same spec: ends live
    ("/v1/services/spare/rollback", 200),    # back to the release live before
    ("/v1/services/spare/scale", 400),       # instances is required
    ("/v1/services/spare/start", 200),       # back to the config's count
    ("/v1/apply", 400),                      # path and text are required
    ("/v1/services", 400),                   # name, listen and command are required
    ("/v1/sites/web/rollback", 200),         # the release before the live one
]


def test_json_endpoints(curl, payloads):
    for endpoint, empty_status in JSON_ENDPOINTS:
        for n in SIZES:
            path, _ = payloads[n]
            for mode, args, stdin in (("Content-Length", ["--data-binary", "@" + path], None),
                                      ("chunked", CHUNKED, path)):
                label = f"control API: POST {endpoint} with {size_name(n)}, {mode}"
                rc, status, body, err = curl("http://baton" + endpoint, "-H", "Content-Type: application/json",
                                             *args, stdin=stdin)
                if rc != 0 or status == 0:
                    check(label, False, f"no answer: curl exit {rc} {err}")
                elif n == 0:
                    end = last_json_line(body) if status == 200 else as_json(body)
                    ok = status == empty_status and end is not None and (
                        status != 200 or end.get("ok", True) is True)
                    check(label, ok, f"status {status} (wanted {empty_status}) {body[-200:]!r}")
                else:
                    reply = as_json(body)
                    check(label, status in (400, 413) and reply is not None and "error" in reply,
                          f"status {status} (wanted 400 or 413 with a JSON error) {body[:160]!r}")


def test_expect_continue(curl, payloads, work):
    """Every body-taking endpoint answers `Expect: 100-continue` with a 100 (or a final status) before the body."""
    for endpoint, _ in JSON_ENDPOINTS + [("/v1/sites/web/releases", 400)]:
        path = os.path.join(work, f"site-{KIB}.tar") if "sites/web/releases" in endpoint else payloads[KIB][0]
        rc, status, body, err = curl("http://baton" + endpoint, "-v", *CHUNKED, stdin=path)
        got_100 = "< HTTP/1.1 100" in curl.stderr
        check(f"control API: POST {endpoint} answers Expect: 100-continue", rc == 0 and got_100 and status >= 200,
              f"curl exit {rc} status {status} {err.splitlines()[-1] if rc else ''}; " +
              ("100 Continue came" if got_100 else "no 100 Continue: curl sent the body after its own wait"))


def test_control_heads(curl, work):
    url = "http://baton/v1/status"
    cases = [("cookie of 8000 bytes", [("Cookie", "s=" + "c" * 7998)], 200),
             ("head just under 64 KiB", [(f"X-Pad-{i}", "p" * 7900) for i in range(8)], 200),
             ("head over 64 KiB", [(f"X-Pad-{i}", "p" * 7900) for i in range(9)], 431)]
    for name, fields, want in cases:
        rc, status, body, err = curl(url, "-H", "@" + field_file(work, fields))
        check(f"control API: GET /v1/status with a {name}", rc == 0 and status == want,
              f"curl exit {rc} status {status} (wanted {want}) {err} {body[:120]!r}")


def main():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: curl_test.py PATH_TO_BATON (an executable)")
        sys.exit(2)
    if not shutil.which("curl"):
        print("curl_test: curl is missing (scripts/setup.sh installs it)")
        sys.exit(1)
    # A ctest timeout sends SIGTERM: stop the daemon and its instances on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(check("finished before SIGTERM", False, "stopped") or 1))
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="baton-curl-")
    daemon = Daemon(os.path.abspath(sys.argv[1]), work)
    control = Curl(work, unix_socket=daemon.socket)
    plain = Curl(work)
    try:
        payloads = make_payloads(work)
        if not daemon.wait_ready(control):
            check("daemon ready with every instance healthy", False,
                  open(os.path.join(work, "daemon.log"), errors="replace").read()[-2000:])
        else:
            for name, part in (("heads", lambda: test_heads(plain, daemon, work)),
                               ("data plane uploads", lambda: test_data_plane_uploads(plain, daemon, payloads)),
                               ("site uploads", lambda: test_site_uploads(control, plain, daemon, work)),
                               ("site upload of random bytes", lambda: test_site_upload_not_tar(control, payloads)),
                               ("JSON endpoints", lambda: test_json_endpoints(control, payloads)),
                               ("Expect", lambda: test_expect_continue(control, payloads, work)),
                               ("control heads", lambda: test_control_heads(control, work))):
                part_started = time.monotonic()
                part()
                print(f"{name}: {time.monotonic() - part_started:.1f} s", flush=True)
            check("daemon still running", daemon.proc.poll() is None, f"exit code {daemon.proc.poll()}")
    finally:
        daemon.stop()
        if tally.failed:
            kept = tempfile.mktemp(prefix="baton-curl-daemon-", suffix=".log")
            shutil.copy(os.path.join(work, "daemon.log"), kept)
            print(f"daemon log: {kept}")
        shutil.rmtree(work, ignore_errors=True)
        print(f"took {time.monotonic() - started:.1f} s")
        print(tally.summary())
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
