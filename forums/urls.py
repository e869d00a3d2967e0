from django.urls import path

from . import views

app_name = "forums"
urlpatterns = [
    path("<int:pk>/", views.forum_detail, name="forum"),
]
