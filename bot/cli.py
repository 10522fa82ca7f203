"""The `salesbot` command line: serve, db, demo, shell."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("salesbot")
# The public sample dataset beside a checkout (../shared/datasets), as the project lays it out.
SUPERSTORE_CSV = Path("..") / "shared" / "datasets" / "superstore.csv"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        # The shell's screen is for replies; only warnings and worse belong there.
        quiet = args.run is _shell and settings.salesbot_log_level == "INFO"
        logging.basicConfig(
            level="WARNING" if quiet else settings.salesbot_log_level,
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        return int(args.run(args, settings) or 0)
    except ConfigError as exc:
        print(f"salesbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        # Unreachable server, missing folder, wrong password: say where, not a traceback.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        print(f"salesbot: cannot open the database DATABASE_URL={where}: {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `salesbot export orders | head`: the reader left; stop quietly like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesbot", description="Sales tracking in Slack.")
    sub = parser.add_subparsers(title="commands")

    serve = sub.add_parser("serve", help="serve Slack's requests (HTTP or Socket Mode)")
    mode = serve.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="HTTP: POST /slack/events, GET /healthz")
    mode.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--threads", type=int, default=8)
    serve.set_defaults(run=_serve)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(title="db commands")
    db_sub.add_parser("upgrade", help="migrate the database to the latest schema").set_defaults(
        run=_db_upgrade
    )
    db_sub.add_parser("current", help="show the schema revision").set_defaults(run=_db_current)

    demo = sub.add_parser("demo", help="seed a realistic demo workspace")
    demo.add_argument("--team", default=None, help="workspace (team id) to seed")
    demo.add_argument(
        "--superstore",
        metavar="FILE",
        nargs="?",
        const=str(SUPERSTORE_CSV),
        default=None,
        help="also import the Superstore sample orders (default file: %(const)s)",
    )
    demo.set_defaults(run=_demo)

    shell = sub.add_parser("shell", help="try Salesbot in the terminal, no Slack needed")
    shell.add_argument("--demo", action="store_true", help="seed demo data first")
    shell.add_argument("--user", default="U0LOCAL", help="the Slack user id you act as")
    shell.set_defaults(run=_shell)

    from bot.demo import DEMO_TEAM
    from storage.importers.cli import add_import_export_parsers

    add_import_export_parsers(sub, default_team=DEMO_TEAM)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.app import create_app
    from bot.services import build_services
    from bot.slack_clients import SlackClients
    from scheduler.runner import build_scheduler
    from scheduler.sender import SlackSender
    from storage.migrate import is_up_to_date

    settings.require_slack()
    if args.socket:
        if settings.uses_oauth:
            # Installs land on GET /slack/oauth_redirect, which only HTTP mode serves.
            raise ConfigError(
                "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (installs into many workspaces) need "
                "`salesbot serve --http`: Socket Mode serves no install pages."
            )
        settings.require("SLACK_APP_TOKEN")
    services = build_services(settings)
    if not is_up_to_date(services.engine):
        print(
            "salesbot: the database schema is not up to date: run `salesbot db upgrade`.",
            file=sys.stderr,
        )
        return 2
    try:
        app = create_app(settings, services)
    except BoltError as exc:
        # Most often a revoked or mistyped token: Slack's auth.test said no.
        print(
            f"salesbot: Slack refused SLACK_BOT_TOKEN at {settings.slack_api_url}: {exc}",
            file=sys.stderr,
        )
        services.close()
        return 2
    sender = SlackSender(services.uow_factory, SlackClients(app))
    scheduler = build_scheduler(services.uow_factory, services.clock, sender)
    # SIGTERM (docker stop, systemd) should shut down as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    scheduler.start()
    try:
        if args.http:
            from bot.app import INSTALL_PATH
            from bot.web import create_web_app, serve_http

            log.info("serving HTTP on %s:%d", args.host, args.port)
            if settings.uses_oauth:
                log.info("OAuth installs: add to a workspace at %s", INSTALL_PATH)
            serve_http(
                create_web_app(app, services), host=args.host, port=args.port, threads=args.threads
            )
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(app, settings.secret("SLACK_APP_TOKEN")).start()
    except SlackApiError as exc:
        print(
            f"salesbot: Slack refused to open a Socket Mode connection: "
            f"{exc.response.get('error')} (check SLACK_APP_TOKEN)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        log.info("shutting down")
    finally:
        scheduler.shutdown(wait=False)
        services.close()
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from storage.engine import make_engine
    from storage.migrate import current_revision, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    engine.dispose()
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    from storage.engine import make_engine
    from storage.migrate import current_revision, head_revision

    engine = make_engine(settings.database_url)
    current = current_revision(engine)
    print(f"current {current or '(empty)'}; latest {head_revision()}")
    engine.dispose()
    return 0 if current == head_revision() else 1


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import DEMO_TEAM, seed_demo
    from bot.services import build_services
    from storage.migrate import upgrade

    team = args.team or DEMO_TEAM
    services = build_services(settings)
    try:
        upgrade(services.engine)
        created = seed_demo(services, team)
        print(f"demo workspace {team}: {created} customers added")
        if args.superstore:
            from storage.importers import import_superstore

            if not Path(args.superstore).is_file():
                print(f"salesbot: no Superstore file at {args.superstore}", file=sys.stderr)
                return 2
            print("\n".join(import_superstore(services, team, args.superstore).render()))
    finally:
        services.close()
    return 0


def _shell(args: argparse.Namespace, settings: Settings) -> int:
    from bot.shell.console import run_shell

    return run_shell(settings, user_id=args.user, demo=args.demo)
