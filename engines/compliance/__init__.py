"""Product safety and market compliance, pure: the age grade from the words, geometric checks
on a design's parts (16 CFR 1501 small parts, sharp points and edges, cords, finger holes)
and the market rules in force on the shipping date (rules as data, data/rules.yaml)."""

from engines.compliance.age import GRADES, AgeGrade, infer_age_grade
from engines.compliance.check import (
    ComplianceReport,
    Finding,
    MarketPlan,
    check_design,
    check_spec,
    report_from_json,
)
from engines.compliance.cylinder import CylinderFit, fit_cylinder
from engines.compliance.documents import certificate_html, plan_html
from engines.compliance.errors import ComplianceError, RulesError
from engines.compliance.parts import PartShape, parts_from_glb, parts_from_model
from engines.compliance.rules import DEFAULT_RULES, Rules, load_rules, parse_rules

__all__ = [
    "DEFAULT_RULES", "GRADES", "AgeGrade", "ComplianceError", "ComplianceReport", "CylinderFit",
    "Finding", "MarketPlan", "PartShape", "Rules", "RulesError", "certificate_html",
    "check_design", "check_spec", "fit_cylinder", "infer_age_grade", "load_rules",
    "parse_rules", "parts_from_glb", "parts_from_model", "plan_html", "report_from_json",
]  # fmt: skip
