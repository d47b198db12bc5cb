from django.apps import AppConfig


class SupportOpsConfig(AppConfig):
    name = "supportops"
    verbose_name = "SupportOps"

    def ready(self):
        # Rule and product changes re-map the tickets already stored, whoever makes them.
        from . import data_version, product_remap

        product_remap.signals_connect()
        # Cached metric results hold while the data version stands.
        data_version.signals_connect()
