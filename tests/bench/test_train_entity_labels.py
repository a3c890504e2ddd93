"""The relabeller experiment's own logic: a name's class from the gold, and a fit that learns it."""

from __future__ import annotations

from collections import Counter

from bench.entity_relabel import as_label, predict
from bench.train_entity_labels import Named, fit, relabelled, target


class _Row:
    def __init__(self, text: str, canonical: str, label: str) -> None:
        self.text, self.canonical, self.label, self.field = text, canonical, label, "body"


def test_a_name_s_class_is_its_mentions_gold_type_or_none() -> None:
    gold = Counter({("jane doe", "PER"): 1, ("doe", "PER"): 1, ("euro", "MISC"): 1})
    assert target(Named("1", "Jane Doe", "ORG", (("Jane Doe", "ORG"), ("Doe", "ORG")), {}), gold) == "PERSON"
    assert target(Named("1", "Euro", "ORG", (("Euro", "ORG"),), {}), gold) == "NONE"
    assert target(Named("1", "Acme", "ORG", (("Acme", "ORG"),), {}), gold) == "NONE"


def test_the_fit_learns_a_feature_that_decides_the_class_and_relabels_or_drops() -> None:
    names, gold = [], {}
    for i in range(30):
        person = i % 2 == 0
        doc, text = str(i), f"Name{i}"
        gold[doc] = Counter({(text.lower(), "PER")}) if person else Counter()
        f = {"bias": 1.0, "titled": float(person), "label=ORG": 1.0}
        names.append(Named(doc, text, "ORG", ((text, "ORG"),), f))
    model = fit(names, gold)
    assert predict(model, {"bias": 1.0, "titled": 1.0, "label=ORG": 1.0}) == "PERSON"
    assert predict(model, {"bias": 1.0, "label=ORG": 1.0}) == "NONE"
    by_doc = {n.doc: [_Row(n.canonical, n.canonical, "ORG")] for n in names}
    found = relabelled(by_doc, names, model, {"0", "1"})
    assert found == {"0": [("Name0", "PERSON")], "1": []}
    assert as_label("GPE", "LOC") == "LOC" and as_label("NONE", "ORG") is None
