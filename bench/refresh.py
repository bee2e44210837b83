"""
50 simultaneous API calls for one authorization, from 2 processes: how many LWA refreshes do they cause?

Needs PostgreSQL (the row lock) and a cache both processes share (Redis). A stub LWA token endpoint on
127.0.0.1 counts the refreshes and takes 50 ms to answer, like a remote server would.
"""

import json
import multiprocessing
import os
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROCESSES = 2
THREADS = 25


class _Lwa(BaseHTTPRequestHandler):
    refreshes = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _Lwa.lock:
            _Lwa.refreshes += 1
        time.sleep(0.05)
        body = json.dumps({"access_token": "Atza|bench-shared", "token_type": "bearer", "expires_in": 3600}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _worker(authorization_id: int, results) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = True  # the stub LWA speaks plain http, which the application allows only with DEBUG on

    from sellerauth.access_tokens import access_token_get
    from sellerauth.models import SellerAuthorization

    barrier = threading.Barrier(THREADS)
    tokens = []

    def call():
        try:
            authorization = SellerAuthorization.objects.get(pk=authorization_id)
            barrier.wait()
            tokens.append(access_token_get(authorization=authorization))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(len(tokens))


def run() -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from sellerauth.models import SellerAuthorization
    from sellerauth.token_vault import token_encrypt

    print(f"\n{PROCESSES * THREADS} simultaneous API calls for one authorization from {PROCESSES} processes:")
    if connection.vendor != "postgresql" or not os.environ.get("BENCH_CACHE_URL"):
        print("  not run: needs BENCH_DATABASE_URL=postgres://… and BENCH_CACHE_URL=redis://… (row lock, shared cache)")
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Lwa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    now = timezone.now()
    authorization = SellerAuthorization.objects.create(
        selling_partner_id="ABENCHREFRESH1",
        region="NA",
        granted_at=now,
        expires_at=now + timedelta(days=365),
        refresh_token_encrypted=token_encrypt("Atzr|bench-refresh"),
    )
    cache.clear()
    environment = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DB_NAME": settings.DATABASES["default"]["NAME"],
        "AMAZON_LWA_TOKEN_URL": f"http://127.0.0.1:{server.server_port}/auth/o2/token",
    }
    os.environ.update(environment)  # the spawned processes read their settings from it
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    started = time.perf_counter()
    workers = [context.Process(target=_worker, args=(authorization.pk, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    answered = sum(results.get() for _ in workers)
    server.shutdown()
    print(f"  {answered} calls got an access token; LWA refreshes: {_Lwa.refreshes} (goal: exactly 1)")
    print(f"  elapsed {time.perf_counter() - started:.2f} s including starting the 2 processes")
