from django.urls import path

from clinicore.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="feed"),
]
