"""Shared by the Python tests that drive the real baton binary: a tally of checks
that ends in the 'N passed, N failed' line, free loopback ports, and a daemon
process with its log and CLI."""
import os, socket, subprocess


class Tally:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}", flush=True)
        return ok

    def summary(self):
        return f"{self.passed} passed, {self.failed} failed"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class DaemonProcess:
    """`baton daemon --config CONFIG --home HOME`, its output in LOG, no autostart for the CLI."""

    def __init__(self, baton, home, config, log_path):
        self.baton, self.home, self.config, self.log_path = baton, home, config, log_path
        self.env = dict(os.environ, BATON_HOME=home, BATON_NO_AUTOSTART="1")
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen([baton, "daemon", "--config", config, "--home", home],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env)

    def cli(self, *args, timeout=120):
        return subprocess.run([self.baton, *args, "--home", self.home], env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def stop(self):
        # A stop signal leaves the apps running for the next daemon: the test's own end stops them too.
        if self.proc.poll() is None:
            try:
                self.cli("shutdown", "--stop-apps", timeout=60)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
