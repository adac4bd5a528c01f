#!/usr/bin/env python3
"""Demo web application deployed by the deploy runbooks (Python 3 standard library only).

Run by the host's launcher (bin/service of scripts/hosts.sh): it inherits the listening socket as
LISTEN_FD, reports on READY_FD ("ready" or "fail <reason>") and drains on SIGTERM: it stops accepting,
finishes the requests in flight and exits, while the next worker keeps accepting on the same socket.
Without LISTEN_FD it binds 127.0.0.1:$PORT itself, for trying it out by hand.

Settings come from the environment (the host's shared/app.env): PORT, APP_NAME, APP_HOST,
DATABASE_URL and DB_PASSWORD_FILE. DATABASE_URL is postgresql://USER@HOST:PORT/DB (psycopg2) or
mysql://USER@HOST:PORT/DB (PyMySQL, for MySQL and MariaDB); the password is read from the file
DB_PASSWORD_FILE names, so it is never part of the settings. Every request opens its own
connection: a worker started after DATABASE_URL changed talks to the new database only.

Database endpoints, answering 503 with the database's error when it refuses (a MySQL server set
read-only refuses every write): GET /api/db (the engine and a round trip), GET /api/items (the
first items by id; ?limit=N, at most 1000), POST /api/items with {"name": ..., "price": ...}
(201 with the new id; the id comes from the database's own sequence), GET and DELETE
/api/items/ID. Files in the release directory make a release misbehave on
purpose, for tests: FAIL_HEALTH (GET /health answers 500 and the worker refuses to become ready),
FAIL_ROUTES (one path a line; those answer 500 while the worker starts normally) and SLOW_MS (every
request first sleeps that many milliseconds).

GET /metrics answers in the Prometheus text format 0.0.4: the histogram
demo_http_request_duration_seconds and the counter demo_http_requests_total, both labelled
version (the release's VERSION) and code (the HTTP status sent, e.g. "200", "404", "500"). A
request is timed from its parsed request line and headers to its written answer, so SLOW_MS is
included, and a FAIL_ROUTES answer counts as code "500". /metrics and /health are not counted: they
are the scraper's and the health checks' requests, not traffic. /metrics itself never sleeps SLOW_MS
and never fails through FAIL_ROUTES, so a slow release shows as high latency, not as a scrape that
times out. The counts live in the worker process: the launcher runs one worker at a time, which
serves every request on threads, so one process sees all of an instance's traffic. A reload starts
a new worker from zero, which Prometheus reads as a counter reset (rate() and increase() allow
for it); requests the old worker finishes while draining after its last scrape are not counted.
"""
import datetime
import decimal
import html
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RELEASE_DIR = os.path.dirname(os.path.abspath(__file__))
STATIC_DIR = os.path.join(RELEASE_DIR, "static")
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".png": "image/png", ".svg": "image/svg+xml", ".ico": "image/x-icon"}
DB_TIMEOUT_SECONDS = 5
MAX_ITEMS = 1000
NAME_LIMIT = 120
# Upper bounds in seconds, as Prometheus writes them in the le label.
LATENCY_BUCKETS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5")
UNCOUNTED_PATHS = {"/metrics", "/health"}
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def read_text(name, default=""):
    try:
        with open(os.path.join(RELEASE_DIR, name), encoding="utf-8") as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


VERSION = read_text("VERSION", "unversioned")
HOST = os.environ.get("APP_HOST") or socket.gethostname()
APP_NAME = os.environ.get("APP_NAME", "demo-app")
STARTED_AT = time.time()
STARTED = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(STARTED_AT))


def health_problem():
    """Why this release is unhealthy, or an empty string."""
    if os.path.exists(os.path.join(RELEASE_DIR, "FAIL_HEALTH")):
        return "FAIL_HEALTH is present in release " + VERSION
    return ""


def failing_routes():
    return {line.strip() for line in read_text("FAIL_ROUTES").splitlines() if line.strip()}


def slow_ms():
    value = read_text("SLOW_MS", "0")
    return int(value) if value.isdigit() else 0


class DatabaseError(Exception):
    """The database refused or could not be reached; the message is the database's own."""


def database_engine():
    url = os.environ.get("DATABASE_URL", "")
    return url.split("://", 1)[0] if "://" in url else ""


