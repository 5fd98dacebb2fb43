"""Synthetic news for bench_search.py: Chinese and English articles about sector actions.

Built from our own vocabulary (sectors, actions, companies, issuing bodies, market words) and
sentence templates, with term frequencies spread from very common (光伏, 减产) to rare (a few
place names and product codes injected into a small share of articles), so the benchmark
queries cover frequent, medium and rare terms the way a real archive does.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

SECTORS_ZH = [
    "光伏",
    "光伏玻璃",
    "多晶硅",
    "工业硅",
    "锂电池",
    "储能电池",
    "钢铁",
    "粗钢",
    "水泥",
    "平板玻璃",
    "煤炭",
    "焦炭",
    "电解铝",
    "氧化铝",
    "化纤",
    "涤纶长丝",
    "造纸",
    "生猪",
    "乳制品",
    "新能源汽车",
    "纯碱",
    "有机硅",
    "稀土",
    "石化",
    "炼油",
    "面板",
    "风电",
    "硅片",
    "电池片",
    "组件",
]
ACTIONS_ZH = [
    "减产",
    "限产",
    "停产检修",
    "产能退出",
    "淘汰落后产能",
    "控制产量",
    "联合减产",
    "价格自律",
    "反内卷",
    "行业自律公约",
    "产能调控",
    "能耗双控",
    "减产保价",
    "暂停新增产能",
    "错峰生产",
]
COMPANIES_ZH = [
    "隆基绿能",
    "通威股份",
    "协鑫科技",
    "大全能源",
    "信义光能",
    "福莱特",
    "宁德时代",
    "比亚迪",
    "宝钢股份",
    "海螺水泥",
    "中国神华",
    "中国铝业",
    "天合光能",
    "晶科能源",
    "晶澳科技",
    "TCL中环",
    "亿纬锂能",
    "恒逸石化",
    "荣盛石化",
    "华润水泥",
    "冀东水泥",
    "鞍钢股份",
    "河钢股份",
    "沙钢集团",
    "金晶科技",
    "旗滨集团",
    "新疆大全",
    "东方希望",
    "亚洲硅业",
    "合盛硅业",
    "牧原股份",
    "温氏股份",
    "伊利股份",
    "蒙牛乳业",
    "京东方",
    "华友钴业",
    "赣锋锂业",
    "天齐锂业",
    "万华化学",
    "桐昆股份",
]
BODIES_ZH = [
    "工信部",
    "国家发改委",
    "中国光伏行业协会",
    "中国钢铁工业协会",
    "市场监管总局",
    "国务院常务会议",
    "中国水泥协会",
    "中国有色金属工业协会",
    "国家能源局",
    "中央财经委员会",
]
MARKET_ZH = [
    "期货主力合约",
    "现货报价",
    "库存",
    "开工率",
    "毛利率",
    "亏损面",
    "出货量",
    "订单",
    "同比",
    "环比",
    "涨停",
    "跌停",
    "成交额",
    "市场情绪",
    "供需格局",
    "价格中枢",
    "排产",
    "产业链",
]
FILLER_ZH = [
    "业内人士表示，这一举措有助于缓解行业内卷式竞争。",
    "分析师认为，短期内价格仍将承压，但中长期供需格局有望改善。",
    "记者从多家企业了解到，近期订单情况较为平稳。",
    "市场人士指出，政策落地节奏仍需进一步观察。",
    "数据显示，今年以来行业整体盈利水平明显下滑。",
    "多位受访者称，此次调整将对下游采购产生一定影响。",
    "据不完全统计，已有超过十家企业响应倡议。",
    "此前，相关部门多次召开座谈会，听取企业意见。",
]
RARE_ZH = [  # (term, share of articles that mention it)
    ("鄂尔多斯", 0.004),
    ("包头", 0.003),
    ("乌海", 0.002),
    ("曲靖", 0.001),
    ("N型TOPCon", 0.002),
    ("异质结", 0.001),
    ("钙钛矿", 0.0005),
    ("颗粒硅", 0.0005),
    ("石英砂", 0.0003),
    ("钨精矿", 0.0002),
    ("电石", 0.0002),
    ("萤石", 0.0001),
    ("锑锭", 0.00005),
]
SECTORS_EN = [
    "solar",
    "polysilicon",
    "PV glass",
    "lithium battery",
    "steel",
    "cement",
    "coal",
    "aluminium",
    "alumina",
    "chemical fibre",
    "paper",
    "hog",
    "dairy",
    "electric vehicle",
    "soda ash",
]
ACTIONS_EN = [
    "output cut",
    "production cut",
    "capacity exit",
    "price discipline",
    "anti-involution",
    "self-discipline pact",
    "maintenance shutdown",
    "capacity control",
]
COMPANIES_EN = [
    "LONGi",
    "Tongwei",
    "GCL Tech",
    "Daqo",
    "Xinyi Solar",
    "Flat Glass",
    "CATL",
    "BYD",
    "Baosteel",
    "Anhui Conch",
    "China Shenhua",
    "Chalco",
    "Trina Solar",
    "JinkoSolar",
    "JA Solar",
]
BODIES_EN = [
    "MIIT",
    "NDRC",
    "the China Photovoltaic Industry Association",
    "the State Council",
    "the China Iron and Steel Association",
    "SAMR",
]
RARE_EN = [
    ("Ordos", 0.002),
    ("Baotou", 0.001),
    ("TOPCon", 0.001),
    ("perovskite", 0.0003),
    ("tungsten", 0.0001),
]

T_ZH = [
    "{c}公告称，受{s}行业供需失衡影响，公司决定{a}，预计影响产量{n}%。",
    "{b}召开{s}行业座谈会，要求企业{a}，坚决遏制低价无序竞争。",
    "{s}{m}继续走弱，{c}等龙头企业宣布{a}。",
    "据{b}消息，{s}行业将推进{a}，涉及产能约{n}万吨。",
    "{c}相关负责人表示，公司已{a}{n}%，{s}价格有望企稳。",
    "{s}板块午后拉升，{c}{m}走高，市场传言行业将{a}。",
    "{b}发布通知，部署{s}领域{a}工作，严禁新增产能。",
    "今年前{k}个月，{s}产量同比下降{n}%，{m}回落。",
]
T_EN = [
    "{c} said it would {a_v} {s} output by {n}% from next month.",
    "{b} urged {s} producers to join an {a}, according to people familiar with the matter.",
    "Shares of {c} rose after reports of a {s} {a} across the industry.",
    "{s} prices fell for a {k}th week as inventories piled up, traders said.",
    "Analysts expect the {a} to tighten {s} supply in the second half.",
]
FILLER_EN = [
    "The move is part of Beijing's campaign against disorderly low-price competition.",
    "Industry margins have been negative for most of the year.",
    "It was not immediately clear how long the measures would last.",
]
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3 * 365


def _zipf(words: list[str]) -> tuple[list[str], list[float]]:
    """Rank-frequency weights 1/rank, like real coverage: a few sectors dominate."""
    weights, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        weights.append(total)
    return words, weights


_Z = {
    name: _zipf(words)
    for name, words in {
        "s": SECTORS_ZH,
        "a": ACTIONS_ZH,
        "c": COMPANIES_ZH,
        "se": SECTORS_EN,
        "ae": ACTIONS_EN,
        "ce": COMPANIES_EN,
    }.items()
}


def _draw(rng: random.Random, name: str) -> str:
    words, cum = _Z[name]
    return rng.choices(words, cum_weights=cum)[0]


def _topic(rng: random.Random, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: _draw(rng, k) for k in keys}


def _on_topic(rng: random.Random, topic: dict[str, str], key: str) -> str:
    """Most sentences of an article stay on its topic; some mention neighbours."""
    return topic[key] if rng.random() < 0.8 else _draw(rng, key)


def _zh_sentence(rng: random.Random, t: dict[str, str]) -> str:
    return rng.choice(T_ZH).format(
        c=_on_topic(rng, t, "c"),
        s=_on_topic(rng, t, "s"),
        a=_on_topic(rng, t, "a"),
        b=rng.choice(BODIES_ZH),
        m=rng.choice(MARKET_ZH),
        n=rng.randint(5, 40),
        k=rng.randint(2, 11),
    )


def _en_sentence(rng: random.Random, t: dict[str, str]) -> str:
    return rng.choice(T_EN).format(
        c=_on_topic(rng, t, "ce"),
        s=_on_topic(rng, t, "se"),
        a=_on_topic(rng, t, "ae"),
        a_v=rng.choice(["cut", "curb", "reduce"]),
        b=rng.choice(BODIES_EN),
        n=rng.randint(5, 40),
        k=rng.randint(2, 9),
    )


def _rare(rng: random.Random, rare: list[tuple[str, float]]) -> list[str]:
    return [term for term, share in rare if rng.random() < share]


def article(rng: random.Random) -> tuple[str, str, str, datetime]:
    """(title, body, lang, published_at) of one synthetic article."""
    when = START + timedelta(seconds=rng.random() * SPAN_DAYS * 86400)
    if rng.random() < 0.8:
        t = _topic(rng, ("s", "a", "c"))
        title = _zh_sentence(rng, t).split("，")[0].rstrip("。")
        parts = [
            _zh_sentence(rng, t) if rng.random() < 0.7 else rng.choice(FILLER_ZH)
            for _ in range(rng.randint(6, 16))
        ]
        for term in _rare(rng, RARE_ZH):
            parts.insert(rng.randrange(len(parts) + 1), f"{term}地区多家企业同步调整生产计划。")
        return title, "".join(parts), "zh", when
    t = _topic(rng, ("se", "ae", "ce"))
    title = _en_sentence(rng, t).rstrip(".")
    parts = [
        _en_sentence(rng, t) if rng.random() < 0.7 else rng.choice(FILLER_EN)
        for _ in range(rng.randint(4, 10))
    ]
    for term in _rare(rng, RARE_EN):
        parts.insert(rng.randrange(len(parts) + 1), f"Producers in {term} also trimmed runs.")
    return title, " ".join(parts), "en", when


def articles(rows: int, seed: int = 7) -> Iterator[tuple[str, str, str, datetime]]:
    rng = random.Random(seed)
    for _ in range(rows):
        yield article(rng)
