"""`manage.py scheduler`: runs periodic jobs every app registered with @periodic."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from clinicore.notifications import scheduler


class Command(BaseCommand):
    help = "Run the periodic scheduler (several may run; each job runs once per interval)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--tick", type=float, default=None, help="Seconds between checks.")

    def handle(self, *args, once, tick, **options):
        if once:
            ran = scheduler.run_pending()
            self.stdout.write(f"Ran {len(ran)} job(s): {', '.join(ran) or 'none due'}.")
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        scheduler.run_forever(tick=tick or settings.SCHEDULER_TICK_SECONDS, stop=stop)
        self.stdout.write("Scheduler stopped.")
