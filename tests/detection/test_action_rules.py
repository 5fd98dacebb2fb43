"""Unit tests for the action rules: who issues a directive, one action per sentence,
maintenance framed as supply control, and events keyed on concrete actions."""

from __future__ import annotations

from datetime import UTC, datetime

from detection.classify import classify
from detection.events import EventIndex


def test_ministry_stating_an_action_is_a_directive():
    det = classify("发改委：今年将继续压减粗钢产量", "国家发展改革委表示，今年将继续压减粗钢产量。")
    assert det.relevant
    assert set(det.actions) == {"production_cut", "policy_guideline"}


def test_english_ministry_stating_an_action_is_a_directive():
    det = classify(
        "China's coal regulator orders checks on mines producing above capacity",
        "China's National Energy Administration ordered inspections of coal mines to find "
        "overproduction, according to a notice.",
        "en",
    )
    assert "inspection" in det.actions and "policy_guideline" in det.actions


def test_company_plan_or_pledge_is_not_a_directive():
    plan = classify(
        "Chinese polysilicon maker announces plans to cut output by a third",
        "A leading Chinese polysilicon maker announced plans to cut output by a third, "
        "citing prices below production cost.",
        "en",
    )
    assert plan.relevant and "policy_guideline" not in plan.actions
    pact = classify(
        "多家风电整机企业签署自律公约",
        "金风科技、明阳智能等12家整机企业共同签署自律公约，承诺不以低于成本价投标。",
    )
    assert pact.relevant and pact.actions == ("price_discipline",)


def test_headline_notice_counts_when_the_lead_names_the_issuer():
    det = classify(
        "湖北水泥夏季错峰生产通知下发",
        "湖北省建材行业协会日前下发通知，要求全省水泥熟料生产线7月停窑20天。",
    )
    assert "policy_guideline" in det.actions
    # the same headline with a company in the lead: no issuing body, no directive
    firm = classify("某水泥企业错峰生产通知下发", "海螺水泥公告，旗下熟料生产线7月停窑20天。")
    assert firm.relevant and "policy_guideline" not in firm.actions


def test_maintenance_counts_only_with_supply_control_intent():
    framed = classify(
        "箱板纸龙头停机检修", "多家箱板纸企业安排产线停机检修，此举意在控制产量、扭转价格战。"
    )
    assert framed.relevant and "production_cut" in framed.actions
    routine = classify(
        "某纸企年度检修停机一周", "某纸业公司一条文化纸产线进行年度检修，停机约7天。"
    )
    assert not routine.relevant


def test_repeated_action_words_do_not_bury_a_second_action():
    det = classify(
        "铅锌冶炼企业联合减产 停产 限产",
        "国内十余家铅锌冶炼企业达成共识，四季度起联合减产10%，并共同抵制恶意竞争。",
    )
    assert {"production_cut", "price_discipline"} <= set(det.actions)
    assert "policy_guideline" not in det.actions  # firms agreeing is not a directive


def test_sow_herd_cuts_are_capacity_exit_and_output_cut():
    det = classify(
        "两部门要求压减能繁母猪", "农业农村部召开会议，要求头部养殖企业压减能繁母猪存栏。"
    )
    assert {"capacity_exit", "production_cut", "policy_guideline"} <= set(det.actions)


def test_directives_ordering_different_actions_are_different_events():
    idx = EventIndex()
    when = datetime(2025, 11, 1, tzinfo=UTC)
    kiln_t = "河南水泥冬季错峰生产方案发布 11月起停窑"
    kiln_x = "河南省建材行业协会发布冬季错峰生产方案，全省水泥熟料生产线自11月15日起停窑。"
    audit_t = "水泥行业开展超产核查 违规产能将被关停"
    audit_x = "中国水泥协会开展水泥熟料产能核查，并推动违规产能关停退出。"
    kiln, audit = classify(kiln_t, kiln_x), classify(audit_t, audit_x)
    assert "policy_guideline" in kiln.actions and "policy_guideline" in audit.actions
    a = idx.assign("a", kiln_t, kiln_x, kiln, when)
    b = idx.assign("b", audit_t, audit_x, audit, when)
    assert a.event_id != b.event_id and b.is_new


def test_smelters_agreeing_together_is_a_cut_not_a_directive():
    det = classify(
        "中国铜原料联合谈判小组：2026年铜冶炼产能负荷降低10%以上",
        "中国铜原料联合谈判小组成员企业达成共识，2026年矿铜冶炼产能负荷降低10%以上，抵制恶意竞争。",
    )
    assert det.relevant and "production_cut" in det.actions
    assert "policy_guideline" not in det.actions


def test_suspending_capacity_replacement_is_a_directive_not_an_exit():
    det = classify(
        "工信部暂停钢铁产能置换工作",
        "工业和信息化部印发通知，自即日起暂停钢铁产能置换方案的公示公告。",
    )
    assert det.relevant and "policy_guideline" in det.actions
    assert "capacity_exit" not in det.actions


KILN_NOTICE = (
    "吉林省建筑材料工业协会发布通知，全省水泥熟料企业自6月1日起错峰停窑15天，"
    "停窑期间不得以任何理由生产熟料。各企业要加强行业自律，维护市场秩序。"
    "各集团、企业必须按照通知时间落实错峰停窑。"
    "今年以来，省内建筑工程开工不足，房地产新开工面积同比下降，基础设施项目资金到位偏慢，"
    "熟料库存持续处于高位，部分企业库容比超过八成，价格较年初回落明显，"
    "企业普遍反映经营压力较大，希望通过行业协同稳定市场预期。"
    "业内人士表示，东北地区冬季施工期短，全年需求集中在二三季度。"
)


def test_a_check_of_the_cut_it_enforces_is_an_inspection_however_late():
    """LABELING.md: inspection = checks that enforce output or capacity limits. The check
    sentence names the kiln stop it enforces, so it counts though the cut dominates."""
    det = classify(
        "吉林水泥熟料企业6月起错峰停窑15天",
        KILN_NOTICE + "协会将组织相关人员对全省水泥企业停窑情况进行监督检查。",
    )
    assert det.relevant and "production_cut" in det.actions
    assert "inspection" in det.actions


def test_a_late_check_of_something_else_is_not_reported():
    det = classify(
        "吉林水泥熟料企业6月起错峰停窑15天",
        KILN_NOTICE + "协会将组织相关人员对全省水泥企业安全生产进行监督检查。",
    )
    assert det.relevant and "production_cut" in det.actions
    assert "inspection" not in det.actions


def test_a_local_government_department_issues_directives():
    """A provincial department is a government body: its 指导意见 is a directive."""
    det = classify(
        "山西水泥熟料企业7月起错峰停产20天",
        "山西省经信委和环保厅联合发布《关于水泥熟料企业夏季错峰生产工作的指导意见》，"
        "全省水泥熟料生产线7月5日起实施错峰生产，共停产20天。",
    )
    assert det.relevant and "production_cut" in det.actions
    assert "policy_guideline" in det.actions
