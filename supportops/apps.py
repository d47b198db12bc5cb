from django.apps import AppConfig


class SupportOpsConfig(AppConfig):
    name = "supportops"
    verbose_name = "SupportOps"
