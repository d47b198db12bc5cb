from django.contrib import admin

from .filters import present_only


class BaseAdmin(admin.ModelAdmin):
    """Filters offer only values some row has; `shown_as` shows a stored field another way.

    `shown_as` maps a field to a display method put in its place on the change page (the
    stored field itself is then not on the form), e.g. {"mrr_minor": "mrr"} for MRR as money.
    """

    shown_as: dict[str, str] = {}

    def get_list_filter(self, request):
        return present_only(self.model, super().get_list_filter(request))

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *self.shown_as.values()]
        return list(dict.fromkeys(readonly))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return list(dict.fromkeys(self.shown_as.get(name, name) for name in fields))
