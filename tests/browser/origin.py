#!/usr/bin/env python3
"""The app behind Baton in the browser test, run as a managed service (port from $PORT). Standard library only.

  GET  /healthz          200 "ok"
  GET  /setup            sets six cookies of about 500 bytes each (3 KiB in all)
  GET  /page?load=K      a page pulling 20 assets (12 scripts, 4 stylesheets, 4 images), with a form and a
                         script that opens a WebSocket; every response says whether the request carried the
                         six cookies intact, and which release answered
  GET  /asset/...        the assets: a script records its check, a stylesheet sets a width, an image is 2 px
                         wide when the cookies were intact and 1 px wide when not
  POST /form             answers what the form carried (fields, their sha256) as JSON in <pre id=result>
  GET  /ws               WebSocket (RFC 6455): echoes each text message, then sends the cookie check
$STARTUP_DELAY (seconds) delays listening, so that a deploy's new instances take a while to become ready.
"""
import base64, hashlib, html, http.server, json, os, signal, struct, sys, threading, time, zlib
from urllib.parse import parse_qs, urlsplit

RELEASE = os.environ.get("BATON_RELEASE", "?")
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SCRIPTS, STYLESHEETS, IMAGES = 12, 4, 4


def expected_cookies():
    """Six cookies, about 3 KiB in all; the test's own copy of them is this function."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    cookies = {}
    for i in range(6):
        seed = hashlib.sha256(f"cookie-{i}".encode()).digest()
        cookies[f"c{i}"] = "".join(alphabet[(seed[j % 32] ^ j) % 64] for j in range(500))
    return cookies


EXPECTED = expected_cookies()


def cookie_check(header):
    """'ok' when every expected cookie arrived with its exact value, else what was wrong."""
    got = {}
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        got[name] = value
    wrong = [name for name, value in EXPECTED.items() if got.get(name) != value]
    return "ok" if not wrong else f"missing or changed: {','.join(wrong)} (Cookie header {len(header or '')} bytes)"


def png(width):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\0" + b"\x20\x80\xc0" * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def page(load, check):
    scripts = "\n".join(f'<script src="/asset/s{i}.js?load={load}" onerror="assetErrors.push(\'s{i}\')"></script>'
                        for i in range(SCRIPTS))
    sheets = "\n".join(f'<link rel="stylesheet" href="/asset/c{i}.css?load={load}" '
                       f'onerror="assetErrors.push(\'c{i}\')">' for i in range(STYLESHEETS))
    boxes = "".join(f'<div id="css{i}"></div>' for i in range(STYLESHEETS))
    images = "".join(f'<img id="img{i}" src="/asset/i{i}.png?load={load}" onerror="assetErrors.push(\'i{i}\')">'
                     for i in range(IMAGES))
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>load {load}</title>
<script>window.assetErrors = []; window.scriptResults = [];</script>
{sheets}
</head>
<body data-page="ok" data-release="{RELEASE}" data-cookies="{html.escape(check)}">
{boxes}{images}
<form id="form" method="post" action="/form?load={load}">
<input id="text" name="text"><textarea id="note" name="note"></textarea>
<input type="hidden" name="load" value="{load}"><button id="send" type="submit">send</button>
</form>
{scripts}
<script>
function runWebSocket(load) {{
  return new Promise(resolve => {{
    const message = "echo " + load + " " + Math.random().toString(36).slice(2) + " ünïcødé";
    const result = {{sent: message, echo: null, cookies: null, release: null, error: null}};
    const ws = new WebSocket("ws://" + location.host + "/ws?load=" + load);
    const timer = setTimeout(() => {{ result.error = "no answer in 15 s"; resolve(result); }}, 15000);
    ws.onopen = () => ws.send(message);
    ws.onmessage = event => {{
      if (result.echo === null) {{ result.echo = event.data; return; }}
      const check = JSON.parse(event.data);
      result.cookies = check.cookies; result.release = check.release;
      clearTimeout(timer); ws.close(1000); resolve(result);
    }};
    ws.onerror = () => {{ result.error = "error event"; }};
    ws.onclose = event => {{
      if (result.cookies === null) {{ result.error = (result.error || "") + " closed " + event.code; clearTimeout(timer); resolve(result); }}
    }};
  }});
}}
window.addEventListener("load", async () => {{
  const sheets = [];
  for (let i = 0; i < {STYLESHEETS}; i++)
    sheets.push(getComputedStyle(document.getElementById("css" + i)).width);
  const images = [];
  for (let i = 0; i < {IMAGES}; i++) {{
    const img = document.getElementById("img" + i);
    images.push(img.complete ? img.naturalWidth : -1);
  }}
  const ws = await runWebSocket({load});
  window.pageResult = {{scripts: window.scriptResults, sheets, images, errors: window.assetErrors, ws}};
}});
</script>
</body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Release", RELEASE)
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        load = parse_qs(url.query).get("load", ["0"])[0]
        check = cookie_check(self.headers.get("Cookie"))
        if url.path == "/healthz":
            self.reply(200, b"ok", "text/plain")
        elif url.path == "/setup":
            cookies = [("Set-Cookie", f"{k}={v}; Path=/; Max-Age=3600; SameSite=Lax") for k, v in EXPECTED.items()]
            self.reply(200, b"<!doctype html><title>setup</title><p id=setup>cookies set</p>", "text/html", cookies)
        elif url.path == "/page":
            self.reply(200, page(load, check).encode(), "text/html; charset=utf-8")
        elif url.path.startswith("/asset/"):
            self.asset(url.path[len("/asset/"):], load, check)
        elif url.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            self.websocket(check)
        else:
            self.reply(404, b"not found", "text/plain")

    def asset(self, name, load, check):
        kind, index = name[0], name[1:].split(".", 1)[0]
        if kind == "s":
            record = json.dumps({"i": int(index), "load": load, "cookies": check, "release": RELEASE})
            self.reply(200, f"window.scriptResults.push({record});\n".encode(), "application/javascript")
        elif kind == "c":
            width = 10 + int(index) if check == "ok" else 1
            self.reply(200, f"#css{index} {{ width: {width}px; height: 1px; }}\n".encode(), "text/css")
        elif kind == "i":
            self.reply(200, png(2 if check == "ok" else 1), "image/png")
        else:
            self.reply(404, b"not found", "text/plain")

    def do_POST(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if url.path != "/form":
            self.reply(404, b"not found", "text/plain")
            return
        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        result = {"text": fields.get("text"), "note_length": len(fields.get("note", "")),
                  "note_sha256": hashlib.sha256(fields.get("note", "").encode()).hexdigest(),
                  "load": fields.get("load"), "content_type": self.headers.get("Content-Type"),
                  "body_bytes": len(body), "cookies": cookie_check(self.headers.get("Cookie")), "release": RELEASE}
        page_html = f"<!doctype html><title>form</title><pre id=result>{html.escape(json.dumps(result))}</pre>"
        self.reply(200, page_html.encode(), "text/html; charset=utf-8")

    def websocket(self, check):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        while True:
            frame = self.read_frame()
            if frame is None:
                return
            opcode, payload = frame
            if opcode == 0x8:  # close: answer it and end
                self.send_frame(0x8, payload[:2])
                return
            if opcode == 0x9:
                self.send_frame(0xA, payload)
            elif opcode == 0x1:
                self.send_frame(0x1, payload)
                self.send_frame(0x1, json.dumps({"cookies": check, "release": RELEASE}).encode())

    def read_frame(self):
        head = self.rfile.read(2)
        if len(head) < 2:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack(">H", self.rfile.read(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self.rfile.read(8))[0]
        mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = self.rfile.read(length)
        if len(data) < length:
            return None
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))  # one frame per message here

    def send_frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            head = struct.pack(">BB", 0x80 | opcode, n)
        elif n < 1 << 16:
            head = struct.pack(">BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack(">BBQ", 0x80 | opcode, 127, n)
        self.wfile.write(head + payload)
        self.wfile.flush()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    time.sleep(float(os.environ.get("STARTUP_DELAY") or 0))
    server = Server(("127.0.0.1", int(os.environ.get("PORT") or sys.argv[1])), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
