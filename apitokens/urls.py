from django.urls import path

from . import views

app_name = "apitokens"
urlpatterns = [
    path("", views.docs, name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="revoke"),
    path("schema/swagger-ui/", views.swagger_ui, name="swagger-ui"),
    path("schema/redoc/", views.redoc, name="redoc"),
]
