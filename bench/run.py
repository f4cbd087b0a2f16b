"""Load benchmark: SKA at municipal scale, served as in production, under 1, 10 and 50 users.

    make bench                                   # everything; writes docs/benchmarks.md
    .venv/bin/python bench/run.py --users 1 --seconds 20 --skip-pdf   # a quick look

1. Seeds a PostgreSQL database of its own (``--database-url``) with ``seed_demo --units 600
   --years 5``; a marker table in that database remembers the parameters, so a second run skips
   seeding.
2. Counts the SQL queries of every page of the mix with Django's test client (not under load).
3. Serves the database with gunicorn (production settings, static files collected into a
   temporary folder, Redis as cache and broker) on a free loopback port, through bench/urls.py,
   which adds a bare page that touches neither the database nor a template.
4. Runs locust (bench/locustfile.py, from its own virtualenv) headless with each number of
   users, sampling the resident memory of gunicorn's master and workers meanwhile.
5. Runs bench/reports.py for the PDF throughput, and writes the tables and the machine's
   description into docs/benchmarks.md between the markers.

A script, not a test: timings depend on the machine and what else it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as a script from bench/: import the project's apps (``reports``), not this folder's files.
sys.path[:] = [str(BASE_DIR), *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent)]

from bench import table  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/ska_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
MARKER_TABLE = "bench_seed_marker"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--users", default="1,10,50", help="Levels of concurrent users, comma-separated.")
    parser.add_argument("--seconds", type=float, default=60, help="Measured seconds per level (after logging in).")
    parser.add_argument("--seconds-one-user", type=float, default=120,
                        help="Measured seconds with one user, whose few requests give the ratios to the bare page.")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 0)) or 2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--locust", default=str(BASE_DIR / ".venv-bench" / "bin" / "locust"))
    parser.add_argument("--pdf-unit-reports", type=int, default=20, help="Unit reports bench/reports.py builds.")
    parser.add_argument("--skip-pdf", action="store_true", help="Leave out the PDF benchmark.")
    parser.add_argument("--reseed", action="store_true", help="Seed again even if the marker says it is done.")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    levels = sorted({int(n) for n in args.users.split(",")})

    workdir = Path(tempfile.mkdtemp(prefix="ska-bench-"))
    env = server_environment(args, workdir)
    os.environ.update(env)
    import django

    django.setup()
    from bench import plan as mix

    started = time.perf_counter()
    seeding = prepare_database(args, env)
    print(f"Database ready ({seeding}) after {time.perf_counter() - started:.0f} s.", flush=True)
    run_manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    mix.remove_bench_check_ins()
    the_plan = mix.build_plan(max(levels))
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(the_plan, indent=1), encoding="utf-8")
    queries = count_queries(the_plan)
    print("Queries per page:", queries, flush=True)
    machine = table.describe_machine() | {"PostgreSQL": postgres_version(), "Redis": redis_version(args.redis_url)}
    close_connections()

    results, memory = {}, {}
    with Gunicorn(args, env, workdir) as server:
        for users in levels:
            mix.remove_bench_check_ins()
            close_connections()
            print(f"{users} users for {measured_seconds(args, users):.0f} s ...", flush=True)
            sampler = MemorySampler(server.pid)
            sampler.start()
            results[users] = run_locust(args, env, server.url, users, plan_path, workdir)
            memory[users] = sampler.stop()
            summarise(users, results[users], memory[users])
    mix.remove_bench_check_ins()
    close_connections()

    pdf = None if args.skip_pdf else run_pdf_benchmark(args)
    setup = {
        "Date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "Data": f"`seed_demo --units {args.units} --years {args.years}` ({the_plan['school_year']} current), PostgreSQL",
        "Server": f"gunicorn {gunicorn_version()}, {args.workers} workers × {args.threads} thread(s), "
                  "production settings (DEBUG off, static files by WhiteNoise), Redis cache",
        "Load": f"locust, {', '.join(map(str, levels))} users, {args.seconds:.0f} s measured per level after logging in "
                f"({args.seconds_one_user:.0f} s with one user), "
                "0.5–1.5 s pause between requests; each user is a rektor (own unit) and förvaltningsledning",
        "Mix (weight)": ", ".join(f"{p['name']} ({p['weight']})" for p in the_plan["pages"]),
    }
    section = table.section(
        machine=machine, setup=setup, results=results, queries=queries,
        page_names=[p["name"] for p in the_plan["pages"]], memory_mb=memory, pdf=pdf,
    )
    output = Path(args.output)
    existing = output.read_text(encoding="utf-8") if output.exists() else "# Benchmarks\n"
    output.write_text(table.replace_section(existing, section), encoding="utf-8")
    print(f"Written to {output} after {time.perf_counter() - started:.0f} s in all.")
    return 0


def server_environment(args, workdir: Path) -> dict[str, str]:
    """Production mode, as a deployment sets it. The load generator speaks plain HTTP on loopback
    (no TLS proxy in front), hence no HTTPS redirect; bench/settings.py lets cookies over HTTP."""
    static_root = workdir / "static"
    static_root.mkdir()
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SKA_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_QUEUE": "ska-bench",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }


def run_manage(env: dict, *command: str) -> None:
    subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=os.environ | env, check=True)


# --- Seeding ------------------------------------------------------------------------------
def prepare_database(args, env: dict) -> str:
    import psycopg

    from ska.schoolyear import SchoolYear

    create_database(args.database_url)
    run_manage(env, "migrate", "--noinput", "--verbosity", "0")
    wanted = json.dumps({"units": args.units, "years": args.years, "school_year": str(SchoolYear.current())})
    with psycopg.connect(postgres_dsn(args.database_url), autocommit=True) as connection:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (parameters text NOT NULL)")
        seeded = [row[0] for row in connection.execute(f"SELECT parameters FROM {MARKER_TABLE}")]
        if wanted in seeded and not args.reseed:
            done = f"already seeded with {wanted}"
        else:
            started = time.perf_counter()
            run_manage(env, "seed_demo", "--units", str(args.units), "--years", str(args.years), "--allow-production")
            connection.execute(f"DELETE FROM {MARKER_TABLE}")
            connection.execute(f"INSERT INTO {MARKER_TABLE} (parameters) VALUES (%s)", [wanted])
            done = f"seeded {wanted} in {time.perf_counter() - started:.0f} s"
        # A database in use has its planner statistics kept by autovacuum; one just seeded has
        # none yet, and PostgreSQL then picks plans a hundred times slower.
        connection.execute("VACUUM ANALYZE")
    return done


def postgres_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _, name = postgres_dsn(url).rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Queries per page ---------------------------------------------------------------------
def count_queries(the_plan: dict) -> dict[str, int]:
    """SQL queries per page, once each, through Django's test client on the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ska.models import User

    rector = the_plan["rectors"][0]
    clients = {"rector": Client(), "leader": Client()}
    clients["rector"].force_login(User.objects.get(username=rector["username"]))
    clients["leader"].force_login(User.objects.get(username=the_plan["leaders"][0]))
    urls = {"unit page": rector["unit page"], "bare": the_plan["bare"], **the_plan["leader_pages"]}
    counts = {}
    for page in the_plan["pages"]:
        client = clients[page["who"]]
        with CaptureQueriesContext(connection) as captured:
            if page["name"] == "check-in save":
                response = client.post(rector["check-in save"], the_plan["check_in_form"], headers={"HX-Request": "true"})
            else:
                response = client.get(urls[page["name"]])
        if response.status_code != 200:
            raise RuntimeError(f"{page['name']}: HTTP {response.status_code}")
        counts[page["name"]] = len(captured.captured_queries)
    return counts


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def redis_version(url: str) -> str:
    try:
        import redis

        return redis.Redis.from_url(url).info("server")["redis_version"]
    except Exception as error:  # noqa: BLE001 - only a description
        return f"unknown ({error.__class__.__name__})"


