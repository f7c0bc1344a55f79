"""The claims the provider puts in its ID tokens: name, office and groups, as a
company's directory would."""
from oidc_provider.lib.claims import ScopeClaims

OFFICES = {"hana": "Austin", "ada": "Dublin"}


def claims(claims, user):
    claims["name"] = user.get_full_name() or user.username
    claims["email"] = user.email
    return claims


class TownhallScopes(ScopeClaims):
    def scope_townhall(self):
        return {"office": OFFICES.get(self.user.username, "Remote"),
                "groups": [g.name for g in self.user.groups.all()]}
