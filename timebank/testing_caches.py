"""What makes a test's new application cheap. Every test builds its own application on its own engine (no global
state), so work that depends only on the code was done again in every test: werkzeug parsing and compiling each
URL rule, SQLAlchemy compiling each SQL statement. Here the test process does each of those once. Imported by
:mod:`timebank.testing` only: the running application never uses it."""

from werkzeug.routing.rules import Rule


def _memoise_url_builders():
    """Every test builds its own application (no global state), and each one makes werkzeug compile two Python
    functions per URL rule (some two thousand; half of the time ``create_app`` takes). The functions depend only on
    the rule's text, its parsed parts and its defaults, so the test process compiles each one once. Rules whose
    defaults fill one of their own variables (converted at compile time) are compiled as usual."""
    original = Rule._compile_builder
    if getattr(original, "timebank_memoised", False):
        return
    cache = {}

    def compile_builder(self, append_unknown=True):
        defaults = self.defaults or {}
        if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
            return original(self, append_unknown)
        try:
            key = (self.rule, tuple(self._trace), tuple(sorted(defaults)), append_unknown)
            hash(key)
        except TypeError:
            return original(self, append_unknown)
        if key not in cache:
            cache[key] = original(self, append_unknown)
        return cache[key]

    compile_builder.timebank_memoised = True
    Rule._compile_builder = compile_builder


class _CompiledStatements:
    """One cache of compiled SQL statements for every engine of the test process.

    SQLAlchemy caches the SQL it compiles from a statement per engine, and every test's app has a new engine: so
    every test compiled again each statement it ran (a third of a page test's time). Its key starts with the
    engine's dialect object; here that object is replaced by what the SQL depends on (the dialect's class, the
    server's version and the parameter style), so that the engines of one process share what they compiled. Set
    as the engines' ``compiled_cache`` execution option (public API)."""

    def __init__(self, size=5000):
        from sqlalchemy.util import LRUCache

        self._cache = LRUCache(size)

    @staticmethod
    def _key(key):
        dialect = key[0]
        return (type(dialect), dialect.server_version_info, dialect.paramstyle, *key[1:])

    def get(self, key, default=None):
        return self._cache.get(self._key(key), default)

    def __setitem__(self, key, value):
        self._cache[self._key(key)] = value




def _memoise_rule_parsing():
    """werkzeug parses every URL rule of every new application with regular expressions (some 250 rules, a
    quarter of ``create_app``). The parse of a rule's text depends on the text and on the map's converter classes:
    it is recorded once, and replayed on later rules with the same text and converters, the converter objects made
    anew for each rule (they belong to its map)."""
    original = Rule._parse_rule
    if getattr(original, "timebank_memoised", False):
        return
    cache = {}

    def parse_rule(self, rule):
        key = (rule, tuple(sorted(self.map.converters.items())))
        recorded = cache.get(key)
        if recorded is None:
            trace_start, converters_before = len(self._trace), dict(self._converters)
            parts = list(original(self, rule))
            made = [(name, type(self._converters[name]), vars(self._converters[name]).copy())
                    for name in self._converters if name not in converters_before]
            recorded = cache[key] = (parts, self._trace[trace_start:], made)
            return parts
        parts, trace, made = recorded
        self._trace.extend(trace)
        for name, converter_class, state in made:
            converter = converter_class.__new__(converter_class)
            converter.__dict__.update(state, map=self.map)
            self._converters[name] = converter
            self.arguments.add(name)
        return list(parts)

    parse_rule.timebank_memoised = True
    parse_rule.timebank_original = original
    Rule._parse_rule = parse_rule


_memoise_url_builders()
_memoise_rule_parsing()
COMPILED_STATEMENTS = _CompiledStatements()
