from django.urls import path

from clinicore.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("after-login/", views.after_login, name="after-login"),
]
