from bench.folds import fold_of, site_of, split


def test_a_group_keeps_its_fold_and_every_item_is_scored_once():
    sites = [f"site{i}.example" for i in range(40)]
    items = [(s, n) for s in sites for n in range(3)]
    scored = []
    for fold, fit, held in split(items, lambda x: x[0]):
        assert not {s for s, _ in fit} & {s for s, _ in held}  # no site on both sides
        assert all(fold_of(s) == fold for s, _ in held)
        scored += held
    assert sorted(scored) == sorted(items)
    assert fold_of("site3.example") == fold_of("site3.example")
    assert len({fold_of(s) for s in sites}) == 5


def test_site_of_drops_scheme_www_port_and_path():
    assert site_of("https://www.Example.com:8080/a/b?c") == "example.com"
    assert site_of("http://news.example.org") == "news.example.org"
