"""An Atom feed of newly published case studies (live and public only)."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

FEED_SIZE = 30


class LatestPracticesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Solidarity Cities Exchange: new practices")
    subtitle = _("Case studies of Social and Solidarity Economy practices, newest first.")

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def link(self):
        return self.index_page.url

    def items(self):
        return self.index_page.practices()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.city.title if item.city else None

    def item_categories(self, item):
        return [challenge.name for challenge in item.challenges.all()]
