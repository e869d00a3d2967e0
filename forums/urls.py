from django.urls import path

from . import views

app_name = "forums"
# A member's calendar shows compliance deadlines: it is the site's (ogp_portal/pages.py), added to this
# namespace ("forums:member_calendar") by ogp_portal/urls.py.
urlpatterns = [
    path("secretariat/", views.secretariat_home, name="secretariat"),
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("<int:pk>/", views.forum_detail, name="forum"),
    path("<int:pk>/calendar.ics", views.forum_calendar, name="calendar"),
    path("<int:pk>/contacts/", views.contacts, name="contacts"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/meetings/<int:meeting_id>/reschedule/", views.meeting_reschedule, name="reschedule"),
    path("<int:pk>/meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/meetings/<int:meeting_id>/invite/", views.meeting_invite, name="invite"),
    path("<int:pk>/meetings/<int:meeting_id>/record/", views.meeting_record, name="record"),
    path("<int:pk>/meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/meetings/<int:meeting_id>/minutes/file/", views.minutes_file, name="minutes_file"),
    path("<int:pk>/meetings/<int:meeting_id>/approve/", views.meeting_approve, name="approve"),
    path("<int:pk>/meetings/<int:meeting_id>/publish/", views.meeting_publish, name="publish"),
    path("<int:pk>/meetings/<int:meeting_id>/decisions/", views.decision_add, name="decision_add"),
    path("<int:pk>/meetings/<int:meeting_id>/actions/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:item_id>/", views.action_status, name="action_status"),
]
