from django.urls import path

from . import feeds, views

app_name = "commitments"
urlpatterns = [
    path("", views.member_list, name="home"),
    path("members/<str:code>/", views.member_detail, name="member"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("members/<str:code>/feed/", feeds.MemberFeed(), name="member_feed"),
    path("plans/<int:pk>/feed/", feeds.PlanFeed(), name="plan_feed"),
    path("commitments/<str:identifier>/feed/", feeds.CommitmentFeed(), name="commitment_feed"),
    path("commitments/", views.commitment_list, name="list"),
    path("data/", views.open_data, name="open_data"),
    path("data/<slug:dataset>.<str:fmt>", views.export, name="export"),
    path("commitments/<str:identifier>/", views.commitment_detail, name="commitment"),
]
