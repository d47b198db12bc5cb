"""Who may write over the API: the same people admin lets write (Django's model permissions).

Admin refuses a staff user without `supportops.add_expense` the expense form; the API must
refuse them the POST too, or the permission means nothing. So every write needs a staff user
holding the model's add/change/delete permission, or a superuser (who holds every permission).
"""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions

WRITE_MESSAGE = (
    "Changing this needs a staff user with the Django permission for it, or a superuser."
)
READ_MESSAGE = "Seeing this needs a staff user with the Django permission for it, or a superuser."


def _is_editor(user) -> bool:
    """Admin lets only staff in; a superuser without is_staff still holds every permission."""
    return bool(user and user.is_active and (user.is_staff or user.is_superuser))


class ModelPermissionsOrReadOnly(DjangoModelPermissions):
    """Anyone signed in reads; a write needs the model's permission (POST add, PUT/PATCH change,
    DELETE delete) on the view's queryset model."""

    message = WRITE_MESSAGE

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return _is_editor(user) and super().has_permission(request, view)


class ModelPermissions(DjangoModelPermissions):
    """Admin-only configuration (ticket→product rules): reading needs the view (or change)
    permission too, as admin's changelist does."""

    message = READ_MESSAGE

    def has_permission(self, request, view):
        user = request.user
        reading = request.method in SAFE_METHODS
        self.message = READ_MESSAGE if reading else WRITE_MESSAGE
        if not (user and user.is_authenticated and _is_editor(user)):
            return False
        if not reading:
            return super().has_permission(request, view)
        opts = self._queryset(view).model._meta
        return any(
            user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
            for action in ("view", "change")
        )
