"""Units (产废、运输、经营单位) as the national system registers them."""

from __future__ import annotations

import enum

from ._base import (
    GB_2260,
    GB_32100,
    HJ_1259,
    Contact,
    ContractModel,
    Name,
    RegionCode,
    Text,
    Uscc,
    field,
)


class ManagementClass(enum.StrEnum):
    """管理类别 of a site per HJ 1259 §4: 重点监管, 简化管理, 登记管理."""

    KEY = "key"  # 重点监管单位
    SIMPLIFIED = "simplified"  # 简化管理单位
    REGISTERED = "registered"  # 登记管理单位


class Unit(ContractModel):
    """A hazardous-waste unit (generator, carrier, receiver) as the national system registers it."""

    uscc: Uscc = field("统一社会信用代码", "Unified social credit code of the unit", GB_32100)
    name: Name = field("单位名称", "Registered name of the unit", HJ_1259 + " 附录A 表A.1")
    region_code: RegionCode = field("行政区划代码", "Six-digit administrative division code", GB_2260)
    address: Text = field("地址", "Address of the production or business site", HJ_1259 + " 附录A 表A.1")
    contact: Contact = field("联系人和联系方式", "Contact person and telephone", HJ_1259 + " 附录A 表A.1")
    management_class: ManagementClass = field(
        "管理类别", "Management class: key, simplified or registered", HJ_1259 + " 4.1"
    )
