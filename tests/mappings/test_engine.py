"""The mapping engine: files validated on load with the nearest valid key, records never raising."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings import TRANSFORMS, MappingError, load_profile, profile_names, transform
from mappings.transforms import Transforms

HEAD = """
[mapping]
profile = "t"
contract = "national"
contract_version = "2024.1"
"""


def write(tmp_path: Path, body: str, name: str = "national@2024.1.toml", **files: str) -> Path:
    (tmp_path / name).write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    for fname, text in files.items():
        (tmp_path / fname).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def error_of(tmp_path: Path, body: str, **files: str) -> str:
    with pytest.raises(MappingError) as err:
        load_profile(write(tmp_path, body, **files))
    return str(err.value)


SIMPLE = """
[resources.m]
kind = "manifest"
key = ["id"]
cursor = "t"
[resources.m.fields]
"""


def test_the_shipped_profiles_load() -> None:
    assert set(profile_names()) >= {"prov-rest", "legacy-soap", "enterprise-csv"}
    for name in profile_names():
        profile = load_profile(name)
        assert profile.name == name and profile.contract_version == "2024.1"


def test_an_unknown_rule_key_names_file_key_and_nearest(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { pth = "x" }\n')
    assert "national@2024.1.toml" in msg
    assert "resources.m.fields.a" in msg and "did you mean 'path'" in msg


def test_a_typo_among_rule_keys_is_named(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { path = "x", tranform = "text" }\n')
    assert "resources.m.fields.a.tranform" in msg and "did you mean 'transform'" in msg


def test_an_unknown_transform_suggests_the_nearest(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { path = "x", transform = "tonne" }\n')
    assert "resources.m.fields.a.transform" in msg and "did you mean 'tonnes'" in msg


def test_transform_arguments_are_checked_against_its_signature(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { path = "x", transform = "tonnes", args = { unt = "kg" } }\n')
    assert "resources.m.fields.a.args.unt" in msg and "did you mean 'unit'" in msg
    rule = 'a = { paths = ["x", "y"], transform = "wgs84", args = { crs = "utm" }, into = ["lon", "lat"] }\n'
    msg = error_of(tmp_path, SIMPLE + rule)
    assert "crs must be one of" in msg


def test_the_number_of_sources_must_fit_the_transform(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { paths = ["x", "y", "z"], transform = "datetime" }\n')
    assert "takes 1 to 2 source value(s)" in msg


def test_into_is_required_for_a_transform_with_two_outputs(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { paths = ["x", "y"], transform = "wgs84" }\n')
    assert "into" in msg


def test_an_unknown_crosswalk_and_a_duplicate_crosswalk_row(tmp_path: Path) -> None:
    body = '[crosswalks]\nzt = "zt.csv"\n' + SIMPLE + 'a = { path = "x", crosswalk = "z" }\n'
    msg = error_of(tmp_path, body, **{"zt.csv": "local,contract\n1,draft\n1,submitted\n"})
    assert "zt.csv: line 3" in msg and "appears twice" in msg
    assert "no crosswalk named 'z'" in msg and "did you mean 'zt'" in msg


def test_a_crosswalk_outside_the_profile_folder_is_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, '[crosswalks]\nzt = "../etc.csv"\n' + SIMPLE + "a = { const = 1 }\n")
    assert "outside the profile folder" in msg


def test_unknown_top_level_and_resource_keys(tmp_path: Path) -> None:
    msg = error_of(tmp_path, '[resource.m]\nkind = "x"\n')
    assert "resource: unknown key" in msg and "did you mean 'resources'" in msg
    msg = error_of(tmp_path, SIMPLE.replace('cursor = "t"', 'cursr = "t"') + "a = { const = 1 }\n")
    assert "resources.m.cursr" in msg and "did you mean 'cursor'" in msg


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as err:
        load_profile(write(tmp_path, SIMPLE + 'a = { pth = "x" }\nb = { path = "y", transform = "nope" }\n'))
    assert len(err.value.problems) == 2


def test_a_rule_needs_exactly_one_source(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + 'a = { path = "x", const = 1 }\n')
    assert "exactly one of" in msg


def test_file_name_and_header_version_must_agree(tmp_path: Path) -> None:
    (tmp_path / "national@2023.1.toml").write_text(HEAD + SIMPLE + "a = { const = 1 }\n", encoding="utf-8")
    with pytest.raises(MappingError, match="differs from the file name"):
        load_profile(tmp_path / "national@2023.1.toml")


def test_an_unknown_profile_suggests_the_nearest() -> None:
    with pytest.raises(MappingError, match="did you mean 'prov-rest'"):
        load_profile("prov-rst")


def test_a_version_is_chosen_in_a_folder(tmp_path: Path) -> None:
    write(tmp_path, SIMPLE + "a = { const = 1 }\n")
    assert load_profile(tmp_path, contract_version="2024.1").contract_version == "2024.1"
    with pytest.raises(MappingError, match=r"no mapping file for contract 2030\.1"):
        load_profile(tmp_path, contract_version="2030.1")


def test_yaml_mappings_load_the_same(tmp_path: Path) -> None:
    (tmp_path / "national@2024.1.yaml").write_text(
        textwrap.dedent(
            """
            mapping: {profile: y, contract: national, contract_version: "2024.1"}
            resources:
              m:
                kind: manifest
                key: [id]
                fields:
                  local_ref: {path: id, transform: text}
            """
        ),
        encoding="utf-8",
    )
    assert load_profile(tmp_path).apply("m", {"id": " A1 "}).data == {"local_ref": "A1"}


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("[mapping\n", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid TOML"):
        load_profile(tmp_path / "x.toml")


RULES = """
[crosswalks.zt]
"1" = "draft"
"3" = "in_transit"

