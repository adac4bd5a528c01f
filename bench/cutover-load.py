#!/usr/bin/env python3
"""Steady writes through the store application for bench/cutover.sh, loopback only.

Usage: bench/cutover-load.py URL OUT STOP_FILE [THREADS]
Each thread POSTs one item after the other to URL/api/items until STOP_FILE exists, and appends
one line per request to OUT: "<sent ms> <answered ms> <status> <engine>" (engine from the answer,
"-" when refused). `analyse OUT` prints the write-unavailability windows it saw: from the first
refused write after an accepted one to the next accepted write, with the engines on both sides.
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request


def now_ms():
    return int(time.time() * 1000)


def writer(url, out, lock, stop_file, n0):
    n = n0
    while not os.path.exists(stop_file):
        n += 1
        body = json.dumps({"name": "bench load %d" % n, "price": 1.25}).encode()
        request = urllib.request.Request(url + "/api/items", data=body, headers={"Content-Type": "application/json"})
        sent = now_ms()
        status, engine = 0, "-"
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status = response.status
                engine = json.loads(response.read()).get("engine", "-")
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, OSError):
            status = 0
        with lock:
            out.write("%d %d %d %s\n" % (sent, now_ms(), status, engine))
            out.flush()
        time.sleep(0.005)


def run(url, path, stop_file, threads):
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        sys.exit("cutover-load: only loopback targets, got " + url)
    lock = threading.Lock()
    with open(path, "a", encoding="utf-8") as out:
        workers = [threading.Thread(target=writer, args=(url, out, lock, stop_file, k * 10_000_000)) for k in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()


def analyse(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            sent, answered, status, engine = line.split()
            rows.append((int(sent), int(answered), int(status), engine))
    rows.sort()
    windows, refused_from, before = [], None, None
    accepted = refused = 0
    for sent, answered, status, engine in rows:
        if status == 201:
            accepted += 1
            if refused_from is not None:
                windows.append((refused_from, answered, before, engine))
                refused_from = None
            before = engine
        else:
            refused += 1
            if refused_from is None and before is not None:
                refused_from = sent
    print(json.dumps({"accepted": accepted, "refused": refused,
                      "windows": [{"millis": end - start, "from": a, "to": b} for start, end, a, b in windows]}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "analyse":
        analyse(sys.argv[2])
    elif len(sys.argv) in (4, 5):
        run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 2)
    else:
        sys.exit(__doc__)
