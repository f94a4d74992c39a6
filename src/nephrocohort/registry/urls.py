"""URL routes (filled in with the views)."""

urlpatterns: list = []
