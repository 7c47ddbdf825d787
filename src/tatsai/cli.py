"""The ``tatsai`` command: wires each context's commands, nothing more.

Errors the user can fix print one line on stderr and exit 2, never a traceback
(``TATSAI_DEBUG=1`` shows tracebacks of unexpected failures).
"""

from __future__ import annotations

import os
import sys

import typer
from pydantic import ValidationError

from tatsai.analytics.money.cli import money_app
from tatsai.analytics.telco.cli import telco_app
from tatsai.core.cli import audit_app, config_app, db_app
from tatsai.core.errors import TatsaiError
from tatsai.indicators.cli import extract_command
from tatsai.orgs.cli import key_app, org_app
from tatsai.registry.cli import indicators_app, lookup_command
from tatsai.reports.cli import purge_command, reports_app, worker_command
from tatsai.screening.cli import screen_app, url_check_command
from tatsai.sim.cli import simulate_command

app = typer.Typer(
    name="tatsai",
    help="tatsai (ตัดสาย): cut scam operations at the source.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(org_app, name="org")
app.add_typer(key_app, name="key")
app.command("extract")(extract_command)
app.add_typer(indicators_app, name="indicators")
app.command("lookup")(lookup_command)
app.command("simulate")(simulate_command)
app.add_typer(reports_app, name="reports")
app.command("worker")(worker_command)
app.command("purge")(purge_command)
app.add_typer(telco_app, name="telco")
app.add_typer(money_app, name="money")
app.add_typer(screen_app, name="screen")
app.command("url-check")(url_check_command)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
    with_worker: bool | None = typer.Option(
        None,
        "--with-worker/--no-worker",
        help="Also process the report queue in this process (default: on for the embedded store).",
    ),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log each request."),
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json)."""
    import uvicorn

    from tatsai.core import migrate
    from tatsai.core.settings import get_settings

    if get_settings().database_url is None:
        migrate.upgrade()  # the embedded default sets itself up
    if with_worker is None:
        with_worker = get_settings().database_url is None
    if with_worker:
        from tatsai.core.db import get_engine
        from tatsai.reports.pipeline import start_background_worker

        start_background_worker(get_engine())
    uvicorn.run(
        "tatsai.api:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
    )


@app.command("demo")
def demo() -> None:
    """Run the main job end to end on the embedded default and show what happened."""
    from tatsai.demo import run_demo

    run_demo()


def _fail(message: str, code: int = 2) -> None:
    typer.echo(" ".join(message.split()), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        rc = command.main(args=argv, prog_name="tatsai", standalone_mode=False)
    except TatsaiError as exc:
        _fail(exc.one_line())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "input"
        _fail(f"error ({field}): {first['msg']}")
    except typer.Abort:
        _fail("aborted", 1)
    except typer.exceptions.TyperException as exc:
        # Usage errors (bad option, missing argument, bad choice): one line, exit 2.
        _fail(f"error: {exc.format_message()}")
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"error: {exc}")
    except Exception as exc:
        if os.environ.get("TATSAI_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set TATSAI_DEBUG=1 for details)", 1)
    sys.exit(rc if isinstance(rc, int) else 0)
