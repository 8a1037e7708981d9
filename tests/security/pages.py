"""The forms the pages really show, read from their HTML: what a browser would send, field by field.

The isolation matrix posts them (so that a request passes the form's validation and reaches the permission check),
the CSRF test posts them without their token, and the fuzzer varies their values.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .world import TODAY

PLAUSIBLE_TEXT = "这是一段测试用的说明文字，内容完整，长度足够。"


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, date, time, number, tel, password, file, ...
    value: str = ""
    options: list = field(default_factory=list)
    checked: bool = False
    required: bool = False


@dataclass
class Form:
    action: str
    fields: list = field(default_factory=list)
    page: str = ""
    viewer: str = ""  # the account that saw the form (set by the page_forms fixture)

    @property
    def multipart(self):
        return any(item.kind == "file" for item in self.fields)

    def names(self):
        return sorted({item.name for item in self.fields if item.name != "csrf_token"})

    def plausible_data(self):
        """What a person filling the form in would send: defaults kept, empty fields filled in sensibly."""
        data = {}
        for item in self.fields:
            if item.name == "csrf_token" or item.kind in ("file", "submit", "button", "reset", "image"):
                continue
            if item.kind == "checkbox":
                if item.checked or item.required:
                    data.setdefault(item.name, item.value or "y")
                continue
            if item.kind == "radio":
                if item.name not in data or item.checked:
                    data[item.name] = item.value
                continue
            if item.kind in ("select", "select-multiple"):
                chosen = item.value or next((value for value in item.options if value not in ("", "0")),
                                            item.options[0] if item.options else "")
                data.setdefault(item.name, chosen)
                continue
            data.setdefault(item.name, item.value or plausible_value(item))
        return data


def plausible_value(item):
    name = item.name.lower()
    if item.kind == "date" or name.endswith(("_on", "_date", "date", "day", "_from", "_until")):
        return (TODAY + timedelta(days=1)).isoformat()
    if item.kind == "time" or name.endswith(("_time", "time_at")):
        return "10:00"
    if item.kind == "number" or name.endswith(("_minutes", "minutes", "grams", "capacity", "quantity", "hours",
                                               "_id", "points", "year", "quota", "portions")):
        return "2026" if name.endswith("year") else "1"
    if item.kind == "tel" or "phone" in name:
        return "13800138000"
    if item.kind == "password" or "password" in name or name == "confirm":
        return "new-pass-2026"
    if name in ("username", "member", "confirm_username", "volunteer", "person"):
        return "a.vol2"
    if "cost" in name or "price" in name:
        return "1.50"
    if item.kind == "hidden":
        return ""
    return PLAUSIBLE_TEXT


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            method = attrs.get("method", "get").lower()
            self._form = Form(action=urlsplit(attrs.get("action") or self.page).path, page=self.page) \
                if method == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        required = "required" in attrs
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            self._form.fields.append(Field(name, kind, attrs.get("value", ""), checked="checked" in attrs,
                                           required=required))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            # The button pressed sends its own name and value (e.g. "approve" or "reject").
            if not any(item.name == name for item in self._form.fields):
                self._form.fields.append(Field(name, "hidden", attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = Field(name, "select-multiple" if "multiple" in attrs else "select", required=required)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._select.options.append(value if value is not None else "")
            if "selected" in attrs:
                self._select.value = value or ""
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", required=required)
            self._form.fields.append(self._textarea)
            self._text = []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.value = "".join(self._text).strip()
            self._textarea = None


def forms_on(page, html):
    """The POST forms of an HTML page (actions as paths)."""
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def harvest(client, paths):
    """``{action path: Form}`` from the pages at ``paths`` (GET), the first form seen for each action."""
    found = {}
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            for form in forms_on(path, response.get_data(as_text=True)):
                found.setdefault(form.action, form)
        response.close()
    return found


class _IdParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = Counter()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id":
                self.ids[value] += 1


def repeated_ids(html):
    """``{id: count}`` of the ids that more than one element of the page has."""
    parser = _IdParser()
    parser.feed(html)
    return {name: count for name, count in parser.ids.items() if count > 1}