def connect():
    """A new connection to DATABASE_URL, in autocommit mode: each statement is its own transaction."""
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    password = ""
    password_file = os.environ.get("DB_PASSWORD_FILE", "")
    if password_file:
        with open(password_file, encoding="utf-8") as f:
            password = f.read().strip()
    database = url.path.lstrip("/")
    try:
        if url.scheme == "postgresql":
            import psycopg2
            connection = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username,
                                          password=password, dbname=database,
                                          connect_timeout=DB_TIMEOUT_SECONDS)
            connection.autocommit = True
            return connection
        if url.scheme == "mysql":
            import pymysql
            return pymysql.connect(host=url.hostname, port=url.port or 3306, user=url.username,
                                   password=password, database=database, charset="utf8mb4",
                                   connect_timeout=DB_TIMEOUT_SECONDS, read_timeout=DB_TIMEOUT_SECONDS,
                                   write_timeout=DB_TIMEOUT_SECONDS, autocommit=True)
    except Exception as e:  # the drivers' errors share no base class
        raise DatabaseError(str(e).strip()) from e
    raise DatabaseError("DATABASE_URL must start with postgresql:// or mysql://, got %r" % url.scheme)


def run_sql(sql, params=(), fetch="all"):
    """Runs one statement (%s placeholders in both drivers); returns (column names, rows), or for
    fetch="count" the rows it changed, or for fetch="id" the key the database gave the new row."""
    connection = connect()
    try:
        cursor = connection.cursor()
        if fetch == "id" and database_engine() == "postgresql":
            sql += " RETURNING id"
        cursor.execute(sql, params)
        if fetch == "count":
            return cursor.rowcount
        if fetch == "id":
            return cursor.fetchone()[0] if database_engine() == "postgresql" else cursor.lastrowid
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()
    except DatabaseError:
        raise
    except Exception as e:
        raise DatabaseError(str(e).strip()) from e
    finally:
        connection.close()


