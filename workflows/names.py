"""Names shared by workflows, activities and clients: activity names, ids, signals."""

LIGHT_QUEUE = "trendforge"


class Act:
    """Activity names (the activities package registers functions under these)."""

    record_stage = "record_stage"
    record_milestone = "record_milestone"
    notify = "notify"
    design_variants = "design_variants"
    record_selection = "record_selection"
    prepare_prototype = "prepare_prototype"
    match_suppliers = "match_suppliers"
    release_reservations = "release_reservations"
    plan_production = "plan_production"
    record_plan_review = "record_plan_review"
    record_run = "record_run"
    record_progress = "record_progress"
    record_progress_batch = "record_progress_batch"
    record_shipment = "record_shipment"
    scan_trend_feed = "scan_trend_feed"


def trend_workflow_id(trend_id: int) -> str:
    return f"trend-{trend_id}"


def prototype_workflow_id(trend_id: int) -> str:
    return f"trend-{trend_id}-prototype"


def run_workflow_id(trend_id: int) -> str:
    return f"trend-{trend_id}-run"


TREND_WATCH_SCHEDULE_ID = "trend-watch"
