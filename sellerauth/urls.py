from django.urls import path

from . import views

app_name = "sellerauth"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("result/", views.result, name="result"),
    path("stores/<int:pk>/connect/", views.connect_confirm, name="connect_confirm"),
    path("stores/<int:pk>/connect/start/", views.connect_start, name="connect"),
    path("stores/<int:pk>/verify/", views.verify, name="verify"),
    path("stores/<int:pk>/link/<int:authorization_pk>/", views.link_existing, name="link_existing"),
    path("authorizations/", views.authorizations, name="authorizations"),
    path("authorizations/<int:pk>/verify/", views.authorization_verify, name="authorization_verify"),
    path("authorizations/<int:pk>/renew/", views.renew, name="renew"),
    path("authorizations/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("login/", views.login_uri, name="login_uri"),
]