def gunicorn_version() -> str:
    import gunicorn

    return gunicorn.__version__


# --- The server ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, args, env: dict, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"), "ska.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(args.workers), "--threads", str(args.threads),
            "--error-logfile", str(workdir / "gunicorn.log"),
        ]
        self.env = os.environ | env

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=BASE_DIR, env=self.env)
        self.pid = self.process.pid
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start; see its log in " + self.command[-1])
            time.sleep(0.5)

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def process_tree(pid: int) -> list[int]:
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """The largest resident memory of gunicorn's master and workers together, sampled twice a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopping = pid, 0, threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.peak = max(self.peak, sum(rss_kib(pid) for pid in process_tree(self.pid)))
            self.stopping.wait(0.5)

    def stop(self) -> float:
        self.stopping.set()
        self.join()
        return self.peak / 1024


# --- The load -----------------------------------------------------------------------------
def run_locust(args, env: dict, url: str, users: int, plan_path: Path, workdir: Path) -> dict:
    result_path = workdir / f"result-{users}.json"
    result_path.unlink(missing_ok=True)
    command = [
        args.locust, "-f", str(BASE_DIR / "bench" / "locustfile.py"), "--headless", "--host", url,
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{int(measured_seconds(args, users)) + 300}s",
        "--only-summary", "--loglevel", "WARNING",
    ]
    locust_env = {
        "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""),
        "BENCH_PLAN": str(plan_path), "BENCH_RESULT": str(result_path), "BENCH_MEASURE_SECONDS": str(measured_seconds(args, users)),
    }
    completed = subprocess.run(command, cwd=BASE_DIR, env=locust_env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    if not result_path.exists():
        print(completed.stdout[-5000:])
        raise RuntimeError(f"locust wrote no results (exit code {completed.returncode})")
    return json.loads(result_path.read_text(encoding="utf-8"))


def measured_seconds(args, users: int) -> float:
    return args.seconds_one_user if users == 1 else args.seconds


def summarise(users: int, result: dict, memory_mb: float) -> None:
    pages = result["pages"]
    bare = (pages.get("bare") or {}).get("p50_ms")
    print(f"  {result['seconds']:.0f} s measured, peak memory {memory_mb:.0f} MB")
    for name, page in pages.items():
        ratio = table.ratio(page["p50_ms"], bare)
        print(f"  {name:16} n={page['requests']:5} err={page['failures']:3} p50={page['p50_ms']} p95={page['p95_ms']} "
              f"rps={page['rps']:.2f} ratio={'-' if ratio is None else f'{ratio:.1f}'}", flush=True)


# --- PDF throughput -----------------------------------------------------------------------
def run_pdf_benchmark(args) -> str:
    """bench/reports.py on a database of its own (SQLite under var/), as `make bench-reports` runs it."""
    clean = {k: v for k, v in os.environ.items() if k not in server_environment_keys()}
    print(f"PDF benchmark ({args.pdf_unit_reports} unit reports) ...", flush=True)
    completed = subprocess.run(
        [sys.executable, str(BASE_DIR / "bench" / "reports.py"), "--unit-reports", str(args.pdf_unit_reports)],
        cwd=BASE_DIR, env=clean, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # Its results, without the seeding's and WeasyPrint's chatter.
    lines = completed.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Seeded ")), 0)
    output = "\n".join(line for line in lines[start:] if not line.startswith("Using fontTools"))
    output = output.replace(f"{BASE_DIR}{os.sep}", "")  # paths relative to the project
    print(output, flush=True)
    if completed.returncode != 0:
        return f"bench/reports.py failed (exit code {completed.returncode}):\n{completed.stderr[-3000:]}"
    return output


def server_environment_keys() -> set[str]:
    return {"DJANGO_SETTINGS_MODULE", "SKA_PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
            "DATABASE_URL", "REDIS_URL", "CELERY_QUEUE", "STATIC_ROOT", "MEDIA_ROOT", "LOG_LEVEL"}


if __name__ == "__main__":
    sys.exit(main())
