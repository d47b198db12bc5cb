from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsStaffOrReadOnly(BasePermission):
    """Any signed-in user may read; only staff may write."""

    message = "Only staff users can change cost inputs."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.is_staff


class IsStaff(BasePermission):
    """Staff only, to read and to write."""

    message = "Only staff users can see and change this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
