import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from stores.models import CatalogAttribute, Website


def test_seed_demo_creates_the_demo_data_once(db, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    assert sorted(Website.objects.values_list("name", flat=True)) == ["Main Website", "Outlet Website"]
    assert set(CatalogAttribute.objects.values_list("code", flat=True)) >= {"sku", "upc", "ean", "isbn", "asin"}
    assert get_user_model().objects.count() == 4
    assert get_user_model().objects.get(username="admin").is_superuser
    assert "password for all: demo-password" in first
    assert "admin" in first
    assert "0 websites, 0 catalog attributes and 0 users created" in second


def test_the_printed_password_signs_in(db, settings, client):
    settings.DEBUG = True
    settings.ASC_DEMO_PASSWORD = "another-demo-password"
    call_command("seed_demo")

    response = client.post(reverse("login"), {"username": "manager", "password": "another-demo-password"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()