def json_value(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def rows_as_dicts(result):
    names, rows = result
    return [{name: json_value(value) for name, value in zip(names, row)} for row in rows]


def label_value(value):
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


class RequestMetrics:
    """Request counts and latency histogram per status code, shared by the handler threads."""

    def __init__(self, version):
        self.version = label_value(version)
        self.bounds = [float(bound) for bound in LATENCY_BUCKETS]
        self.lock = threading.Lock()
        # code -> [count per bucket (not cumulative; the last one above every bound), sum of seconds]
        self.by_code = {}
        # Present from the start at 0: a series that first appears with a value > 0 hides that
        # first increase from rate(), and error rates would miss the first failures.
        for code in (200, 500):
            self.series(code)

    def series(self, code):
        entry = self.by_code.get(code)
        if entry is None:
            entry = self.by_code[code] = [[0] * (len(self.bounds) + 1), 0.0]
        return entry

    def observe(self, code, seconds):
        slot = next((i for i, bound in enumerate(self.bounds) if seconds <= bound), len(self.bounds))
        with self.lock:
            entry = self.series(code)
            entry[0][slot] += 1
            entry[1] += seconds

    def exposition(self):
        with self.lock:
            snapshot = {code: (list(counts), total) for code, (counts, total) in self.by_code.items()}
        name = "demo_http_request_duration_seconds"
        lines = ["# HELP %s Time from the parsed request to the written answer (SLOW_MS included); "
                 "/metrics and /health are not counted." % name,
                 "# TYPE %s histogram" % name]
        totals = []
        for code in sorted(snapshot):
            counts, seconds = snapshot[code]
            labels = 'version="%s",code="%d"' % (self.version, code)
            cumulative = 0
            for bound, count in zip(LATENCY_BUCKETS + ("+Inf",), counts):
                cumulative += count
                lines.append('%s_bucket{%s,le="%s"} %d' % (name, labels, bound, cumulative))
            lines.append("%s_sum{%s} %r" % (name, labels, seconds))
            lines.append("%s_count{%s} %d" % (name, labels, cumulative))
            totals.append("demo_http_requests_total{%s} %d" % (labels, cumulative))
        lines += ["# HELP demo_http_requests_total Requests answered, by status code; /metrics and "
                  "/health are not counted.",
                  "# TYPE demo_http_requests_total counter"] + totals
        lines += ["# HELP process_start_time_seconds Start time of this worker since the epoch; "
                  "a new value means the counters restarted from zero.",
                  "# TYPE process_start_time_seconds gauge",
                  "process_start_time_seconds %r" % STARTED_AT]
        return ("\n".join(lines) + "\n").encode()


METRICS = RequestMetrics(VERSION)


FRONT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{name} {version}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main>
<h1>{name}</h1>
<p class="version">Version <strong id="version">{version}</strong> on host <strong id="host">{host}</strong></p>
<p>Worker pid {pid}, started {started}.</p>
<ul><li><a href="/health">/health</a></li><li><a href="/api/db">/api/db</a></li>
<li><a href="/api/items">/api/items</a></li><li><a href="/api/version">/api/version</a></li></ul>
</main></body>
</html>
"""


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request a connection, so a draining worker never holds idle keep-alive clients.
    protocol_version = "HTTP/1.0"
    server_version = "demo-app"
    timeout = 10

    def parse_request(self):
        parsed = super().parse_request()
        if parsed:
            self.started = time.monotonic()
        return parsed

    def send_response(self, code, message=None):
        self.status_sent = int(code)
        super().send_response(code, message)

    def handle_one_request(self):
        self.started = None
        self.status_sent = None
        try:
            super().handle_one_request()
        finally:
            # started is set once the request parsed: a connection that sent nothing is no request.
            if self.started is not None and self.path.split("?", 1)[0] not in UNCOUNTED_PATHS:
                # No status sent means the handler failed; the client sees a dropped connection,
                # which nginx answers with 502: a server error either way.
                METRICS.observe(self.status_sent or 500, time.monotonic() - self.started)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self.send_body(200, METRICS_CONTENT_TYPE, METRICS.exposition())
            return
        delay = slow_ms()
        if delay:
            time.sleep(delay / 1000)
        if path in failing_routes():
            self.send_json(500, {"status": "failing", "version": VERSION, "host": HOST,
                                 "reason": path + " is listed in FAIL_ROUTES"})
            return
        route = ROUTES.get(path)
        if route is not None:
            route(self)
        elif item_id(path) is not None:
            self.item(item_id(path))
        elif path.startswith("/static/"):
            self.static(path[len("/static/"):])
        else:
            self.send_json(404, {"error": "no route " + path})

    def do_POST(self):
        self.changing_request(lambda path: self.create_item() if path == "/api/items" else None)

    def do_DELETE(self):
        self.changing_request(
            lambda path: self.delete_item(item_id(path)) if item_id(path) is not None else None)

    def changing_request(self, handle):
        path = self.path.split("?", 1)[0]
        delay = slow_ms()
        if delay:
            time.sleep(delay / 1000)
        if path in failing_routes():
            self.send_json(500, {"status": "failing", "version": VERSION, "host": HOST,
                                 "reason": path + " is listed in FAIL_ROUTES"})
            return
        if handle(path) is None and self.status_sent is None:
            self.send_json(404, {"error": "no route %s %s" % (self.command, path)})

    def health(self):
        problem = health_problem()
        if problem:
            self.send_json(500, {"status": "failing", "version": VERSION, "host": HOST, "reason": problem})
        else:
            self.send_json(200, {"status": "ok", "version": VERSION, "host": HOST})

    def front_page(self):
        page = FRONT_PAGE.format(name=html.escape(APP_NAME), version=html.escape(VERSION),
                                 host=html.escape(HOST), pid=os.getpid(), started=STARTED)
        self.send_body(200, "text/html; charset=utf-8", page.encode())

    def database(self):
        started = time.monotonic()
        try:
            run_sql("select 1")
        except DatabaseError as e:
            self.send_json(503, {"status": "error", "version": VERSION, "host": HOST,
                                 "engine": database_engine(), "error": str(e)})
            return
        elapsed_ms = round((time.monotonic() - started) * 1000)
        self.send_json(200, {"status": "ok", "version": VERSION, "host": HOST, "engine": database_engine(),
                             "ms": elapsed_ms})

    def items(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        limit = query.get("limit", ["100"])[0]
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_ITEMS:
            self.send_json(400, {"error": "limit must be a number from 1 to %d, got %r" % (MAX_ITEMS, limit)})
            return
        self.database_call(lambda: {"version": VERSION, "host": HOST, "items": rows_as_dicts(
            run_sql("select * from items order by id limit %s", (int(limit),)))})

    def item(self, item_id):
        def read():
            found = rows_as_dicts(run_sql("select * from items where id = %s", (item_id,)))
            return (200, found[0]) if found else (404, {"error": "no item %d" % item_id})
        self.database_call(read)

    def create_item(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, UnicodeDecodeError) as e:
            self.send_json(400, {"error": "the body must be a JSON object: %s" % e})
            return
        name = body.get("name") if isinstance(body, dict) else None
        price = body.get("price", 0) if isinstance(body, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= NAME_LIMIT:
            self.send_json(400, {"error": "name must be a string of 1 to %d characters" % NAME_LIMIT})
            return
        if isinstance(price, bool) or not isinstance(price, (int, float)) or not 0 <= price < 1e8:
            self.send_json(400, {"error": "price must be a number from 0 to 99999999.99"})
            return
        self.database_call(lambda: (201, {"id": run_sql("insert into items (name, price) values (%s, %s)",
                                                          (name, decimal.Decimal(str(price))), fetch="id"),
                                          "engine": database_engine(), "host": HOST}))

    def delete_item(self, item_id):
        def delete():
            deleted = run_sql("delete from items where id = %s", (item_id,), fetch="count")
            return (200, {"deleted": deleted}) if deleted else (404, {"error": "no item %d" % item_id})
        self.database_call(delete)

    def database_call(self, call):
        """Answers what call returns ((status, value) or a value for 200), or 503 when the database
        refuses."""
        try:
            answer = call()
        except DatabaseError as e:
            self.send_json(503, {"status": "error", "version": VERSION, "host": HOST,
                                 "engine": database_engine(), "error": str(e)})
            return
        status, value = answer if isinstance(answer, tuple) else (200, answer)
        self.send_json(status, value)

    def version(self):
        self.send_json(200, {"version": VERSION, "host": HOST, "release": RELEASE_DIR,
                             "pid": os.getpid(), "started": STARTED})

    def static(self, name):
        file = os.path.realpath(os.path.join(STATIC_DIR, name))
        kind = STATIC_TYPES.get(os.path.splitext(file)[1])
        if kind is None or not file.startswith(STATIC_DIR + os.sep) or not os.path.isfile(file):
            self.send_json(404, {"error": "no static file " + name})
            return
        with open(file, "rb") as f:
            self.send_body(200, kind, f.read())

    def send_json(self, status, value):
        self.send_body(status, "application/json", (json.dumps(value) + "\n").encode())

    def send_body(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-App-Version", VERSION)
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        # Only failures are logged: the reload tests send thousands of requests.
        code = getattr(code, "value", code)
        if not isinstance(code, int) or code >= 400:
            super().log_request(code, size)


def item_id(path):
    """The id of /api/items/ID, or None for any other path."""
    prefix = "/api/items/"
    rest = path[len(prefix):] if path.startswith(prefix) else ""
    return int(rest) if rest.isdigit() and len(rest) <= 18 else None


ROUTES = {"/health": Handler.health, "/": Handler.front_page, "/api/db": Handler.database,
          "/api/items": Handler.items, "/api/version": Handler.version}


class Server(ThreadingHTTPServer):
    """Serves on a socket that is already listening (inherited from the launcher)."""
    # ThreadingHTTPServer's daemon threads are not tracked, so server_close() would not wait for them.
    daemon_threads = False

    def __init__(self, listening):
        super().__init__(listening.getsockname(), Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listening
        self.server_name, self.server_port = listening.getsockname()[:2]


def listening_socket():
    fd = os.environ.get("LISTEN_FD")
    if fd:
        listening = socket.socket(fileno=int(fd))
    else:
        listening = socket.create_server(("127.0.0.1", int(os.environ.get("PORT", "8000"))))
    # Workers share one socket and all wake up for a connection: the losers must get EAGAIN
    # instead of blocking in accept().
    listening.setblocking(False)
    return listening


def note(message):
    sys.stderr.write("%s %s %s[%d] %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), APP_NAME, VERSION, os.getpid(), message))


def report(message):
    fd = os.environ.get("READY_FD")
    if fd:
        with os.fdopen(int(fd), "w") as ready:
            ready.write(message + "\n")


def main():
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # Checked before accepting anything, so an unhealthy release never answers a single request.
    problem = health_problem()
    if problem:
        report("fail " + problem)
        note("not starting: " + problem)
        return 1
    server = Server(listening_socket())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    report("ready")
    note("serving on %s:%s" % (server.server_name, server.server_port))
    launcher = os.getppid()
    while not stop.wait(1):
        # A worker that outlived its launcher would hold the port and keep a new launcher out.
        if os.environ.get("LISTEN_FD") and os.getppid() != launcher:
            note("launcher pid %d is gone, stopping" % launcher)
            break
    server.shutdown()
    server.server_close()  # waits for the requests in flight
    note("drained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
