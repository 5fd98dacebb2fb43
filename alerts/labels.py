"""Words for the slugs of ../shared/LABELING.md, as analysts read them in an alert."""

SECTORS = {
    "pv": "Photovoltaics 光伏",
    "polysilicon": "Polysilicon 多晶硅",
    "pv_glass": "PV glass 光伏玻璃",
    "steel": "Steel 钢铁",
    "iron_ore": "Iron ore 铁矿石",
    "coal": "Coal 煤炭",
    "cement": "Cement 水泥",
    "glass": "Float glass 浮法玻璃",
    "soda_ash": "Soda ash 纯碱",
    "lithium": "Lithium & batteries 锂电",
    "ev": "EVs & autos 新能源汽车",
    "hog": "Hogs 生猪",
    "chemicals": "Chemicals 化工",
    "nonferrous": "Nonferrous metals 有色",
    "paper": "Paper 造纸",
    "refining": "Refining 炼化",
    "wind": "Wind power 风电",
    "express": "Express delivery 快递",
    "platform": "Platforms 平台",
    "shipping": "Shipping 航运",
    "other": "Other / cross-sector",
}

ACTIONS = {
    "production_cut": "Production cut 减产",
    "capacity_exit": "Capacity exit 去产能",
    "price_discipline": "Price discipline 价格自律",
    "policy_guideline": "Policy guideline 政策指导",
    "inspection": "Inspection 核查",
}

TIERS = {"official": "official", "association": "association", "wire": "wire", "media": "media"}


def sector_label(slug: str) -> str:
    return SECTORS.get(slug, slug)


def action_label(slug: str) -> str:
    return ACTIONS.get(slug, slug)
