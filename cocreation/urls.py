from django.urls import path

from . import views

app_name = "cocreation"
urlpatterns = [
    path("", views.process_list, name="processes"),
    path("open/", views.open_new, name="open"),
    path("<int:pk>/", views.process_detail, name="process"),
    path("<int:pk>/stage/", views.advance, name="advance"),
    path("<int:pk>/figures.csv", views.figures_csv, name="figures_csv"),
    path("<int:pk>/follow/", views.follow, name="follow"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("<int:process_pk>/drafts/new/", views.draft_edit, name="draft_new"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/deliver/", views.deliver, name="deliver"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/support/", views.support, name="support"),
    path("proposals/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("proposals/<int:pk>/respond/", views.respond, name="respond"),
    path("<str:kind>/<int:pk>/comment/", views.comment, name="comment"),
    path("drafts/<int:pk>/", views.draft_detail, name="draft"),
    path("drafts/<int:pk>/edit/", views.draft_edit, name="draft_edit"),
    path("drafts/<int:pk>/open/", views.draft_open, name="draft_open"),
    path("documents/<str:code>/", views.repository, name="repository"),
    path("documents/<str:code>/feed/", views.RepositoryFeed(), name="repository_feed"),
]
