"""HTTP mode: a Flask app with Bolt's adapter, served by waitress (a production WSGI server)."""

from __future__ import annotations

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from sqlalchemy import text

from bot.app import INSTALL_PATH, REDIRECT_URI_PATH
from bot.services import Services


def create_web_app(app: App, services: Services) -> Flask:
    """Routes Slack's requests and OAuth installs to Bolt and answers health checks."""
    web = Flask("salesbot")
    handler = SlackRequestHandler(app)

    @web.post("/slack/events")
    def slack_events():  # type: ignore[no-untyped-def]
        return handler.handle(request)

    # OAuth mode: the "Add to Slack" page and Slack's redirect back after an install.
    # With a bot token there is no OAuth flow and Bolt's handler answers 404.
    @web.get(INSTALL_PATH)
    def slack_install():  # type: ignore[no-untyped-def]
        return handler.handle(request)

    @web.get(REDIRECT_URI_PATH)
    def slack_oauth_redirect():  # type: ignore[no-untyped-def]
        return handler.handle(request)

    @web.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any database failure means unhealthy
            return jsonify(ok=False, database=type(exc).__name__), 503
        return jsonify(ok=True, database="ok")

    return web


def serve_http(web: Flask, *, host: str, port: int, threads: int = 8) -> None:
    """Block serving HTTP until interrupted."""
    import waitress

    waitress.serve(web, host=host, port=port, threads=threads, ident="salesbot")
