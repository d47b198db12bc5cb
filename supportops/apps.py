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
        # A new password drops every API token issued under the old one.
        from . import api_tokens

        api_tokens.signals_connect()
        # No log record, whatever its logger or handler, carries a credential.
        from django.core.signals import setting_changed

        from . import redact

        redact.record_factory_install()
        setting_changed.connect(redact.secrets_forget)
