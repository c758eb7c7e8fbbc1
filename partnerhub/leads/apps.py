from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "partnerhub.leads"
    label = "leads"
