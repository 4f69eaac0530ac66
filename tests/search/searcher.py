"""Another process that searches: reads one query per line on stdin and
answers, per line, the JSON list of the hit ids (started by
tests/search/test_visibility.py with the test database's DATABASE_URL)."""

import json
import os
import sys

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    from search.backends.contract import SearchQuery
    from search.backends.database import DatabaseBackend
    from search.backends.elasticsearch import ElasticsearchBackend

    backends = {"database": DatabaseBackend()}
    if os.environ.get("SEARCHER_ELASTICSEARCH_URL"):  # the test settings turn ELASTICSEARCH_URL off
        backends["elasticsearch"] = ElasticsearchBackend(
            os.environ["SEARCHER_ELASTICSEARCH_URL"], os.environ["SEARCHER_ELASTICSEARCH_INDEX"]
        )
    print("ready", flush=True)
    for line in sys.stdin:
        engine, _, text = line.rstrip("\n").partition(" ")
        result = backends[engine].search(SearchQuery(text=text, page_size=50))
        print(json.dumps([hit.pk for hit in result.hits]), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    main()
