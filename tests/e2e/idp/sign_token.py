"""Signs the claims on stdin as the provider signs its ID tokens (its own encode_id_token,
its current key, for the townhall client): tokens the provider could issue that the
server must still refuse, such as an expired one or one naming another issuer."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django

django.setup()
from oidc_provider.lib.utils.token import encode_id_token
from oidc_provider.models import Client

print(encode_id_token(json.load(sys.stdin), Client.objects.get(client_id="townhall")))
