from django.urls import path

from . import feeds, views

app_name = "engagement"
urlpatterns = [
    path("updates/<int:pk>/review/", views.review_update, name="review"),
    path("reviews/<int:pk>/respond/", views.respond_review, name="respond"),
    path("reviews/<int:pk>/hide/", views.hide_review, name="hide"),
    path("follow/<str:kind>/<str:key>/", views.follow, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feeds/members/<str:code>.atom", feeds.MemberFeed(), name="feed_member"),
    path("feeds/plans/<int:pk>.atom", feeds.PlanFeed(), name="feed_plan"),
    path("feeds/commitments/<str:identifier>.atom", feeds.CommitmentFeed(), name="feed_commitment"),
]
