"""Creates the provider's users, groups, signing key and the Townhall client."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django

django.setup()
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from oidc_provider.models import Client, ResponseType

redirect = sys.argv[1]
call_command("migrate", verbosity=0)
call_command("creatersakey")
hosts = Group.objects.create(name="townhall-hosts")
hana = User.objects.create_user("hana", "hana@acme.test", "hana-password", first_name="Hana", last_name="Ito")
hana.groups.add(hosts)
User.objects.create_user("ada", "ada@acme.test", "ada-password", first_name="Ada", last_name="Lovelace")
client = Client.objects.create(name="Townhall", client_id="townhall", client_secret="s3cret-townhall",
                               client_type="confidential", redirect_uris=[redirect], require_consent=False,
                               jwt_alg="RS256", _scope="openid profile email townhall")
client.response_types.add(ResponseType.objects.get(value="code"))
print("ok")
