"""Language of a body: English recognised by its function words without the model, everything else by
py3langid; both give the model's answer."""

from __future__ import annotations

import pytest

from tasks.parse import language
from tasks.parse.language import UNDETERMINED, detect_language

SAMPLES = {
    "de": (
        "Die Regierung hat am Dienstag beschlossen, die Mittel für den Ausbau der Bahnstrecken deutlich "
        "zu erhöhen. Nach Angaben des Verkehrsministeriums sollen bis zum Jahr 2030 mehr als zehn "
        "Milliarden Euro in das Netz fließen, wie ein Sprecher in Berlin sagte."
    ),
    "fr": (
        "Le gouvernement a annoncé mardi une hausse importante des crédits destinés au réseau "
        "ferroviaire. Selon le ministère des Transports, plus de dix milliards d'euros seront investis "
        "d'ici 2030, a indiqué un porte-parole à Paris lors d'une conférence de presse."
    ),
    "es": (
        "El gobierno anunció el martes un aumento importante de los fondos destinados a la red "
        "ferroviaria. Según el ministerio de Transportes, se invertirán más de diez mil millones de euros"
        " hasta 2030, dijo un portavoz en Madrid durante una rueda de prensa."
    ),
    "nl": (
        "De regering heeft dinsdag besloten om het budget voor het spoor flink te verhogen. Volgens het "
        "ministerie van Verkeer wordt er tot 2030 meer dan tien miljard euro in het netwerk gestoken, zei"
        " een woordvoerder in Den Haag tegen verslaggevers."
    ),
    "pl": (
        "Rząd ogłosił we wtorek znaczne zwiększenie środków na sieć kolejową. Według ministerstwa "
        "transportu do 2030 roku w sieć zostanie zainwestowane ponad dziesięć miliardów euro, to "
        "powiedział rzecznik w Warszawie na konferencji prasowej."
    ),
    "da": (
        "Regeringen har tirsdag besluttet at øge budgettet for jernbanen markant. Ifølge "
        "Transportministeriet vil der frem til 2030 blive investeret mere end ti milliarder euro i "
        "nettet, for det sagde en talsmand i København til journalister."
    ),
}
ENGLISH = (
    "The government said on Tuesday that it would sharply raise the money set aside for the railway network. "
    "According to the transport ministry, more than ten billion euros will be invested in the network by "
    "2030, a spokesman told reporters in London."
)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_other_languages_go_to_the_model(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    import py3langid

    real = py3langid.classify
    monkeypatch.setattr(py3langid, "classify", lambda text: calls.append(text) or real(text))
    assert detect_language(SAMPLES[code]) == code
    assert calls, "a text in another language must be judged by the model"


def test_english_is_known_by_its_function_words_and_agrees_with_the_model() -> None:
    import py3langid

    assert detect_language(ENGLISH) == "en" == py3langid.classify(ENGLISH[: language._SAMPLE_CHARS])[0]


def test_a_few_english_words_in_another_language_do_not_make_it_english() -> None:
    quoted = 'Die Band spielte "The Best of the Year and the Rest" in Berlin. ' + SAMPLES["de"]
    assert detect_language(quoted) == "de"


def test_no_letters_is_undetermined() -> None:
    assert detect_language("2 - 1 (3 - 0) 45' 90+2'") == UNDETERMINED
