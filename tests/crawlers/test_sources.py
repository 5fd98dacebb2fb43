import pytest

from crawlers.sources import SourceError, builtin_sources, load_sources

MINIMAL_RSS = """
[[source]]
key = "example_rss"
name = "Example feed"
kind = "rss"
url = "http://127.0.0.1:8123/feed.xml"
lang = "zh"
interval = 5
"""


def test_builtin_list_has_cls_with_its_documented_endpoint():
    cls = builtin_sources()["cls"]
    assert cls.url == "https://www.cls.cn/v1/roll/get_roll_list"
    assert cls.tier == "wire" and cls.spider_name == "cls" and cls.enabled


def test_extra_file_adds_and_overrides(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text(
        MINIMAL_RSS + '\n[[source]]\nkey = "cls"\nname = "CLS local"\nkind = "spider"\n'
        'url = "http://127.0.0.1:1/v1/roll/get_roll_list"\ninterval = 30\n',
        "utf-8",
    )
    sources = load_sources(extra)
    assert sources["example_rss"].interval == 5 and sources["example_rss"].enabled
    assert sources["cls"].url.startswith("http://127.0.0.1:1/")
    assert sources["cls"].name == "CLS local"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('key = "x"\nname = "X"\nkind = "rss"\nurl = "ftp://x"\ninterval = 5', "field url"),
        ('key = "x"\nname = "X"\nkind = "nope"\nurl = "http://x"\ninterval = 5', "field kind"),
        ('key = "x"\nname = "X"\nkind = "rss"\nurl = "http://x"', "interval"),
        (
            'key = "x"\nname = "X"\nkind = "rss"\nurl = "http://x"\ninterval = 5\ncolour = 1',
            "field colour",
        ),
    ],
)
def test_errors_name_the_file_the_entry_and_the_field(tmp_path, entry, expected):
    bad = tmp_path / "bad.toml"
    bad.write_text(f"[[source]]\n{entry}\n", "utf-8")
    with pytest.raises(SourceError) as err:
        load_sources(bad)
    message = str(err.value)
    assert str(bad) in message and "entry 1 (key='x')" in message and expected in message


def test_broken_toml_and_missing_file_are_reported(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[source]\nkey=", "utf-8")
    with pytest.raises(SourceError, match="not valid TOML"):
        load_sources(broken)
    with pytest.raises(SourceError, match="cannot read"):
        load_sources(tmp_path / "absent.toml")
