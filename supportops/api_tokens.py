"""API tokens (django-rest-knox): stored as a digest, expiring, and dropped with the password.

A token is a password's stand-in: whoever resets a password to lock someone out expects every
token issued under the old one to stop working too, so a user saved with a new password hash
loses all of theirs.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from knox import auth
from knox.models import get_token_model


def issue_token(user) -> tuple[str, object]:
    """A new token for `user`: (the token, shown this once; its row, holding only a digest).

    The user's expired tokens go now rather than on every request (TokenAuthentication).
    """
    tokens = get_token_model().objects
    tokens.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = tokens.create(user=user)
    return token, instance


class TokenAuthentication(auth.TokenAuthentication):
    """Knox's, in one query a request as DRF's own was: knox also sweeps the user's other
    expired tokens on every request (a second query); issue_token does that instead."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def _note_password_change(sender, instance, update_fields=None, **kwargs):
    instance._api_tokens_drop = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    if update_fields is not None and set(update_fields) == {"password"}:
        # check_password() re-hashing the same password with a newer hasher saves exactly
        # this, with no new raw password noted: the password did not change.
        if getattr(instance, "_password", None) is None:
            return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._api_tokens_drop = stored is not None and stored != instance.password


def _drop_tokens(sender, instance, created=False, **kwargs):
    if getattr(instance, "_api_tokens_drop", False):
        get_token_model().objects.filter(user=instance).delete()
        instance._api_tokens_drop = False


def signals_connect() -> None:
    user_model = get_user_model()
    pre_save.connect(_note_password_change, sender=user_model, dispatch_uid="api-tokens-pw")
    post_save.connect(_drop_tokens, sender=user_model, dispatch_uid="api-tokens-drop")
