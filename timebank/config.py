"""Default configuration.

Order of precedence (lowest first): these defaults → ``instance/config.py`` → ``TIMEBANK_*`` environment variables
(``TIMEBANK_SECRET_KEY=...`` sets ``SECRET_KEY``; values are parsed as JSON when they can be) → ``test_config``.
"""

from datetime import timedelta


class DefaultConfig:
    # Replaced on first start by a random key stored in instance/secret_key (see timebank.app).
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # default: sqlite:///<instance>/timebank.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Demo mode: `timebank demo` may create the demo community and accounts with a known password.
    DEMO_MODE = False

    # Languages
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

    # Plugins
    PLUGINS = None  # None: every bundled plugin; or a list of bundled plugin names to load
    EXTRA_PLUGINS: list = []  # import paths of plugin modules to load in addition (tests, local hacks)
    LOAD_ENTRYPOINTS = True  # third-party plugins from the "timebank.plugins" entry-point group
    DISABLED_PLUGINS: list = []  # blocked instance-wide (needs a restart)
    TRACE_HOOKS = False  # print every hook call to stderr
    PLUGIN_SETTINGS: dict = {}  # instance-level plugin settings: {"plugin": {"key": value}}

    # Security
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True behind https
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session (forms left open on a phone)
    # Largest request body accepted (uploads included); a plugin may lower it for its own views.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_LIMIT_PER_IP = "30 per 5 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "8 per 5 minutes"
    VERIFY_MISSES_PER_IP = "20 per 10 minutes"  # wrong certificate numbers tried from one address
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False

    # Behind a reverse proxy (nginx): how many proxies set X-Forwarded-For/-Proto/-Host (0: none). Needed for
    # per-address login limits and the addresses in the audit log.
    PROXY_FIX_X_FOR = 0

    # Public base URL used in QR codes and links sent out of the app (e.g. "https://tb.example.org").
    BASE_URL = None

    # Notifications: names of channels to deliver through in addition to the in-app inbox.
    NOTIFICATION_CHANNELS = ["log"]
    # Servers and commands (not tests, which build many apps in one process) move long-lived objects out of the
    # garbage collector's view: no 60-110 ms pause every thousand requests (timebank.garbage, docs/performance.md).
    GC_FREEZE = True

    # Seconds the Tasks tab's number is kept per person and worker (0: computed on every page); docs/performance.md.
    TASK_BADGE_SECONDS = 30

    # JSON API (/api/v1/, see docs/api.md)
    API_RATE_LIMIT = "120 per minute"  # per token
    API_RATE_LIMIT_PER_IP = "600 per minute"  # per address, whatever the token
    API_LOGIN_TOKEN_MINUTES = 12 * 60  # lifetime of a token a mobile app gets with username and password
    API_MAX_TOKENS_PER_USER = 20  # active personal access tokens per person
    API_IDEMPOTENCY_HOURS = 24  # how long the answer to an Idempotency-Key is kept for retries
