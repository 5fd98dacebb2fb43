from crawlers.context import count_errors


def test_errors_are_this_crawls_own_not_the_process_wide_error_log_count():
    stats = {
        "log_count/ERROR": 7,  # other crawls in the same process log ERRORs too
        "capwatch/api_errors": 1,
        "capwatch/parse_errors": 2,
        "capwatch/request_failures": 1,  # given up for the network, once per request
        "retry/max_reached": 1,  # the same request, as Scrapy counts it: not twice
        "capwatch/http_errors": 4,  # every 5xx attempt; reported in its own column
    }
    assert count_errors(stats, invalid_items=3) == 7
    assert count_errors({}, invalid_items=0) == 0
    dead = {"capwatch/http_failures": 1, "capwatch/redirect_loops": 1, "capwatch/no_entries": 1}
    assert count_errors(dead, invalid_items=0) == 3  # a 404, a redirect loop, an empty feed
