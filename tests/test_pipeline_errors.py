from crawlers.pipelines import count_errors


def test_errors_are_this_crawls_own_not_the_process_wide_error_log_count():
    stats = {
        "log_count/ERROR": 7,  # other crawls in the same process log ERRORs too
        "capwatch/api_errors": 1,
        "capwatch/parse_errors": 2,
        "retry/max_reached": 1,
        "capwatch/http_errors": 4,  # every 5xx attempt; reported in its own column
    }
    assert count_errors(stats, invalid_items=3) == 7
    assert count_errors({}, invalid_items=0) == 0
