from practices.factories import CaseStudyPageFactory, ChallengeFactory


def test_case_study_takes_city_from_parent(site_tree):
    challenge = ChallengeFactory(name="Youth unemployment")
    page = CaseStudyPageFactory(parent=site_tree["dublin"], challenges=[challenge])
    page.refresh_from_db()
    assert page.city == site_tree["dublin"].page_ptr.specific
    assert page.country.code == "IE"
