"""The command line: ``python -m ocp serve|migrate|createadmin|seed|makemigrations``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from ocp.config import Settings, SettingsError


def _fail(message: str) -> None:
    print(f"ocp: {message}", file=sys.stderr)
    raise SystemExit(1)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        _fail(str(error))
        raise


def _configure_logging(settings: Settings) -> None:
    from ocp import logs

    logs.configure(level=settings.log_level, format=settings.log_format)


async def _prepare_database(settings: Settings) -> None:
    """Embedded: create or upgrade the SQLite schema. Production: refuse pending migrations."""
    from ocp import migrate

    url = settings.effective_database_url
    if settings.embedded:
        applied = await migrate.upgrade(url)
        if applied:
            print(
                f"ocp: database ready at {settings.data_dir}/ (applied {len(applied)} migrations)"
            )
        return
    try:
        waiting = await migrate.pending(url)
    except Exception as error:  # one line, not a traceback, for an unreachable database
        _fail(f"cannot reach the database ({error.__class__.__name__}: {error})")
    if waiting:
        _fail(
            f"refusing to start: {len(waiting)} migration(s) pending ({', '.join(waiting)}); "
            "run `python -m ocp migrate` first"
        )


LOCAL_HOSTS = {"127.0.0.1", "0.0.0.0", "::", "::1", "", "localhost"}


def base_url(host: str, port: int) -> str:
    """The URL to print for a bound address: ``localhost`` for loopback and wildcard
    addresses, as clients' cookie jars drop cookies from bare IP hosts such as 127.0.0.1."""
    if host in LOCAL_HOSTS:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(args: argparse.Namespace) -> None:
    settings = _settings()
    _configure_logging(settings)
    processes = args.workers if args.workers is not None else settings.web_workers
    try:
        if settings.embedded:
            settings = settings.with_secret_key()
        settings.check_production()
    except SettingsError as error:
        _fail(f"refusing to start: {error}")
    if processes < 1:
        _fail("--workers must be at least 1")
    if processes > 1 and settings.embedded:
        _fail(
            "refusing to start: several web processes need PostgreSQL and Redis "
            "(OCP_DATABASE_URL, OCP_REDIS_URL); the embedded default runs one"
        )
    if processes > 1:
        _metrics_folder()  # before anything imports prometheus_client
    asyncio.run(_prepare_database(settings))
    for warning in settings.warnings():  # once it is sure to start
        logging.getLogger("ocp.server").warning(warning)

    from ocp import server
    from ocp.app import create_app

    base = base_url(args.host, args.port)
    mode = "embedded: SQLite, in-memory events" if settings.embedded else "PostgreSQL + Redis"
    plural = f", {processes} processes" if processes > 1 else ""

    def announce() -> None:
        if settings.log_format == "json":  # every line a JSON object, this one too
            fields = {"url": base, "docs": f"{base}/api/docs", "processes": processes}
            logging.getLogger("ocp.server").info("OCP is up", extra={"fields": fields})
        else:
            print(f"OCP is up ({mode}{plural}) on {base}\nAPI docs: {base}/api/docs", flush=True)

    def start(slot: int) -> None:
        server.serve_process(
            lambda: create_app(settings),
            host=args.host,
            port=args.port,
            settings=settings,
            reuse_port=processes > 1,
            announce=announce if slot == 0 else None,
        )

    if processes == 1:
        start(0)
        return
    from prometheus_client import multiprocess

    raise SystemExit(server.supervise(processes, start, on_exit=multiprocess.mark_process_dead))


