#!/usr/bin/env python3
"""An origin for the real-client tests, run by Baton as a managed service (port from $PORT).

Standard library only, and its own small HTTP/1.1 reader, so that nothing between the proxy and the
check (a framework's header count or line limits) can hide what arrived:
  GET  /healthz   200 "ok"
  ANY  /headers   200 {"headers": [[name, value], ...]} exactly as received, in order
  ANY  /upload    reads the body (Content-Length or chunked) and answers
                  {"length": N, "sha256": HEX, "chunked": BOOL, "method": M}
Keep-alive on; a body it cannot frame gets 400 and a close.
"""
import hashlib, json, os, signal, socketserver, sys, threading

MAX_HEAD = 1 << 20


class BadRequest(Exception):
    pass


def read_head(rfile):
    lines, total = [], 0
    while True:
        line = rfile.readline(MAX_HEAD)
        if not line:
            return None
        total += len(line)
        if total > MAX_HEAD:
            raise BadRequest("head too large")
        if line in (b"\r\n", b"\n"):
            if not lines:
                continue  # stray CRLF between requests
            return lines
        lines.append(line.rstrip(b"\r\n"))


def parse_head(lines):
    method, target, version = lines[0].decode("latin-1").split(" ", 2)
    headers = []
    for raw in lines[1:]:
        name, sep, value = raw.partition(b":")
        if not sep:
            raise BadRequest("field without a colon")
        headers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
    return method, target, version, headers


def header(headers, name):
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def read_exact(rfile, n, digest):
    left = n
    while left:
        block = rfile.read(min(left, 1 << 16))
        if not block:
            raise BadRequest("body ends early")
        digest.update(block)
        left -= len(block)


def read_chunked(rfile, digest):
    length = 0
    while True:
        line = rfile.readline(4096).rstrip(b"\r\n")
        size = int(line.split(b";", 1)[0].strip() or b"x", 16)
        if size == 0:
            while rfile.readline(4096) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return length
        read_exact(rfile, size, digest)
        length += size
        if rfile.readline(4) not in (b"\r\n", b"\n"):
            raise BadRequest("chunk without its CRLF")


class Handler(socketserver.StreamRequestHandler):
    def send(self, status, body, close=False, ctype="application/json"):
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Status")
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                f"X-Release: {os.environ.get('BATON_RELEASE', '')}\r\n")
        if close:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode() + b"\r\n" + body)
        self.wfile.flush()

    def handle(self):
        try:
            while self.serve_one():
                pass
        except (BadRequest, ValueError) as e:
            self.send(400, json.dumps({"error": str(e)}).encode(), close=True)
        except (ConnectionError, OSError):
            pass

    def serve_one(self):
        lines = read_head(self.rfile)
        if lines is None:
            return False
        method, target, version, headers = parse_head(lines)
        path = target.split("?", 1)[0]
        chunked = "chunked" in (header(headers, "transfer-encoding") or "").lower()
        length = header(headers, "content-length")
        if header(headers, "expect") and version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        digest = hashlib.sha256()
        if chunked:
            received = read_chunked(self.rfile, digest)
        else:
            received = int(length or 0)
            read_exact(self.rfile, received, digest)
        if path == "/healthz":
            self.send(200, b"ok", ctype="text/plain")
        elif path == "/headers":
            self.send(200, json.dumps({"headers": headers}).encode())
        elif path == "/upload":
            self.send(200, json.dumps({"length": received, "sha256": digest.hexdigest(), "chunked": chunked,
                                       "method": method}).encode())
        else:
            self.send(404, b'{"error":"no such path"}')
        return (header(headers, "connection") or "").lower() != "close"


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port = int(os.environ.get("PORT") or sys.argv[1])
    server = Server(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
