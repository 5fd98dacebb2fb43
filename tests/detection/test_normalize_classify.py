"""Unit tests: normalisation, proximity rule, exclusions, figures, title weight."""

from __future__ import annotations

from datetime import datetime

from detection.classify import classify
from detection.figures import find_figures, find_month
from detection.normalize import detect_lang, normalize


def test_normalize_full_width_traditional_and_case():
    assert normalize("ＡＢＣ　１２３％") == "abc 123%"
    assert normalize("經濟觀察報 鋰電池") == "经济观察报 锂电池"
    assert normalize("  Steel\n\tOutput  ") == "steel output"


def test_normalize_strips_pinyin_glosses_only_after_cjk():
    assert normalize("經(jīng)濟(jì)觀察報(bào)") == "经济观察报"
    assert normalize("PTA(pta) 企业(de)") == "pta(pta) 企业"


def test_normalize_drops_quotes_touching_chinese_only():
    # Taiwan/HK 「」 and mainland “” scare quotes around a coined word hide the campaign term.
    assert normalize("中國政府反「內卷」出手干預") == "中国政府反内卷出手干预"
    assert normalize("整治“内卷式”竞争") == "整治内卷式竞争"
    assert normalize('He said "cut output" now') == 'he said "cut output" now'
    assert normalize("China’s “anti-involution” drive") == "china’s “anti-involution” drive"


def test_quoted_campaign_term_is_seen_by_the_rules():
    det = classify("電動車價格戰愈演愈烈 中國政府反「內卷」出手干預", "", "zh", model=None)
    assert det.rule_score is not None and det.rule_score > 0
    assert "反内卷" in {t for e in det.evidence for t in e.terms}


def test_detect_lang():
    assert detect_lang("光伏玻璃企业减产") == "zh"
    assert detect_lang("China cuts steel output") == "en"


def test_action_needs_sector_or_campaign_nearby():
    far = (
        "公司宣布减产。" + "今天天朗气清，市场交投平稳，投资者情绪稳定。" * 6 + "钢铁板块表现平稳。"
    )
    assert not classify("", far, "zh").relevant
    near = classify("钢铁企业宣布减产20%", "", "zh")
    assert near.relevant and near.sectors == ("steel",) and "production_cut" in near.actions


def test_weather_and_social_exclusions_suppress():
    assert not classify("小麦遭遇干旱 预计减产", "受干旱影响小麦减产一成。", "zh").relevant
    social = classify("年轻人反内卷", "职场年轻人拒绝内卷，反对加班。", "zh")
    assert not social.relevant


def test_expansion_news_is_not_relevant_but_negated_expansion_is_not_penalised():
    assert not classify("光伏组件项目开工建设 新增产能10GW", "预计明年投产。", "zh").relevant
    hog = classify("生猪产能调控：压减能繁母猪 严控新增产能", "", "zh")
    assert hog.relevant and hog.sectors == ("hog",)


def test_negated_action_does_not_count():
    assert not classify("车企表示暂无减产计划", "公司暂无减产计划。", "zh").relevant


def test_title_weighs_more_than_body():
    filler = "市场消息较多，行情整体平稳，成交量小幅放大，机构观点分化。" * 12
    in_title = classify("水泥企业错峰停窑", filler, "zh")
    in_body = classify("市场综述", filler + "水泥企业错峰停窑。", "zh")
    assert in_title.score > in_body.score
    assert in_title.relevant and not in_body.relevant


def test_english_inflections_and_campaign():
    d = classify("Chinese smelters agree to cut output by 10% next year", "", "en")
    assert d.relevant and d.sectors == ("nonferrous",) and "production_cut" in d.actions
    assert "10%" in d.figures


def test_opec_quota_story_is_not_an_alert():
    assert not classify(
        "OPEC+ agrees to deepen output cuts", "OPEC+ will cut output.", "en"
    ).relevant


def test_figures_and_month():
    figs = find_figures(["限产20%，核减631万吨/年，停窑15天"])
    assert figs == ["20%", "631万吨/年", "15天"]
    assert find_month(["7月6日起停窑"], datetime(2025, 6, 30)) == "2025-07"
    assert find_month(["in december"], datetime(2026, 1, 3)) == "2025-12"
    assert find_month(["prices may rise", "from july 2025"], None) == "2025-07"


def test_detection_reports_evidence_actors_and_json():
    d = classify("中国光伏行业协会倡议：不低于成本价销售", "协会呼吁企业加强行业自律。", "zh")
    assert d.relevant and "cpia" in d.actors and "pv" in d.sectors
    assert d.evidence and d.evidence[0].field == "title"
    assert "不低于成本价" in d.evidence[0].terms
    as_dict = d.to_dict()
    assert as_dict["sectors"] == list(d.sectors) and isinstance(as_dict["evidence"][0], dict)


def test_policy_without_sector_gets_other():
    d = classify("国务院常务会议：深入整治“内卷式”竞争", "", "zh")
    assert d.relevant and d.sectors == ("other",) and "policy_guideline" in d.actions


def test_classify_accepts_three_positional_args_and_no_lang():
    assert classify("钢厂减产", "钢铁企业减产", None).lang == "zh"


def test_producers_abroad_named_by_company_are_not_chinese_supply_discipline():
    abroad = "Alcoa to close or curtail 531,000 mt of smelting capacity"
    assert not classify(abroad, "", "en", model=None).relevant
    home = classify("China's aluminium smelters agree to curb output", "", "en", model=None)
    assert home.relevant


def test_trade_defence_is_not_lifted_by_naming_china():
    text = (
        "各国政府对中国的低价倾销行为发起反倾销和反补贴调查,钢铁、浮法玻璃过剩产能以低价销往国外。"
    )
    assert not classify("", text, "zh", model=None).relevant
    # the same export glut without a trade remedy is still read as supply news about China
    assert classify("", "中国钢铁行业整治低价倾销,压减粗钢产量。", "zh", model=None).relevant
