"""What a browser would submit from a page's form: its controls' names and current values.

Tests post exactly what the page shows (a round trip), rather than a body written by hand."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None
        self._inert = 0  # inside <template>: not part of the document's forms

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._inert += 1
        if self._inert or (tag != "form" and self._form is None):
            return
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif "disabled" in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file") or "name" not in a:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value", "on")))
                return
            self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select" and "name" in a:
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and "name" in a:
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._inert -= 1
        if self._inert:
            return
        if tag == "option" and self._option is not None:
            value = self._option["value"]
            value = self._option["text"].strip() if value is None else value
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            value = chosen if chosen is not None else self._select["first"]
            if value is not None:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"].removeprefix("\n")
            self._form["fields"].append((self._textarea["name"], text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, **attrs) -> list[tuple[str, str]]:
    """The fields of the first form whose attributes include `attrs` (data_x=... for data-x)."""
    parser = _Forms()
    parser.feed(html)
    wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
    for form in parser.forms:
        if all(form["attrs"].get(k, "\0") == v for k, v in wanted.items()):
            return form["fields"]
    raise AssertionError(f"No form with {wanted} on the page.")


def as_post(fields: list[tuple[str, str]], **extra) -> dict[str, list[str]]:
    """Fields as the test client posts them (repeated names stay in order), plus the button."""
    body: dict[str, list[str]] = {}
    for name, value in fields:
        body.setdefault(name, []).append(value)
    for name, value in extra.items():
        body[name] = [value]
    return body
