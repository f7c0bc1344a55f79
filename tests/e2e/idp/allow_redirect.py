"""Adds a Townhall server's callback (and signed-out page) to the client's registered URIs."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django

django.setup()
from oidc_provider.models import Client

public = sys.argv[1].rstrip("/")
client = Client.objects.get(client_id="townhall")
client.redirect_uris = client.redirect_uris + [public + "/auth/callback"]
client.post_logout_redirect_uris = client.post_logout_redirect_uris + [public + "/auth/signed-out"]
client.save()
