"""Charts read like the rest of the report: whole numbers on count axes, ticks in the reader's number format."""

from django.utils import translation
from matplotlib import pyplot as plt

from office.reports.pdf import bar_chart_figure


def _ticks(series, language):
    with translation.override(language):
        figure = bar_chart_figure("t", ["a", "b"], series)
        figure.canvas.draw()
        labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        plt.close(figure)
    return labels


def test_a_count_axis_has_only_whole_numbers():
    labels = _ticks({"alerts": [1, 3]}, "en")
    assert labels and all(label.replace(",", "").lstrip("-").isdigit() for label in labels), labels


def test_ticks_follow_the_czech_number_format():
    labels = _ticks({"faces": [1500, 30000]}, "cs")
    assert any("\xa0" in label or " " in label for label in labels), labels  # thousands separated, Czech style
    assert not any("," in label or "." in label for label in labels), labels
    rates = _ticks({"rate": [0.25, 0.75]}, "cs")
    assert any("," in label for label in rates) and not any("." in label for label in rates), rates
