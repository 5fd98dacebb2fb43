"""Slugs live once (detection/lexicon.toml) with names in Chinese and English; alerts, the bot
menus and the CLI show those names, never a bare slug such as `muyuan` or `samr`."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from alerts import labels
from alerts.payload import AlertPayload
from alerts.render import render_alert_html, render_digest_html
from detection import vocabulary
from detection.classify import classify
from detection.lexicon import load_lexicon
from detection.vocabulary import Kind, build_vocabulary

GUIDE = Path(__file__).resolve().parents[3] / "shared" / "LABELING.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def lexicon_data() -> dict:
    return tomllib.loads(resources.files("detection").joinpath("lexicon.toml").read_text("utf-8"))


def test_every_slug_has_a_chinese_and_an_english_name() -> None:
    data = lexicon_data()
    voc = vocabulary.vocabulary()
    tables: tuple[tuple[Kind, str], ...] = (
        ("sector", "sectors"),
        ("action", "actions"),
        ("actor", "actors"),
    )
    for kind, table in tables:
        terms = voc.of(kind)
        assert [t.slug for t in terms] == list(data[table]), kind
        for t in terms:
            assert CJK.search(t.zh), (t.slug, t.zh)
            assert t.en and not CJK.search(t.en) and t.en != t.slug, (t.slug, t.en)


def test_display_label_and_unknown_slugs() -> None:
    assert vocabulary.display("muyuan", "zh") == "牧原等生猪养殖龙头"
    assert vocabulary.display("samr", "en") == "SAMR (market regulator)"
    assert vocabulary.display("pv_glass", "zh") == "光伏玻璃"
    assert vocabulary.label("production_cut") == "Production cut 减产"
    assert vocabulary.display("no_such_slug", "zh") == "no_such_slug"
    # a slug is looked up in its own kind when given
    assert vocabulary.term("glass", "sector") is not None
    assert vocabulary.term("glass", "actor") is None


def test_people_words_resolve_to_slugs() -> None:
    assert vocabulary.resolve("钢铁", "sector") == "steel"
    assert vocabulary.resolve("Steel", "sector") == "steel"
    assert vocabulary.resolve("pv_glass", "sector") == "pv_glass"
    assert vocabulary.resolve("减产", "action") == "production_cut"
    assert vocabulary.resolve("浮法玻璃", "sector") == "glass"
    assert vocabulary.resolve("nonsense", "sector") is None
    assert vocabulary.resolve("  ", "action") is None


def test_bot_labels_are_read_from_the_lexicon() -> None:
    assert list(labels.SECTORS) == [t.slug for t in vocabulary.sectors()]
    assert list(labels.ACTIONS) == [t.slug for t in vocabulary.actions()]
    assert labels.SECTORS["pv_glass"] == "PV glass 光伏玻璃"
    assert labels.actor_label("cisa") == "China Iron and Steel Association 中国钢铁工业协会"


def test_an_entry_without_names_shows_its_slug() -> None:
    voc = build_vocabulary({"sectors": {"tin": {"zh": ["锡"]}}, "actions": {}, "actors": {}})
    assert voc.sectors[0].name("zh") == voc.sectors[0].name("en") == "tin"
    assert voc.sectors[0].label == "tin"


def test_alerts_show_actor_and_sector_names_not_slugs() -> None:
    det = classify(
        "市场监管总局约谈牧原等生猪养殖企业 要求调减能繁母猪存栏",
        "市场监管总局近日约谈牧原股份、温氏股份等生猪养殖企业，要求调减能繁母猪存栏，遏制生猪产能过剩。",
    )
    assert det.relevant and {"samr", "muyuan"} <= set(det.actors)
    payload = AlertPayload.of(
        det,
        headline="市场监管总局约谈生猪养殖企业",
        source_key="cls",
        source_name="财联社",
        tier="wire",
        url="https://www.cls.cn/detail/1",
        article_id=1,
        published_at=None,
        event_id="hog-capacity_exit-2026-08-abcdef",
    )
    text = render_alert_html(payload)
    actors_line = next(line for line in text.splitlines() if line.startswith("Actors: "))
    assert "SAMR (market regulator) 市场监管总局" in actors_line
    assert "Muyuan and peer hog farmers 牧原等生猪养殖龙头" in actors_line
    assert not re.search(r"\b(samr|muyuan)\b", actors_line)
    assert "Hogs 生猪" in text.splitlines()[0]
    digest = render_digest_html([(payload, 2)])
    assert "Hogs 生猪" in digest and "hog ·" not in digest


def test_every_actor_a_detection_can_name_has_a_name() -> None:
    names = {t.slug for t in vocabulary.actors()}
    assert set(load_lexicon().actor_kind) == names


def test_sector_slugs_are_the_labelling_guide_slugs() -> None:
    if not GUIDE.exists():
        pytest.skip(f"the labelling guide is not here ({GUIDE}); the slugs cannot be compared")
    text = GUIDE.read_text("utf-8")
    section = text.split("## Sectors (slugs)", 1)[1].split("##", 1)[0]
    guide = re.findall(r"(?:^|[,\s])([a-z_]+)(?= \(|,|\.)", section)
    guide_slugs = [s for s in guide if s in {t.slug for t in vocabulary.sectors()} or "_" in s]
    assert set(guide_slugs) <= {t.slug for t in vocabulary.sectors()}
    assert {"pv", "pv_glass", "iron_ore", "soda_ash", "platform", "other"} <= set(guide_slugs)
