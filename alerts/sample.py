"""A representative alert payload (as the detector writes it), for previews and benchmarks."""

SAMPLE_PAYLOAD = {
    "event_id": "pv_glass-production_cut-2026-08-3f9c1a",
    "headline": "光伏玻璃龙头企业集体减产30%，行业“反内卷”再加码",
    "sectors": ["pv_glass"],
    "actions": ["production_cut"],
    "actors": ["flat_glass", "xinyi_solar"],
    "figures": ["30%"],
    "evidence": [
        {
            "field": "title",
            "sentence": "光伏玻璃龙头企业集体减产30%，行业“反内卷”再加码",
            "terms": ["光伏玻璃", "减产", "反内卷"],
        }
    ],
    "score": 0.93,
    "source_key": "cls",
    "source_name": "财联社 电报",
    "tier": "wire",
    "url": "https://www.cls.cn/detail/2461000",
    "article_id": 1,
    "published_at": "2026-08-21T08:13:20+00:00",
}
