#!/usr/bin/env python3
"""Runs a command while polling a URL, and reports when a version first answers.

  first_seen.py --url http://127.0.0.1:PORT/hello --version v3 [--timeout 10]
                [--command-cpu 0] [--command-output FILE] -- baton rollback web ...

Sends GETs one after another on one keep-alive connection (a new one after any
error) and reads X-Backend-Name. Once the first response is in, it starts the
command (on --command-cpu when given, set in the child itself so no wrapper
process is timed) and clocks from that moment. When VERSION answers it notes
the time; when the command exits it prints one line: milliseconds from the
command's start to VERSION first read, and to the command's exit. The
command's standard output goes to --command-output. Exits 1 when VERSION has
not answered within --timeout seconds, 2 when the command failed or had not
ended by then (it is killed).
"""
import argparse
import http.client
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit


def poll_once(url, path, connection):
    """(connection, version or None after an error)"""
    try:
        if connection is None:
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=2)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return connection, response.getheader("X-Backend-Name", "")
    except (OSError, http.client.HTTPException):
        if connection is not None:
            connection.close()
        time.sleep(0.001)
        return None, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--command-cpu", type=int)
    parser.add_argument("--command-output", default=os.devnull)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    url = urlsplit(args.url)
    path = url.path or "/"
    deadline = time.monotonic() + args.timeout
    connection, version = None, None
    while version is None and time.monotonic() < deadline:
        connection, version = poll_once(url, path, connection)
    if version is None:
        return 1

    def place():
        if args.command_cpu is not None:
            os.sched_setaffinity(0, {args.command_cpu})

    with open(args.command_output, "wb") as output:
        start = time.monotonic()
        command = subprocess.Popen(args.command, stdout=output, preexec_fn=place)
        seen = None
        while version != args.version and time.monotonic() < deadline:
            connection, version = poll_once(url, path, connection)
        if version == args.version:
            seen = time.monotonic()
        try:
            code = command.wait(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            command.kill()
            code = command.wait()
        finished = time.monotonic()
    if seen is None:
        return 1
    print(f"{(seen - start) * 1000:.1f} {(finished - start) * 1000:.1f}", flush=True)
    return 0 if code == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