def _metrics_folder() -> None:
    """Where the web processes keep their metrics so that ``/metrics`` adds them up
    (prometheus-client's multiprocess mode): ``PROMETHEUS_MULTIPROC_DIR`` or a new folder,
    emptied of an earlier run's files."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="ocp-metrics-")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def migrate_command(args: argparse.Namespace) -> None:
    from ocp import migrate

    settings = _settings()
    applied = asyncio.run(migrate.upgrade(settings.effective_database_url))
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))


def createadmin(args: argparse.Namespace) -> None:
    from ocp import db
    from ocp import migrate as schema
    from ocp.errors import ValidationFailed
    from ocp.users import service as users_service

    settings = _settings()
    email = args.email or input("Email: ").strip()
    password = args.password

    async def run() -> None:
        nonlocal password
        from tortoise import Tortoise

        url = settings.effective_database_url
        if settings.embedded:
            await schema.upgrade(url)
        orm = await Tortoise.init(config=db.tortoise_config(url))
        try:
            exists = await users_service.get_by_email(email=email) is not None
            if not exists and not password:
                password = getpass.getpass("Password (10-128 characters): ")
                if password != getpass.getpass("Again: "):
                    _fail("the passwords differ")
            if password is not None and not 10 <= len(password) <= 128:
                _fail("the password must be 10-128 characters")
            try:
                user, created = await users_service.create_admin(
                    email=email, password=password, full_name=args.name
                )
            except ValidationFailed as error:
                _fail(str(error.errors))
            print(f"{'created' if created else 'promoted'} admin {user.email} (id {user.id})")
        finally:
            await orm.close_connections()

    asyncio.run(run())


def _progress_bar(done: int, total: int) -> None:
    """``[#####.....]  4000/10000 courses`` on stderr, redrawn in place."""
    filled = 30 * done // total
    bar = "#" * filled + "." * (30 - filled)
    end = "\n" if done >= total else ""
    print(f"\rseeding [{bar}] {done}/{total} courses", end=end, file=sys.stderr, flush=True)


def seed(args: argparse.Namespace) -> None:
    from tortoise import Tortoise

    from ocp import db
    from ocp.courses import seed as demo
    from ocp.courses.cache import CatalogCache
    from ocp.redis_pool import connect

    settings = _settings()
    if args.courses < 1:
        _fail("--courses must be at least 1")
    asyncio.run(_prepare_database(settings))

    async def run() -> demo.SeedResult:
        redis = connect(settings.redis_url) if settings.redis_url else None
        orm = await Tortoise.init(config=db.tortoise_config(settings.effective_database_url))
        try:
            if redis is not None:
                try:
                    await redis.ping()
                except Exception as error:  # one line, not a traceback
                    _fail(f"cannot reach Redis ({error.__class__.__name__}: {error})")
            return await demo.seed_demo(
                courses=args.courses,
                seed=args.seed,
                cache=CatalogCache(redis),
                progress=_progress_bar,
            )
        except demo.CatalogNotEmpty as error:
            _fail(f"refusing to seed: {error}; demo data goes only into an empty catalog")
            raise
        finally:
            await orm.close_connections()
            if redis is not None:
                await redis.aclose()

    started = time.monotonic()
    result = asyncio.run(run())
    last = f"instructor{result.instructors}@{demo.DEMO_DOMAIN}"
    print(
        f"seeded {result.courses} courses ({result.published} published, "
        f"{result.courses - result.published} drafts), {result.lessons} lessons, "
        f"{result.tags} tags, {result.instructors} instructors and 1 student "
        f"in {time.monotonic() - started:.1f} s\n"
        f"sign in as instructor1@{demo.DEMO_DOMAIN} ... {last} or {demo.STUDENT_EMAIL} "
        f"with the password {result.password}"
        + (
            ""
            if settings.redis_url
            else "\nrestart running servers: they keep the catalog pages they cached before"
        )
    )


def makemigrations(args: argparse.Namespace) -> None:
    """Write the next migration for both dialects, each against a scratch database of its own."""
    if args.dialect is None:
        # One process per dialect: aerich and Tortoise keep per-dialect state in globals.
        failed = False
        for dialect in ("sqlite", "postgres"):
            cmd = [sys.executable, "-m", "ocp", "makemigrations", "--name", args.name]
            cmd += ["--dialect", dialect] + (["--check"] if args.check else [])
            failed |= subprocess.run(cmd, check=False).returncode != 0  # noqa: S603 (ourselves)
        if failed:
            raise SystemExit(1)
        return
    made = asyncio.run(_make_one(args.dialect, args.name, check=args.check))
    if args.check and made:
        _fail(f"{args.dialect}: the models changed without a migration; run makemigrations")


async def _make_one(dialect: str, name: str, *, check: bool) -> str | None:
    """Write (or, with ``check``, only detect) the next migration of one dialect."""
    import asyncpg

    from ocp import migrate as schema

    with tempfile.TemporaryDirectory() as folder:
        root = schema.MIGRATIONS_DIR
        if check:
            root = Path(folder) / "migrations"
            shutil.copytree(schema.MIGRATIONS_DIR, root)
        if dialect == "sqlite":
            made = await schema.make(f"sqlite://{folder}/scratch.sqlite3", name, root=root)
        else:
            server = os.environ.get("OCP_MIGRATIONS_SERVER", "postgres://postgres@127.0.0.1:5432")
            scratch = f"ocp_scratch_{uuid.uuid4().hex[:12]}"
            admin = await asyncpg.connect(f"{server}/postgres")
            await admin.execute(f'CREATE DATABASE "{scratch}"')
            try:
                made = await schema.make(f"{server}/{scratch}", name, root=root)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
                await admin.close()
    print(f"{dialect}: {made or 'no changes'}")
    return made


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ocp", description="OCP course platform backend"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the web service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8080))
    p.add_argument(
        "--workers",
        type=int,
        help="web processes on the port (default OCP_WEB_WORKERS, else 1; above 1 needs "
        "PostgreSQL and Redis)",
    )
    p.set_defaults(func=serve)

    p = commands.add_parser("migrate", help="apply pending database migrations")
    p.set_defaults(func=migrate_command)

    p = commands.add_parser(
        "createadmin", help="create or promote an admin (prompts for what is missing)"
    )
    p.add_argument("--email")
    p.add_argument("--password")
    p.add_argument("--name", help="full name for a new admin")
    p.set_defaults(func=createadmin)

    p = commands.add_parser("seed", help="fill an empty database with demo data")
    p.add_argument(
        "--demo", action="store_true", required=True, help="a demo catalog for newcomers"
    )
    p.add_argument("--courses", type=int, default=300, help="how many courses (default 300)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.set_defaults(func=seed)

    p = commands.add_parser(
        "makemigrations", help="(developers) write the next migration for both dialects"
    )
    p.add_argument("--name", default="update")
    p.add_argument("--dialect", choices=["sqlite", "postgres"])
    p.add_argument(
        "--check", action="store_true", help="write nothing; fail if the models need a migration"
    )
    p.set_defaults(func=makemigrations)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
