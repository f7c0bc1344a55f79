"""Rotates the provider's signing key: the old RSA key is deleted, a new one made, so
ID tokens from now on carry a key id the provider's JWKS did not list before."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django

django.setup()
from django.core.management import call_command
from oidc_provider.models import RSAKey

RSAKey.objects.all().delete()
call_command("creatersakey")
print(RSAKey.objects.get().kid)
