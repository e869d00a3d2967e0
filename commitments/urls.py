from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("", views.member_list, name="home"),
    path("members/<str:code>/", views.member_detail, name="member"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("commitments/", views.commitment_list, name="list"),
    path("data/", views.open_data, name="open_data"),
    path("data/<slug:dataset>.<str:fmt>", views.export, name="export"),
    path("commitments/<str:identifier>/", views.commitment_detail, name="commitment"),
]