[resources.m]
kind = "manifest"
key = ["id"]
[resources.m.fields]
local_ref = { path = "id", required = true }
status = { path = "zt", crosswalk = "zt", default = "draft" }
created_at = { paths = ["rq", "sj"], transform = "datetime" }
dispatched_at = { path = "ycrq", transform = "datetime", when = { path = "zt", eq = "3" } }
shipper.name = { path = "dw.mc", transform = "text" }
shipper.contact.person = { path = "dw.lxr" }
flag = { const = true, when = { any = [{ path = "zt", in = ["3"] }, "force"] } }
[resources.m.fields.items]
each = "lines"
[resources.m.fields.items.fields]
line_no = { index = 1 }
quantity_t = { paths = ["qty", "$.unit"], transform = "tonnes" }
labels = { each = "bq", value = { path = "code", transform = "upper" } }
"""


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_profile(write(tmp_path_factory.mktemp("rules"), RULES))


def test_rules_map_a_record(profile: Any) -> None:
    record = {
        "id": "L1",
        "zt": 3,
        "rq": "20240325",
        "sj": "083000",
        "ycrq": "2024-03-25 10:00:00",
        "dw": {"mc": " 保定 化工 ", "lxr": "刘"},
        "unit": "kg",
        "lines": [{"qty": "1250", "bq": [{"code": "a1"}, {"code": "b2"}]}, {"qty": "80"}],
    }
    mapped = profile.apply("m", record)
    assert mapped.ok, mapped.issues
    data = mapped.data
    assert data["status"] == "in_transit" and data["flag"] is True
    assert data["created_at"].isoformat() == "2024-03-25T08:30:00+08:00"
    assert data["dispatched_at"].hour == 10
    assert data["shipper"] == {"name": "保定 化工", "contact": {"person": "刘"}}
    assert [i["line_no"] for i in data["items"]] == [1, 2]
    assert str(data["items"][0]["quantity_t"]) == "1.250" and data["items"][0]["labels"] == ["A1", "B2"]


def test_conditions_defaults_and_missing_fields(profile: Any) -> None:
    mapped = profile.apply("m", {"id": "L1", "zt": "", "ycrq": "2024-03-25 10:00:00", "force": "1"})
    assert mapped.data["status"] == "draft"  # the default applies to an empty source
    assert "dispatched_at" not in mapped.data  # when zt is not 3
    assert mapped.data["flag"] is True  # any: force is present
    assert "items" not in mapped.data and "shipper" not in mapped.data


def test_issues_name_contract_path_and_local_path_inside_items(profile: Any) -> None:
    mapped = profile.apply("m", {"zt": "7", "unit": "斗", "lines": [{"qty": "1"}, {"qty": "x"}]})
    found = {(i.code, i.path, i.source) for i in mapped.issues}
    assert ("mapping.missing", "$.local_ref", "id") in found
    assert ("mapping.crosswalk_unknown", "$.status", "zt") in found
    assert ("mapping.unit.unknown", "$.items[0].quantity_t", "lines[0].qty, unit") in found
    assert any(i.path == "$.items[1].quantity_t" for i in mapped.issues)
    for issue in mapped.issues:
        assert issue.message_zh and issue.message_en and issue.to_dict()["severity"] == "error"


def test_source_for_explains_a_contract_path(profile: Any) -> None:
    resource = profile.resources["m"]
    assert resource.source_for("$.items[1].quantity_t") == "lines[1].qty, unit"
    assert resource.source_for("$.shipper.contact.person") == "dw.lxr"
    assert resource.source_for("$.shipper") is None or resource.source_for("$.shipper") is not None


def test_a_record_that_is_not_a_table_is_an_issue(profile: Any) -> None:
    assert profile.apply("m", ["not", "a", "record"]).issues[0].code == "mapping.not_a_record"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["id", "zt", "rq", "sj", "ycrq", "dw", "unit", "lines", "force", "qty", "bq"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=10))
def test_no_record_makes_the_engine_raise(profile: Any, record: dict[str, Any]) -> None:
    mapped = profile.apply("m", record)
    assert isinstance(mapped.data, dict)
    for issue in mapped.issues:
        assert issue.code.startswith("mapping.")


def test_a_buggy_transform_costs_one_record_not_the_run(tmp_path: Path) -> None:
    registry = Transforms()

    @registry.register("explode")
    def explode() -> Any:
        """Always fails."""
        return lambda v: 1 / 0

    p = load_profile(write(tmp_path, SIMPLE + 'a = { path = "x", transform = "explode" }\n'), transforms=registry)
    assert p.apply("m", {"x": 1}).issues[0].code == "mapping.transform_failed"


def test_transform_names_are_names_never_code(tmp_path: Path) -> None:
    msg = error_of(tmp_path, SIMPLE + "a = { path = \"x\", transform = \"__import__('os').system('true')\" }\n")
    assert "no transform named" in msg


def test_transforms_are_registered_once_with_a_docstring() -> None:
    registry = TRANSFORMS.copy()
    with pytest.raises(ValueError, match="twice"):
        registry.register("text")(lambda: str)
    with pytest.raises(ValueError, match="docstring"):
        registry.register("new_one")(lambda: str)
    assert "text" in TRANSFORMS and transform == TRANSFORMS.register


def test_resources_of_a_stream_are_chosen_by_condition(tmp_path: Path) -> None:
    body = """
    [resources.a]
    kind = "ledger"
    stream = "s"
    key = ["id"]
    when = { path = "type", eq = "A" }
    [resources.a.fields]
    kind = { const = "generate" }
    [resources.b]
    kind = "ledger"
    stream = "s"
    key = ["id"]
    when = { path = "type", eq = "B" }
    [resources.b.fields]
    kind = { const = "store_in" }
    """
    p = load_profile(write(tmp_path, body))
    assert p.apply("s", {"type": "B"}).data == {"kind": "store_in"}
    assert p.apply("s", {"type": "C"}).issues[0].code == "mapping.no_resource"


def test_remembered_results_are_never_shared_and_failures_are_never_remembered(tmp_path: Path) -> None:
    calls: list[object] = []
    registry = TRANSFORMS.copy()

    @registry.register("counted", pure=False)
    def counted() -> Any:
        """Counts its calls (impure: never remembered)."""

        def count(v: object) -> object:
            calls.append(v)
            return v

        return count

    body = SIMPLE + 'a = { path = "x", transform = "split" }\nb = { path = "y", transform = "integer" }\n'
    body += 'c = { path = "z", transform = "counted" }\n'
    p = load_profile(write(tmp_path, body), transforms=registry)
    first, second = (p.apply("m", {"x": "p;q", "y": "2.5", "z": "v"}) for _ in range(2))
    assert first.data["a"] == second.data["a"] == ["p", "q"] and first.data["a"] is not second.data["a"]
    assert [i.code for i in first.issues] == [i.code for i in second.issues] == ["mapping.integer.fraction"]
    assert calls == ["v", "v"]


JOINED = """
[resources.m]
kind = "manifest"
key = ["id"]
[resources.m.fields.carriers]
each = [".", "more", "$.extra"]
required = true
[resources.m.fields.carriers.fields]
leg = { index = 1 }
uscc = { path = "dm", transform = "upper", required = true }
vehicle_plate = { path = "cph", transform = "compact" }
[resources.m.fields.items]
each = ["a", "b"]
value = { path = "code", transform = "upper" }
"""


def test_each_joins_the_record_itself_and_lists_in_order(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, JOINED))
    record = {
        "dm": "a1",
        "cph": "冀A·7G352",
        "more": [{"dm": "b2", "cph": "冀B 12345"}, {"dm": "c3", "cph": "冀C12345"}],
        "extra": {"dm": "d4"},  # a single table counts as a list of one
        "a": [{"code": "x"}],
        "b": [{"code": "y"}],
    }
    mapped = p.apply("m", record)
    assert mapped.ok, mapped.issues
    assert mapped.data["carriers"] == [
        {"leg": 1, "uscc": "A1", "vehicle_plate": "冀A7G352"},
        {"leg": 2, "uscc": "B2", "vehicle_plate": "冀B12345"},
        {"leg": 3, "uscc": "C3", "vehicle_plate": "冀C12345"},
        {"leg": 4, "uscc": "D4"},
    ]
    assert mapped.data["items"] == ["X", "Y"]
    # Missing sources are skipped; only when every one is missing is a required list missing.
    assert p.apply("m", {"dm": "a1"}).data["carriers"] == [{"leg": 1, "uscc": "A1"}]
    assert "items" not in p.apply("m", {"dm": "a1"}).data


def test_issues_of_a_joined_each_name_the_element_they_come_from(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, JOINED))
    mapped = p.apply("m", {"more": [{"dm": "b2"}, {}], "extra": {}, "a": "not a list"})
    found = {(i.code, i.path, i.source) for i in mapped.issues}
    assert found == {
        ("mapping.missing", "$.carriers[0].uscc", "dm"),
        ("mapping.missing", "$.carriers[2].uscc", "more[1].dm"),
        ("mapping.missing", "$.carriers[3].uscc", "extra[0].dm"),
        ("mapping.not_a_list", "$.items", "a"),
    }
    required = JOINED.replace('each = [".", "more", "$.extra"]', 'each = ["more", "extra"]')
    missing = load_profile(write(tmp_path, required)).apply("m", {"id": "1"}).issues
    assert [(i.code, i.path, i.source) for i in missing] == [("mapping.missing", "$.carriers", "more, extra")]


def test_a_joined_each_is_checked_on_load(tmp_path: Path) -> None:
    assert "expects the path of a local list" in error_of(tmp_path, JOINED.replace('["a", "b"]', "[]"))
    assert "expects the path of a local list" in error_of(tmp_path, JOINED.replace('["a", "b"]', '["a", 3]'))
    assert "each[1]: bad path" in error_of(tmp_path, JOINED.replace('["a", "b"]', '["a", "b["]'))


# Each rule twice: ``name`` reads plain keys (the batched fast loop of ``_steps.fast_steps``) and
# ``name_g`` reads the same fields by rooted paths, which at the top level name the same values but
# compile to the general one-rule closure. Whatever the record holds, both must give the same value
# and the same issues: the fast loop is an optimisation, never a second semantics.
TWIN_RULES = {
    "plain": 'path = "a"',
    "upper": 'path = "a", transform = "upper"',
    "walked": 'path = "n.b", transform = "text"',
    "walked_deep": 'path = "n.m.c"',
    "looked_up": 'path = "zt", crosswalk = "zt", default = "draft"',
    "required": 'path = "id", transform = "compact", required = true',
    "listed": 'path = "a", transform = "split"',
    "number": 'path = "q", transform = "integer"',
    "tonnes": 'paths = ["q", "u"], transform = "tonnes", args = { containers = { "桶" = "0.2" } }',
    "tonnes_deep": 'paths = ["q", "n.u"], transform = "tonnes", args = { unit = "kg" }, required = true',
    "tonnes_each": 'paths = ["q", "u", "a"], transform = "tonnes"',
    "when_eq": 'path = "a", transform = "text", when = { path = "zt", eq = "3" }',
    "when_present": 'path = "q", transform = "decimal", when = "u", default = 0',
    "day_time": 'paths = ["rq", "sj"], transform = "datetime", args = { time_digits = 6 }',
    "moment": 'path = "rq", transform = "datetime"',
}


def _twins() -> str:
    lines = ['[crosswalks.zt]\n"1" = "draft"\n"3" = "in_transit"\n', SIMPLE]
    for name, rule in TWIN_RULES.items():
        lines.append(f"{name} = {{ {rule} }}")
        rooted = rule.replace('path = "', 'path = "$.').replace('paths = ["', 'paths = ["$.')
        lines.append(f"{name}_g = {{ {rooted} }}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_profile(write(tmp_path_factory.mktemp("twins"), _twins()))


def test_the_twin_rules_compile_to_the_fast_loop_and_to_the_general_closure(twins: Any) -> None:
    steps = twins.resources["m"].steps
    names = [s.__name__ for s in steps]
    assert names.count("fast") == len(TWIN_RULES) and names.count("step") == len(TWIN_RULES)


def _halves(mapped: Any) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, ...]], list[tuple[str, ...]]]:
    fast = {k: v for k, v in mapped.data.items() if not k.endswith("_g")}
    general = {k.removesuffix("_g"): v for k, v in mapped.data.items() if k.endswith("_g")}

    def norm(i: Any) -> tuple[str, ...]:
        return (i.code, i.path.removesuffix("_g"), i.source.replace("$.", ""), i.message_en.replace("$.", ""), i.value)

    issues_fast = [norm(i) for i in mapped.issues if not i.path.endswith("_g")]
    issues_general = [norm(i) for i in mapped.issues if i.path.endswith("_g")]
    return fast, general, issues_fast, issues_general


twin_values = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["3", "1", " 3 ", "7", "12", "12.5", "-4", "kg", "桶", "吨", "x;y", "ab-c", "20240325"]),
    st.sampled_from(["083000", "500", "2024/3/25 8:30", "2024-03-25 08:30:00", "2024-13-01", "2024/2/30 9:00"]),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.sampled_from(["a", "3", ""]), max_size=3),
)
twin_keys = st.sampled_from(["a", "q", "u", "zt", "id", "rq", "sj"])
twin_records = st.recursive(
    st.dictionaries(twin_keys, twin_values, max_size=7),
    lambda inner: st.dictionaries(
        st.sampled_from(["n", "m", "a", "q", "b", "c", "u"]), inner | twin_values, max_size=4
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(twin_records)
def test_the_fast_loop_and_the_general_closure_agree_on_any_record(twins: Any, record: dict[str, Any]) -> None:
    for _ in range(2):  # the second time, results come from the memos
        fast, general, issues_fast, issues_general = _halves(twins.apply("m", record))
        assert fast == general
        assert issues_fast == issues_general


def test_the_fast_loop_agrees_on_missing_none_empty_and_nested_values(twins: Any) -> None:
    records = [
        {},
        {"a": None, "q": "", "n": None},
        {"id": " x-1 ", "a": "p;q", "q": "180", "u": "kg", "zt": 3, "rq": "20240325", "sj": "83000"},
        {"id": "k", "q": "3", "u": "桶", "n": {"b": " 全角　ＡＢ ", "u": "t", "m": {"c": [1, 2]}}},
        {"id": "k", "q": "2.5", "u": "桶", "n": "not a table", "rq": "2024/2/30 9:00"},
        {"id": "k", "q": "1", "u": "斗", "n": {"m": "leaf"}, "zt": "9", "rq": "2024-03-25 08:30:00", "sj": "0830"},
    ]
    for record in records * 2:
        fast, general, issues_fast, issues_general = _halves(twins.apply("m", record))
        assert fast == general, record
        assert issues_fast == issues_general, record
    mapped = twins.apply("m", records[3])
    assert mapped.data["walked"] == "全角 AB" and mapped.data["walked_deep"] == [1, 2]
    assert str(mapped.data["tonnes"]) == "0.6" and mapped.data["tonnes"] == mapped.data["tonnes_g"]
