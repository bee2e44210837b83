"""Amazon and a mail server on 127.0.0.1, for the processes a test starts: they answer as each test says."""

import json
import socketserver
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

# The port range of the concurrency tests and the load run; the first free one is taken.
PORTS = range(8130, 8140)
WAIT = 20  # seconds any stub waits for the processes before giving up


def server_bind(make_server: Callable):
    """Return a server bound to the first free port of PORTS on 127.0.0.1."""
    for port in PORTS:
        try:
            return make_server(("127.0.0.1", port))
        except OSError:
            continue
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1")


class _Traffic:
    """Count what is in flight, and open a one-shot gate once `together` requests have been in flight at once."""

    def __init__(self, together: int, wait: float = WAIT):
        self.wait = wait
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.together = together
        self.gate = threading.Event()

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.in_flight >= self.together:
                self.gate.set()

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def wait_for_company(self) -> None:
        """Hold the caller until `together` requests were in flight at once, or `wait` seconds passed."""
        if not self.gate.wait(self.wait):
            self.gate.set()  # alone after all: let everyone through; most_in_flight tells the test


class AmazonStub(_Traffic):
    """LWA's token endpoint and the SP-API sellers endpoint over plain http.

    `lwa(form)` and `spapi(access_token)` return (status, JSON body); each call is recorded in `calls` as a pair:
    the grant type or "participations", and the refresh token, code or access token it carried.
    """

    def __init__(self, *, together: int = 2):
        super().__init__(together)
        self.calls: list[tuple[str, str]] = []
        self.lwa: Callable[[dict], tuple[int, dict]] = lambda form: (400, {"error": "invalid_request"})
        self.spapi: Callable[[str], tuple[int, dict]] = lambda token: (403, {"errors": []})
        self.server = server_bind(lambda address: ThreadingHTTPServer(address, self._handler()))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def environment(self) -> dict[str, str]:
        """Return the settings that point the application at this stub."""
        return {"AMAZON_LWA_TOKEN_URL": f"{self.url}/auth/o2/token", "SPAPI_ENDPOINT_NA": f"{self.url}/spapi/na"}

    def calls_of(self, kind: str) -> list[str]:
        return [value for call, value in self.calls if call == kind]

    def _answer(self, call: tuple[str, str], respond: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
        with self.lock:
            self.calls.append(call)
        self.enter()
        try:
            return respond()
        finally:
            self.leave()

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {name: values[0] for name, values in parse_qs(self.rfile.read(length).decode()).items()}
                grant = form.get("grant_type", "")
                value = form.get("refresh_token") or form.get("code", "")
                self._send(*stub._answer((grant, value), lambda: stub.lwa(form)))

            def do_GET(self):
                if not self.path.endswith("/sellers/v1/marketplaceParticipations"):
                    self._send(404, {"errors": [{"code": "NotFound"}]})
                    return
                token = self.headers.get("x-amz-access-token", "")
                self._send(*stub._answer(("participations", token), lambda: stub.spapi(token)))

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.gate.set()  # nobody stays held
        self.server.shutdown()
        self.server.server_close()


class SmtpStub(_Traffic):
    """An SMTP server that records each message's recipients.

    `hold_first` keeps the first message's answer back until a second session is open at the same time (at most
    `wait` seconds: less than the sender's own timeout), so that two senders are proven to overlap.
    """

    def __init__(self, *, hold_first: bool = False, wait: float = WAIT):
        super().__init__(2, wait)
        self.hold_first = hold_first
        self.messages: list[list[str]] = []
        stub = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                stub.enter()
                try:
                    stub._session(self.rfile, self.wfile)
                finally:
                    stub.leave()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = server_bind(lambda address: Server(address, Handler))
        self.url = f"smtp://127.0.0.1:{self.server.server_address[1]}"

    def _session(self, rfile, wfile) -> None:
        def reply(line: str) -> None:
            wfile.write(f"{line}\r\n".encode())
            wfile.flush()

        reply("220 stub ESMTP")
        recipients: list[str] = []
        while line := rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                reply("250 stub")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                while rfile.readline() not in {b".\r\n", b".\n", b""}:
                    pass
                if self.hold_first:
                    self.wait_for_company()
                with self.lock:
                    self.messages.append(sorted(recipients))
                recipients = []
                reply("250 OK queued")
            elif verb == "QUIT":
                reply("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                reply("250 OK")

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
