"""A real OpenID provider for the tests: django-oidc-provider (PyPI) in a minimal Django
project on loopback. Its own login form, its own keys, its own token endpoint."""
import os

BASE = os.environ.get("IDP_STATE", os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "test-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [os.path.dirname(os.path.abspath(__file__))],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth",
                                       "django.contrib.messages.context_processors.messages"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE, "idp.sqlite3")}}
STATIC_URL = "/static/"
LOGIN_URL = "/accounts/login/"
USE_TZ = True
# Behind a TLS proxy the provider names itself by its public https address.
SITE_URL = os.environ.get("IDP_SITE_URL") or None
OIDC_USERINFO = "userinfo.claims"
OIDC_EXTRA_SCOPE_CLAIMS = "userinfo.TownhallScopes"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_SKIP_CONSENT_EXPIRE = 365
