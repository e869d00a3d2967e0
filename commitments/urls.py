from django.urls import path

from . import import_views, views

app_name = "commitments"
urlpatterns = [
    path("", views.member_list, name="home"),
    path("members/<str:code>/", views.member_detail, name="member"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("commitments/<str:identifier>/", views.commitment_detail, name="commitment"),
    # Plan import (workspace) and the CSV export of a plan.
    path("work/import/", import_views.upload, name="import_upload"),
    path("work/import/confirm/", import_views.confirm, name="import_confirm"),
    path("plans/<int:pk>/commitments.csv", import_views.export_csv, name="plan_csv"),
]
