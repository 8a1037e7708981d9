"""Hostile values for the fuzzer (hypothesis strategies), and the query parameters each view reads.

The values are what a careless or malicious client sends: any unicode (emoji, right-to-left marks, full-width
digits, combining characters), huge strings, negative and huge numbers, dates far away or impossible, SQL and HTML
fragments, wrong types (a list where one value is expected, text where a number is), and nothing at all.
"""

import inspect
import re
from datetime import date

from hypothesis import strategies as st

#: Marker of the script payloads: if it ever comes back unescaped inside a tag, the output was not escaped.
MARK = "tbxss"
SCRIPTS = [
    f"<script>alert('{MARK}')</script>",
    f'"><img src=x onerror=alert("{MARK}")>',
    f"<svg onload=alert('{MARK}')>",
    f"javascript:alert('{MARK}')",
    f"{{{{7*7}}}}<b>{MARK}</b>",
]
#: What an unescaped payload looks like in a page (escaped output has &lt; instead of <; a link would need a
#: javascript: address; a template evaluated twice would turn {{7*7}} into 49).
_RAW = [re.escape(payload.split(MARK)[0]) for payload in SCRIPTS if payload.startswith(("<", '"'))]
RAW_SCRIPT = re.compile("|".join(_RAW + [r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", r"49(?:<b>|&lt;b&gt;)"
                                         + MARK, "<b>" + MARK]), re.I)


def unescaped(html):
    """The payloads that came back unescaped in ``html`` (empty: none)."""
    return sorted({match.group(0) for match in RAW_SCRIPT.finditer(html) if MARK in html[match.start():
                                                                                          match.end() + 40]})

SQL = ["' OR '1'='1", "1; DROP TABLE membership; --", "1 UNION SELECT password_hash FROM \"user\"--", "%' --",
       "\\", "'", '"', "`", "0x7fffffffffffffff"]
NUMBERS = ["-1", "0", "-0", "1e309", "NaN", "inf", "-9223372036854775809", "9223372036854775808",
           "99999999999999999999999999999999", "1.5", "１２", "٣", "0x10", " 7 ", "+3", "1_000"]
DATES = ["9999-12-31", "0001-01-01", "1900-02-29", "2026-02-30", "2026-13-01", "20261120", "2026/11/20",
         "-2026-01-01", "2026-11-20T25:61", "99:99", "24:00", "23:59:60", "10:00:00.000001"]
STRANGE = ["", " ", "\u200b", "\u202e反转", "👨‍👩‍👧‍👦" * 50, "Ａ" * 300, "e\u0301" * 200, "\r\n" * 100, "\t",
           "null", "None", "undefined", "[]", "{}", "true", "../../etc/passwd", "%00", "%2e%2e%2f"]
HUGE = ["x" * 100_000, "邻" * 20_000, "9" * 5_000]

scalar = st.one_of(
    st.sampled_from(SCRIPTS + SQL + NUMBERS + DATES + STRANGE),
    st.sampled_from(HUGE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)
#: One field's value: a scalar, or a list of them (a repeated field), or missing (None).
value = st.one_of(scalar, scalar, scalar, st.lists(scalar, min_size=2, max_size=3), st.none())


def form_data(form):
    """A strategy for a whole form: every field of the page's form with a hostile value (or left out), sometimes
    with the rest kept plausible so that the hostile value reaches the deeper checks."""
    names = form.names()
    plausible = form.plausible_data()

    @st.composite
    def build(draw):
        keep_plausible = draw(st.booleans())
        data = dict(plausible) if keep_plausible else {}
        targets = draw(st.lists(st.sampled_from(names), min_size=1, max_size=max(1, len(names)), unique=True)) \
            if names else []
        for name in targets:
            drawn = draw(value)
            if drawn is None:
                data.pop(name, None)
            else:
                data[name] = drawn
        if draw(st.integers(0, 9)) == 0:
            data[draw(st.sampled_from(["id", "community_id", "user_id", "status", "role"]))] = draw(scalar)
        return data

    return build()


_QUERY_NAME = re.compile(r"request\.args\.get(?:list)?\(\s*[\"']([^\"']+)[\"']")


def query_names(view):
    """The query parameters a view reads (from its source; ``page_arg()`` means ``page``)."""
    view = inspect.unwrap(view)
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return []
    names = set(_QUERY_NAME.findall(source))
    if "page_arg(" in source:
        names.add("page")
    return sorted(names)


def query_data(names):
    extra = ["page", "next", "q", "year", "month", "day", "status"]
    return st.dictionaries(st.sampled_from(sorted(set(names) | set(extra))), st.one_of(scalar, st.lists(
        scalar, min_size=2, max_size=2)), min_size=1, max_size=4)
