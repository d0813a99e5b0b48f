"""`manage.py telegram_webhook set|info|delete`: registers each Telegram bot's webhook with the
Bot API (our hook under PUBLIC_BASE_URL, with the bot's secret token), shows it, or removes it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinicore.notifications.models import ChannelAccount
from clinicore.notifications.providers import telegram
from clinicore.notifications.providers.base import ProviderError


class Command(BaseCommand):
    help = (
        "Set, show or delete the Telegram webhook of every active Telegram bot account "
        "(or of one, with --account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["set", "info", "delete"])
        parser.add_argument("--account", help="The id of one Telegram channel account.")
        parser.add_argument(
            "--drop-pending-updates",
            action="store_true",
            help="Ask Telegram to drop the updates it is still holding (set and delete).",
        )

    def handle(self, *args, action, account, drop_pending_updates, **options):
        accounts = ChannelAccount.objects.filter(
            provider="telegram_bot", is_active=True
        ).select_related("clinic")
        try:
            found = list(
                accounts.filter(pk=account) if account else accounts.order_by("created_at")
            )
        except ValidationError:
            found = []  # not an id at all
        if not found:
            raise CommandError(
                f"No active Telegram bot account has the id {account!r}."
                if account
                else "No active Telegram bot account found."
            )
        failures = 0
        for bot in found:
            name = f"@{(bot.config or {}).get('bot_username') or bot.pk}"
            owner = bot.clinic.name if bot.clinic_id else "platform"
            try:
                if action == "set":
                    url = telegram.webhook_set(bot, drop_pending_updates=drop_pending_updates)
                    self.stdout.write(f"{name} ({owner}): webhook set to {url}")
                elif action == "delete":
                    telegram.webhook_delete(bot, drop_pending_updates=drop_pending_updates)
                    self.stdout.write(f"{name} ({owner}): webhook deleted")
                else:
                    self.stdout.write(_describe(name, owner, bot, telegram.webhook_info(bot)))
            except ProviderError as exc:
                failures += 1
                self.stderr.write(f"{name} ({owner}): {exc.message}")
        if failures:
            raise CommandError(f"{failures} of {len(found)} Telegram bot(s) failed.")


def _describe(name: str, owner: str, bot, info: dict) -> str:
    url = info.get("url") or ""
    expected = telegram.webhook_url(bot)
    if not url:
        state = "no webhook set"
    elif url == expected:
        state = f"webhook {url}"
    else:
        state = f"webhook {url} (expected {expected})"
    lines = [
        f"{name} ({owner}): {state}",
        f"  pending updates: {info.get('pending_update_count', 0)}",
    ]
    if info.get("last_error_message"):
        lines.append(f"  last error: {info['last_error_message']}")
    return "\n".join(lines)
