"""Many users at once: locust against gunicorn on loopback, bounded in time.

    DEBUG=1 NTM_ALLOW_DEV_KEY=1 .venv/bin/python bench/load.py [--seconds 20] [--users 10 50]
    ... bench/load.py --database-url postgres://postgres@127.0.0.1:5432/ntm_bench_load

Builds a throwaway database with the demo (Dương Đức, its villages, Bắc Giang), starts the
production server (``gunicorn -c config/gunicorn.conf.py config.wsgi``, preloaded and warmed,
two workers on this two-core machine), then for each number of users runs a mix of what
officials and citizens do: the commune's criteria page, the province's table of communes, the
public page, the API result and roll-up, value saves (each refreshes the commune's results),
Biểu 1 as XLSX, and a trivial page (the login form) as the yardstick. Every user logs in first;
the measurement starts once all have. Prints, per user count:
requests, failures (goal 0), throughput, and each page's p95 as a ratio to the trivial page's
p95 at 10 users (goal ≤ 3×).
"""

# locust runs on gevent, which patches threads: patch before Django creates its connections.
from gevent import monkey

monkey.patch_all()

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_units import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
SET = "xa-ntm-nang-cao-2021-2025"
PASSWORD = "ntm-demo-2024"
LOG = Path(os.environ.get("TMPDIR", "/tmp")) / "ntm-bench-gunicorn.log"


def prepare(url: str) -> dict[str, str]:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from ntm.accounts.models import User
    from ntm.api.services import token_create
    from ntm.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    # Served as in production (DEBUG off): hashed files by WhiteNoise from var/static.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(url, 0),
        check=True,
    )
    units = load_demo(with_values=True)
    found = {
        "commune": str(units["07408"].pk),
        "province": str(units["24"].pk),
        "token": token_create(user=User.objects.get(username="xa"), name="bench").key,
        "province_token": token_create(user=User.objects.get(username="tinh"), name="b").key,
    }
    connections.close_all()
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "ACCESS_LOG": "",
        "DEBUG": "",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        # As in production: a worker keeps its database connection instead of one per request.
        "CONN_MAX_AGE": "60",
    }


def serve(url: str, port: int) -> subprocess.Popen:
    env = server_env(url, port)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(LOG, "wb"),  # noqa: SIM115 - the server outlives this function
    )
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("gunicorn did not start:\n" + LOG.read_text(errors="replace")[-3000:])


def user_classes(ids: dict[str, str]) -> list[type]:
    from locust import HttpUser, between, task

    commune, province = ids["commune"], ids["province"]
    api = {"Authorization": f"Bearer {ids['token']}"}
    province_api = {"Authorization": f"Bearer {ids['province_token']}"}

    class LoggedIn(HttpUser):
        abstract = True
        wait_time = between(0.5, 1.5)
        username = ""

        def on_start(self) -> None:
            self.client.get("/accounts/login/", name="trivial: login form")
            csrf = self.client.cookies.get("csrftoken", "")
            self.client.post(
                "/accounts/login/",
                {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{self.host}/accounts/login/"},
                name="log in (password hashing)",
            )

        @task(4)
        def trivial(self) -> None:
            self.client.get("/accounts/login/", name="trivial: login form")

    class Province(LoggedIn):
        """The province's administrator: the table of communes and the API roll-up."""

        weight = 1
        username = "tinh"

        @task(2)
        def province_overview(self) -> None:
            self.client.get(
                f"/units/{province}/sets/{SET}/units/", name="province table of communes"
            )

        @task(2)
        def api_rollup(self) -> None:
            self.client.get(
                f"/api/v1/results/rollup?unit=24&set={SET}&period=2024Q4",
                headers=province_api,
                name="API roll-up",
            )

    class Official(LoggedIn):
        """The commune's officials and the citizens of its public page."""

        weight = 3
        username = "xa"

        @task(4)
        def commune_page(self) -> None:
            self.client.get(f"/units/{commune}/sets/{SET}/", name="commune criteria page")

        @task(3)
        def public_page(self) -> None:
            self.client.get("/p/07408/", name="public page")

        @task(2)
        def api_result(self) -> None:
            self.client.get(
                f"/api/v1/results?unit=07408&set={SET}&period=2024Q4",
                headers=api,
                name="API result",
            )

        @task(2)
        def save_value(self) -> None:
            csrf = self.client.cookies.get("csrftoken", "")
            with self.client.post(
                f"/units/{commune}/data/{SET}/2024Q4/12.1/",
                {"value": str(random.randint(60, 99)), "note": "", "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{self.host}/units/{commune}/", "HX-Request": "true"},
                name="value save",
                catch_response=True,
            ) as response:
                if response.status_code != 200 or "errorlist" in response.text:
                    response.failure(f"save refused: {response.status_code}")

        @task(1)
        def bieu1_xlsx(self) -> None:
            self.client.get(
                f"/units/{commune}/reports/bieu1/xlsx/?set={SET}&period=2024Q4",
                name="Biểu 1 XLSX",
            )

    return [Official, Province]


def run(host: str, ids: dict[str, str], users: int, seconds: int):
    import gevent
    from locust.env import Environment

    environment = Environment(user_classes=user_classes(ids), host=host)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    # Every user logs in first (a deliberately slow password hash): measure after that storm.
    login = environment.stats.get("log in (password hashing)", "POST")
    for _ in range(240):
        if login.num_requests >= users:
            break
        gevent.sleep(0.5)
    environment.stats.reset_all()
    gevent.sleep(seconds)
    runner.quit()
    return environment.stats


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    args = parser.parse_args()
    with throwaway_database(args.database_url) as url:
        ids = prepare(url)
        from django.db import connection

        print(f"database: {connection.vendor}; {args.seconds} s per run; gunicorn, 2 workers")
        port = free_port()
        server = serve(url, port)
        try:
            yardstick = None
            for users in args.users:
                stats = run(f"http://127.0.0.1:{port}", ids, users, args.seconds)
                total = stats.total
                print(
                    f"\n{users} users: {total.num_requests} requests, "
                    f"{total.num_failures} failures (goal 0), "
                    f"{total.num_requests / args.seconds:.1f} requests/s"
                )
                trivial = stats.get("trivial: login form", "GET").get_response_time_percentile(0.95)
                yardstick = yardstick or trivial
                print(
                    f"{'page':<32} {'n':>6} {'median ms':>10} {'p95 ms':>8} {'p95/trivial@10':>15}"
                )
                for entry in sorted(stats.entries.values(), key=lambda e: e.name):
                    if not entry.num_requests:
                        continue
                    p95 = entry.get_response_time_percentile(0.95)
                    print(
                        f"{entry.name:<32} {entry.num_requests:>6} "
                        f"{entry.median_response_time:>10.0f} {p95:>8.0f} "
                        f"{p95 / yardstick:>14.1f}x"
                    )
                for error in stats.errors.values():
                    print(f"  failure x{error.occurrences}: {error.name}: {error.error}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
