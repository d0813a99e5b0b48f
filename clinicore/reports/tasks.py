"""Background work of the reports app: building export files."""

from django.tasks import task


@task
def report_export_run(export_id: str) -> None:
    from clinicore.reports.services import report_export_run_now

    report_export_run_now(export_id=export_id)
