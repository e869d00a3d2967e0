from django.urls import path

from . import views

app_name = "engagement"
urlpatterns = [
    path("updates/<int:pk>/review/", views.review_update, name="review"),
    path("reviews/<int:pk>/respond/", views.respond_review, name="respond"),
    path("reviews/<int:pk>/hide/", views.hide_review, name="hide"),
    path("follow/<str:kind>/<str:key>/", views.follow, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notices/", views.notice_settings, name="notice_settings"),
    path("notices/unsubscribe/<str:token>/", views.notices_unsubscribe, name="notices_unsubscribe"),
]
