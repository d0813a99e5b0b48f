"""The embedded run: migrate SQLite, load demo data once, serve web + API + websockets with the
task worker and the scheduler beside it, and stop all of them cleanly on Ctrl-C or SIGTERM."""

import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the whole product on one machine (the README's run command)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")

    def handle(self, *args, host, port, no_worker, no_demo, **options):
        import uvicorn

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if settings.DEMO_DATA and not no_demo and "seed_demo" in get_commands():
            call_command("seed_demo", if_empty=True)

        children: list[subprocess.Popen] = []
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        if not no_worker:
            children.append(
                subprocess.Popen(
                    [*manage, "db_worker", "--no-reload", "--queue-name", "*", "--interval", "0.5"]
                )
            )
            self.stdout.write("Task worker started.")
            if settings.SCHEDULER_ENABLED and "scheduler" in get_commands():
                children.append(subprocess.Popen([*manage, "scheduler"]))
                self.stdout.write("Scheduler started.")

        config = uvicorn.Config(
            "clinicore.asgi:application",
            host=host,
            port=port,
            log_level="info",
            ws="websockets-sansio",
            lifespan="off",
            proxy_headers=settings.BEHIND_HTTPS,
        )
        server = uvicorn.Server(config)
        stopping = threading.Event()

        def stop(signum, frame):
            if stopping.is_set():
                return
            stopping.set()
            self.stdout.write("Stopping…")
            server.should_exit = True

        # uvicorn installs its own handlers while running; ours make sure children stop too.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(
            self.style.SUCCESS(f"Clinicore is running at http://{host}:{port}/  (Ctrl-C to stop)")
        )
        try:
            server.run()
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Stopped.")
