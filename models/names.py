"""Every name that crosses a process boundary, defined once: task queues and which activity runs
on which, activity, workflow, Update, signal and query names, workflow ids, search attributes and
the types of domain errors.

The API, the workflows, the activities and the shell all import this module and nothing imports
back: it holds strings, one enum and two search-attribute keys.
"""

from __future__ import annotations

from enum import StrEnum

from temporalio.common import SearchAttributeKey

# ---------------------------------------------------------------------------- task queues

LIGHT_QUEUE = "trendforge"  # workflows, bookkeeping, sourcing, trend watch
CPU_QUEUE = "trendforge-cpu"  # meshes, slicing, scheduling
FEED_MERCHANT = "trend-feed"  # the merchant id of ideas from trend signals and feeds


class Queue(StrEnum):
    """The two kinds of worker; the queue names themselves are settings (LIGHT_QUEUE, CPU_QUEUE)."""

    light = "light"
    cpu = "cpu"


# ---------------------------------------------------------------------------- activities


class Act:
    """Activity names (the activities register their functions under these)."""

    record_stage = "record_stage"
    record_milestone = "record_milestone"
    notify = "notify"
    design_variants = "design_variants"
    record_selection = "record_selection"
    prepare_prototype = "prepare_prototype"
    check_compliance = "check_compliance"
    record_compliance_gate = "record_compliance_gate"
    match_suppliers = "match_suppliers"
    release_reservations = "release_reservations"
    plan_production = "plan_production"
    plan_what_if = "plan_what_if"
    record_plan_review = "record_plan_review"
    record_run = "record_run"
    record_progress_batch = "record_progress_batch"
    record_shipment = "record_shipment"
    plan_delivery = "plan_delivery"
    record_consignment = "record_consignment"
    plan_reship = "plan_reship"
    scan_trend_feed = "scan_trend_feed"
    start_pipelines = "start_pipelines"
    propose_portfolio_replan = "propose_portfolio_replan"
    apply_portfolio_replan = "apply_portfolio_replan"


# Which worker runs each activity: the workers register by it, the workflows route by it.
ACTIVITY_QUEUE: dict[str, Queue] = {
    Act.record_stage: Queue.light,
    Act.record_milestone: Queue.light,
    Act.notify: Queue.light,
    Act.record_selection: Queue.light,
    Act.design_variants: Queue.cpu,
    Act.prepare_prototype: Queue.cpu,
    Act.check_compliance: Queue.cpu,  # reads a variant's GLB and runs the cylinder test
    Act.record_compliance_gate: Queue.light,
    Act.match_suppliers: Queue.light,
    Act.release_reservations: Queue.light,
    Act.plan_production: Queue.cpu,  # first plans and replans alike
    Act.plan_what_if: Queue.cpu,
    Act.record_plan_review: Queue.light,
    Act.record_run: Queue.light,
    Act.record_progress_batch: Queue.light,
    Act.record_shipment: Queue.light,
    Act.plan_delivery: Queue.cpu,  # reads the design's mesh
    Act.record_consignment: Queue.light,
    Act.plan_reship: Queue.cpu,  # packs the design's mesh again
    Act.scan_trend_feed: Queue.light,
    Act.start_pipelines: Queue.light,
    Act.propose_portfolio_replan: Queue.cpu,  # every idea's not-started lots placed again
    Act.apply_portfolio_replan: Queue.light,
}


# ---------------------------------------------------------------------------- workflows


class Wf:
    """Workflow type names."""

    trend_to_production = "TrendToProduction"
    prototype_preparation = "PrototypePreparation"
    production_run = "ProductionRun"
    trend_watch = "TrendWatch"
    what_if = "WhatIf"
    consignment_delivery = "ConsignmentDelivery"
    portfolio_replan = "PortfolioReplan"


class Update:
    """Workflow Update names (the API calls them through the workflow methods)."""

    select_variant = "select_variant"
    review_plan = "review_plan"
    review_replan = "review_replan"
    submit_lab_report = "submit_lab_report"
    waive_compliance = "waive_compliance"
    reship = "reship"
    decide_portfolio_replan = "decide_portfolio_replan"


class Signal:
    """Workflow signal names."""

    report_progress = "report_progress"
    report_shift = "report_shift"
    production_progress = "production_progress"
    carrier_event = "carrier_event"
    consignment_done = "consignment_done"
    adopt_plan = "adopt_plan"


class Patch:
    """Workflow patch ids (workflow.patched): a change of commands that replays old histories."""

    keep_late_reports = "run-keeps-late-reports"  # ProductionRun: no continue-as-new over reports
    compliance_stage = (
        "compliance-stage"  # TrendToProduction: the compliance stage after the prototype
    )
    leg_records_each_event = "leg-records-each-event"  # ConsignmentDelivery: where it is
    leg_tells_pipeline = "leg-tells-pipeline"  # ConsignmentDelivery: signal the pipeline at the end
    pipeline_awaits_legs = "pipeline-awaits-legs"  # TrendToProduction: in transit → delivered
    replan_tells = "replan-tells-pipelines"  # PortfolioReplan: adopt_plan signals
    # ProductionRun: an adopted plan drops the slippage replan awaiting review
    replan_supersedes = "adopted-plan-supersedes-replan"


class Query:
    """Workflow query names."""

    status = "status"
    progress = "progress"
    step = "step"
    consignment = "consignment"
    portfolio_replan = "portfolio_replan"


def trend_workflow_id(trend_id: int) -> str:
    return f"trend-{trend_id}"


def prototype_workflow_id(trend_id: int) -> str:
    return f"trend-{trend_id}-prototype"


def run_workflow_id(trend_id: int) -> str:
    return f"trend-{trend_id}-run"


def consignment_workflow_id(consignment_id: int) -> str:
    return f"consignment-{consignment_id}"


def what_if_workflow_id(plan_id: int, token: str) -> str:
    return f"whatif-plan-{plan_id}-{token}"


def portfolio_replan_workflow_id(token: str) -> str:
    return f"portfolio-replan-{token}"


TREND_WATCH_SCHEDULE_ID = "trend-watch"
TREND_WATCH_PASS_ID = "trend-watch-pass"  # the workflow id each scheduled pass runs under

# ---------------------------------------------------------------------------- search attributes

TREND_STAGE = SearchAttributeKey.for_keyword("TrendStage")
MERCHANT_ID = SearchAttributeKey.for_keyword("MerchantId")
SEARCH_ATTRIBUTES = {TREND_STAGE.name: "Keyword", MERCHANT_ID.name: "Keyword"}

# ---------------------------------------------------------------------------- error types


class Err:
    """ApplicationError types: the engines' domain errors (bad input: never retried) and ours."""

    design = "DesignError"
    unprintable = "UnprintableMesh"
    no_suppliers = "NoFeasibleSuppliers"
    deadline = "DeadlineInfeasible"
    compliance = "ComplianceError"
    compliance_rules = "RulesError"
    bad_signal = "BadSignal"
    bad_scenario = "BadScenario"
    pipeline_failed = "PipelineFailed"
    selection_timeout = "SelectionTimeout"
    bad_reship = "BadReship"
    stale_replan = "StaleReplan"


DOMAIN_ERRORS = (
    Err.design, Err.unprintable, Err.no_suppliers, Err.deadline, Err.compliance,
    Err.compliance_rules,
)  # fmt: skip
