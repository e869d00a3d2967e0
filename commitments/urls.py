from django.urls import path

from . import feeds, import_views, list_views, progress_views, views

app_name = "commitments"
# The home page, a member's page and its feed show compliance: they are the site's (ogp_portal/pages.py),
# added to this namespace ("commitments:home", "commitments:member", "commitments:member_feed") by ogp_portal/urls.py.
urlpatterns = [
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/feed/", feeds.PlanFeed(), name="plan_feed"),
    path("commitments/<str:identifier>/feed/", feeds.CommitmentFeed(), name="commitment_feed"),
    path("commitments/", list_views.commitment_list, name="list"),
    path("data/", views.open_data, name="open_data"),
    path("data/<slug:dataset>.<str:fmt>", views.export, name="export"),
    path("commitments/<str:identifier>/", views.commitment_detail, name="commitment"),
    # Progress workflow (coordinators, the point of contact) and the public status reports.
    path("commitments/<str:identifier>/history/", views.commitment_history, name="commitment_history"),
    path("commitments/<str:identifier>/milestones/<int:pk>/progress/", progress_views.progress_entry, name="progress"),
    path("evidence/<int:pk>/", progress_views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/remove/", progress_views.evidence_remove, name="evidence_remove"),
    path("review/", progress_views.review_queue, name="review"),
    path("review/<int:pk>/", progress_views.review_progress, name="review_progress"),
    path("plans/<int:pk>/status-reports/", progress_views.status_reports, name="status_reports"),
    path("status-reports/<int:pk>/", progress_views.status_report_detail, name="status_report"),
    # Plan import (workspace) and the CSV export of a plan.
    path("work/import/", import_views.upload, name="import_upload"),
    path("work/import/confirm/", import_views.confirm, name="import_confirm"),
    path("plans/<int:pk>/commitments.csv", import_views.export_csv, name="plan_csv"),
]
