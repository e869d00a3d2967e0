from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:code>/", views.member_detail, name="member"),
    path("<str:code>/record/", views.admin_member, name="admin_member"),
    path("<str:code>/letters/<int:event_id>/", views.letter, name="letter"),
]
